import { describe, expect, it } from "vitest";
import { RtpReceiverStats, SETTLE_PACKETS } from "./rtp-stats.js";

const SSRC = 0x1234;
/** Feed seqs at a perfect 20 ms / 160-ts cadence keyed on the sequence offset from `first`. */
function feed(s: RtpReceiverStats, seqs: number[], first = seqs[0]!): void {
  let t = 0;
  for (const seq of seqs) {
    const k = (seq - first + 65536) % 65536;
    s.onPacket(seq, k * 160, 1000 + t * 20, 172, SSRC);
    t++;
  }
}

describe("RFC 3550 A.1/A.3 sequence and loss", () => {
  it("counts a clean stream without loss (probation packets included)", () => {
    const s = new RtpReceiverStats();
    feed(s, [10, 11, 12, 13, 14]);
    expect(s.valid).toBe(true);
    expect(s.baseSeq).toBe(10);
    expect(s.extendedMax).toBe(14);
    expect(s.expected).toBe(5);
    expect(s.received).toBe(5);
    expect(s.cumulativeLost).toBe(0);
    expect(s.packets).toBe(5);
    expect(s.bytes).toBe(5 * 172);
  });
  it("loss: 1..20 without 5, 9, 10 → expected 20, lost 3, fraction 15 %", () => {
    const s = new RtpReceiverStats();
    const seqs = Array.from({ length: 20 }, (_, i) => i + 1).filter((q) => q !== 5 && q !== 9 && q !== 10);
    feed(s, seqs, 1);
    expect(s.expected).toBe(20);
    expect(s.received).toBe(17);
    expect(s.cumulativeLost).toBe(3);
    const iv = s.interval(s.metricsCursor);
    expect(iv).toEqual({ expected: 20, received: 17, lost: 3, fraction: 0.15 });
    // next interval: 21..30 all present → 0
    feed(s, Array.from({ length: 10 }, (_, i) => 21 + i), 1);
    expect(s.interval(s.metricsCursor)).toEqual({ expected: 10, received: 10, lost: 0, fraction: 0 });
    // report cursor is independent: 30 expected, 27 received → 3/30 → floor(0.1·256) = 25
    expect(s.reportBlock()).toMatchObject({ fractionLost: 25, packetsLost: 3, highestSequence: 30 });
  });
  it("reorder: 1 2 3 5 4 6 → no loss, one out-of-order", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 2, 3, 5, 4, 6], 1);
    expect(s.cumulativeLost).toBe(0);
    expect(s.outOfOrder).toBe(1);
    expect(s.duplicates).toBe(0);
    expect(s.extendedMax).toBe(6);
  });
  it("duplicates: 1 2 3 3 4 2 → two duplicates; RFC lost goes negative", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 2, 3, 3, 4, 2], 1);
    expect(s.duplicates).toBe(2);
    expect(s.outOfOrder).toBe(0);
    expect(s.received).toBe(6);
    expect(s.expected).toBe(4);
    expect(s.cumulativeLost).toBe(-2);
    expect(s.interval(s.metricsCursor)).toMatchObject({ lost: 0, fraction: 0 });
    expect(s.reportBlock().packetsLost).toBe(0xfffffe); // −2 in 24-bit two's complement
  });
  it("wrap at 65535: 65533..65535, 0, 2 → cycles, extended seq 65538, one lost", () => {
    const s = new RtpReceiverStats();
    feed(s, [65533, 65534, 65535, 0, 2], 65533);
    expect(s.extendedMax).toBe(65536 + 2);
    expect(s.baseSeq).toBe(65533);
    expect(s.expected).toBe(6);
    expect(s.cumulativeLost).toBe(1);
    // a late 1 arrives after the wrap: reordered, lost back to 0
    s.onPacket(1, 4 * 160, 2000, 172, SSRC);
    expect(s.outOfOrder).toBe(1);
    expect(s.cumulativeLost).toBe(0);
  });
  it("wrap during probation: 65535, 0, 1 → valid, base −1 (cycles restart at the validating packet 0)", () => {
    const s = new RtpReceiverStats();
    feed(s, [65535, 0, 1], 65535);
    expect(s.baseSeq).toBe(-1);
    expect(s.extendedMax).toBe(1);
    expect(s.expected).toBe(3);
    expect(s.cumulativeLost).toBe(0);
  });
  it("a big jump is rejected once, then accepted as a restart when sequential", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 2, 3], 1);
    expect(s.onPacket(20000, 0, 2000, 172, SSRC)).toBe(false);
    expect(s.onPacket(20001, 160, 2020, 172, SSRC)).toBe(true);
    expect(s.baseSeq).toBe(20001);
    expect(s.received).toBe(1);
    expect(s.rejected).toBe(1);
  });
  it("a loss during probation is counted: 1, (2 lost), 3, 4, 5 → base 1, expected 5, lost 1", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 3, 4, 5], 1);
    expect(s.valid).toBe(true);
    expect(s.baseSeq).toBe(1);
    expect(s.expected).toBe(5);
    expect(s.received).toBe(4);
    expect(s.cumulativeLost).toBe(1);
    expect(s.interval(s.metricsCursor)).toMatchObject({ expected: 5, received: 4, lost: 1 });
  });
  it("a reordered start is no loss: 2, 1, 3, 4 → base 1, expected 4, lost 0; a late 1 again is a duplicate", () => {
    const s = new RtpReceiverStats();
    feed(s, [2, 1, 3, 4], 1);
    expect(s.baseSeq).toBe(1);
    expect(s.expected).toBe(4);
    expect(s.cumulativeLost).toBe(0);
    s.onPacket(1, 0, 2000, 172, SSRC);
    expect(s.duplicates).toBe(1);
    expect(s.cumulativeLost).toBe(-1);
  });
  it("a reordered start with a packet ahead is no loss: 3, 1, 2, 4 → base 1, max 4, expected 4, lost 0", () => {
    const s = new RtpReceiverStats();
    feed(s, [3, 1, 2, 4, 5], 1);
    expect(s.baseSeq).toBe(1);
    expect(s.extendedMax).toBe(5);
    expect(s.expected).toBe(5);
    expect(s.received).toBe(5);
    expect(s.cumulativeLost).toBe(0);
    expect(s.outOfOrder + s.duplicates).toBe(0);
  });
  it("a reordered start across the wrap: 0, 65534, 65535, 1 → base 65534, max 65536 + 1, no loss", () => {
    const s = new RtpReceiverStats();
    feed(s, [0, 65534, 65535, 1], 65534);
    expect(s.expected).toBe(4);
    expect(s.cumulativeLost).toBe(0);
    expect(s.extendedMax - s.baseSeq).toBe(3);
    s.onPacket(2, 4 * 160, 2000, 172, SSRC);
    expect(s.expected).toBe(5);
    expect(s.cumulativeLost).toBe(0);
  });
  it("probation packets far below the validating one are forgotten (a stray, not the stream's start)", () => {
    const s = new RtpReceiverStats();
    feed(s, [40000, 7, 8, 9], 7);
    expect(s.baseSeq).toBe(7);
    expect(s.expected).toBe(3);
    expect(s.received).toBe(3);
  });
  it("duplicate and reorder across the 65535 wrap: 65534, 65535, 0, 65535, 1, 3, 2", () => {
    const s = new RtpReceiverStats();
    feed(s, [65534, 65535, 0, 65535, 1, 3, 2], 65534);
    expect(s.extendedMax).toBe(65536 + 3);
    expect(s.expected).toBe(6);
    expect(s.received).toBe(7);
    expect(s.duplicates).toBe(1);
    expect(s.outOfOrder).toBe(1);
    expect(s.cumulativeLost).toBe(-1);
  });
  it("SSRC change mid-stream: loss of the old source does not leak into the new one", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 2, 4, 5], 1); // one lost on the old source
    expect(s.cumulativeLost).toBe(1);
    const t0 = 5000;
    [900, 901, 902].forEach((q, i) => s.onPacket(q, 50_000 + i * 160, t0 + i * 20, 172, 0x7777));
    expect(s.ssrcChanges).toBe(1);
    expect(s.baseSeq).toBe(900);
    expect(s.expected).toBe(3);
    expect(s.cumulativeLost).toBe(0);
    expect(s.jitterTs).toBe(0); // the jump in timestamp and transit between sources is not jitter
  });
  it("a new SSRC restarts the statistics", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 2, 3, 4], 1);
    s.onPacket(500, 0, 3000, 172, 0x9999);
    s.onPacket(501, 160, 3020, 172, 0x9999);
    expect(s.ssrcChanges).toBe(1);
    expect(s.currentSsrc).toBe(0x9999);
    expect(s.expected).toBe(2);
    expect(s.packets).toBe(6);
  });
});

