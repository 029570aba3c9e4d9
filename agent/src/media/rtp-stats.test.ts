import { describe, expect, it } from "vitest";
import { RtpReceiverStats } from "./rtp-stats.js";

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
  it("survives a 32-bit RTP timestamp wrap", () => {
    const s = new RtpReceiverStats();
    const base = 0xffffffff - 160;
    for (let i = 0; i < 4; i++) s.onPacket(i, (base + 160 * i) >>> 0, 20 * i, 172, SSRC);
    expect(s.jitterTs).toBeCloseTo(0, 6);
  });
});