describe("settled per-interval loss (per-second metrics)", () => {
  const seqs = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  it("a reordering across the sample boundary is no loss in either interval", () => {
    const s = new RtpReceiverStats();
    // 1..30, then 32 before the sample, 31 after it
    feed(s, [...seqs(1, 30), 32], 1);
    expect(s.interval(s.metricsCursor)).toMatchObject({ lost: 1 }); // plain §A.3: a phantom loss …
    expect(s.settledInterval(s.settledCursor)).toEqual({ expected: 32 - SETTLE_PACKETS, received: 32 - SETTLE_PACKETS, lost: 0, fraction: 0 });
    feed(s, [31, ...seqs(33, 60)], 1);
    expect(s.interval(s.metricsCursor)).toMatchObject({ lost: 0 }); // … whose surplus is clamped away
    expect(s.settledInterval(s.settledCursor)).toEqual({ expected: 28, received: 28, lost: 0, fraction: 0 });
  });
  it("a real loss is reported once the stream is SETTLE_PACKETS past it, exactly once", () => {
    const s = new RtpReceiverStats();
    feed(s, seqs(1, 30).filter((q) => q !== 25), 1);
    expect(s.settledInterval(s.settledCursor)).toMatchObject({ expected: 20, lost: 0 }); // 25 not settled yet
    feed(s, seqs(31, 50), 1);
    expect(s.settledInterval(s.settledCursor)).toEqual({ expected: 20, received: 19, lost: 1, fraction: 0.05 });
    feed(s, seqs(51, 70), 1);
    expect(s.settledInterval(s.settledCursor)).toMatchObject({ expected: 20, lost: 0 });
  });
  it("a packet later than the settle window is credited to the next interval, not clamped away", () => {
    const s = new RtpReceiverStats();
    feed(s, seqs(1, 40).filter((q) => q !== 5), 1);
    expect(s.settledInterval(s.settledCursor)).toMatchObject({ expected: 30, received: 29, lost: 1 });
    s.onPacket(5, 4 * 160, 5000, 172, SSRC); // very late
    feed(s, [...seqs(41, 50)], 1);
    // 10 more settled, 11 received among the settled: no loss, nothing carried negative
    expect(s.settledInterval(s.settledCursor)).toEqual({ expected: 10, received: 10, lost: 0, fraction: 0 });
    feed(s, [...seqs(51, 59)], 1); // 59: settled up to 49, 51.. received; 50 gap? none
    expect(s.settledInterval(s.settledCursor)).toEqual({ expected: 9, received: 9, lost: 0, fraction: 0 });
  });
  it("duplicates do not hide a loss", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 2, 3, 3, 5, 6, ...seqs(7, 30)], 1);
    expect(s.settledInterval(s.settledCursor)).toEqual({ expected: 20, received: 19, lost: 1, fraction: 0.05 });
  });
});

describe("RFC 3550 A.8 jitter", () => {
  it("is 0 for a perfect cadence", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 2, 3, 4, 5, 6], 1);
    expect(s.jitterTs).toBe(0);
  });
  it("matches a hand computation on a made-up arrival pattern", () => {
    const s = new RtpReceiverStats(8000);
    // ts step 160 (20 ms); arrivals 0, 20, 45, 60, 80 ms.
    // transit (ts units) = arrival·8 − ts: 0, 0, 40, 0, 0 → |D| = 0, 40, 40, 0
    const arrivals = [0, 20, 45, 60, 80];
    arrivals.forEach((a, i) => s.onPacket(100 + i, 160 * i, a, 172, SSRC));
    let j = 0;
    for (const d of [0, 40, 40, 0]) j += (d - j) / 16;
    expect(j).toBeCloseTo(4.541015625, 10); // 0 → 2.5 → 2.5 + 37.5/16 = 4.84375 → ·15/16
    expect(s.jitterTs).toBeCloseTo(j, 10);
    expect(s.jitterMs).toBeCloseTo(j / 8, 10);
  });
  it("timestamp jump with continuous sequence (silence, hold): one |D| spike, then decay by 15/16", () => {
    const s = new RtpReceiverStats(8000);
    // seq 1..4 every 20 ms / 160 ts; then seq 5 with ts + 8000 (1 s later in media time) but arriving 20 ms later.
    for (let i = 0; i < 4; i++) s.onPacket(1 + i, 160 * i, 20 * i, 172, SSRC);
    s.onPacket(5, 160 * 3 + 8000, 80, 172, SSRC);
    // transit drops by 8000 − 160 = 7840 ts units → J = 7840/16 = 490
    expect(s.jitterTs).toBeCloseTo(490, 10);
    s.onPacket(6, 160 * 4 + 8000, 100, 172, SSRC);
    expect(s.jitterTs).toBeCloseTo(490 * (15 / 16), 10);
    expect(s.cumulativeLost).toBe(0);
  });
  it("timestamp jump matched by the arrival gap (the sender skipped frames on purpose) is no jitter", () => {
    const s = new RtpReceiverStats(8000);
    s.onPacket(1, 0, 0, 172, SSRC);
    s.onPacket(2, 160, 20, 172, SSRC);
    s.onPacket(3, 160 * 5, 100, 172, SSRC); // 3 frames skipped: ts and arrival both move on 80 ms
    s.onPacket(4, 160 * 6, 120, 172, SSRC);
    expect(s.jitterTs).toBe(0);
    expect(s.cumulativeLost).toBe(0);
  });
  it("at Opus's 48 kHz clock (RFC 7587 §4.1): the same arrival pattern reads the same jitter in ms", () => {
    // The hand-computed pattern above with 960-unit steps: transit = arrival·48 − ts: 0, 0, 240, 0, 0.
    const s = new RtpReceiverStats(48000);
    const arrivals = [0, 20, 45, 60, 80];
    arrivals.forEach((a, i) => s.onPacket(100 + i, 960 * i, a, 100, SSRC));
    let j = 0;
    for (const d of [0, 240, 240, 0]) j += (d - j) / 16;
    expect(s.jitterTs).toBeCloseTo(j, 10);
    expect(s.jitterMs).toBeCloseTo(4.541015625 / 8, 10); // = 27.25 / 48: the 8 kHz case's ms
    // Read at the wrong (8 kHz) clock, 960-unit steps are 120 ms of media per 20 ms of a perfect
    // cadence: |D| = 100 ms every packet.
    const wrong = new RtpReceiverStats(8000);
    for (let i = 0; i < 50; i++) wrong.onPacket(i, 960 * i, 20 * i, 100, SSRC);
    expect(wrong.jitterMs).toBeGreaterThan(90);
  });
  it("alternating 0 / 4 ms delay at 48 kHz: |D| = 192 units every packet, J → 4 ms", () => {
    const s = new RtpReceiverStats(48000);
    const n = 60;
    for (let i = 0; i < n; i++) s.onPacket(i, (123456 + 960 * i) >>> 0, 1000 + 20 * i + (i % 2 ? 4 : 0), 100, SSRC);
    // The first packet is on probation (§A.1), so n − 2 differences reach the estimate.
    const expected = 192 * (1 - (15 / 16) ** (n - 2));
    expect(s.jitterTs).toBeCloseTo(expected, 6);
    expect(s.jitterMs).toBeCloseTo(expected / 48, 6);
    expect(s.reportBlock().jitter).toBe(Math.floor(expected)); // RR jitter in timestamp units (§6.4.1)
  });
  it("setClockRate restarts the estimate in the new units (a codec change), not mixing clocks", () => {
    const s = new RtpReceiverStats(8000);
    [0, 20, 45, 60, 80].forEach((a, i) => s.onPacket(100 + i, 160 * i, a, 172, SSRC));
    expect(s.jitterTs).toBeGreaterThan(0);
    s.setClockRate(48000);
    expect([s.clockRate, s.jitterTs]).toEqual([48000, 0]);
    for (let i = 5; i < 10; i++) s.onPacket(100 + i, 5_000_000 + 960 * i, 20 * i, 100, SSRC);
    expect(s.jitterTs).toBe(0);
    expect(s.cumulativeLost).toBe(0); // sequence statistics carry on
  });
  it("survives a 32-bit RTP timestamp wrap", () => {
    const s = new RtpReceiverStats();
    const base = 0xffffffff - 160;
    for (let i = 0; i < 4; i++) s.onPacket(i, (base + 160 * i) >>> 0, 20 * i, 172, SSRC);
    expect(s.jitterTs).toBeCloseTo(0, 6);
  });
});

describe("sequence anomalies: jumps, resets, largest gap", () => {
  it("1..5, 9 (gap 3), 10, 12 (gap 1): largest gap 3, then the gauge resets", () => {
    const s = new RtpReceiverStats();
    feed(s, [1, 2, 3, 4, 5, 9, 10, 12], 1);
    expect(s.takeLargestGap()).toBe(3);
    expect(s.takeLargestGap()).toBe(0);
    feed(s, [13, 14, 16], 1);
    expect(s.takeLargestGap()).toBe(1);
  });
  it("a lone jump counts one jump and no reset; a confirmed one counts a jump and a reset", () => {
    const s = new RtpReceiverStats();
    feed(s, [100, 101, 102], 100);
    s.onPacket(20000, 0, 2000, 172, SSRC); // lone: rejected
    s.onPacket(103, 3 * 160, 2020, 172, SSRC);
    expect([s.seqJumps, s.seqResets]).toEqual([1, 0]);
    s.onPacket(30000, 0, 2040, 172, SSRC);
    s.onPacket(30001, 160, 2060, 172, SSRC); // sequential: the sender restarted
    expect([s.seqJumps, s.seqResets]).toEqual([2, 1]);
    expect(s.lastExt).toBe(30001);
    expect(s.baseSeq).toBe(30001);
  });
  it("lastExt follows the wrap: 65534, 65535, 0, 1 → 65536, 65537", () => {
    const s = new RtpReceiverStats();
    feed(s, [65534, 65535, 0], 65534);
    expect(s.lastExt - s.baseSeq).toBe(2);
    s.onPacket(1, 3 * 160, 5000, 172, SSRC);
    expect(s.lastExt - s.baseSeq).toBe(3);
  });
});
