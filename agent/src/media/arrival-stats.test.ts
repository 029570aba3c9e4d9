import { describe, expect, it } from "vitest";
import { ArrivalStats } from "./arrival-stats.js";

describe("packet spacing (2-second window)", () => {
  it("min/max/avg of inter-arrival times, including reordered arrivals", () => {
    const a = new ArrivalStats();
    // arrivals at 0, 20, 45, 60 (seq 3 before 2), 100 ms
    const pkts: [number, number][] = [[1, 0], [3, 20], [2, 45], [4, 60], [5, 100]];
    for (const [seq, t] of pkts) a.onPacket(seq, seq * 160, 10_000 + t, false);
    // spacings 20, 25, 15, 40 → min 15, max 40, avg 25
    expect(a.spacingSummary(10_100)).toEqual({ min: 15, max: 40, avg: 25 });
  });
  it("forgets spacings older than two 1-second buckets", () => {
    const a = new ArrivalStats();
    a.onPacket(1, 0, 10_000, false);
    a.onPacket(2, 160, 10_500, false); // 500 ms in bucket [10 000, 11 000)
    a.onPacket(3, 320, 11_020, false); // 520 in [11 000, 12 000)
    expect(a.spacingSummary(11_500)).toEqual({ min: 500, max: 520, avg: 510 });
    expect(a.spacingSummary(12_100)).toEqual({ min: 520, max: 520, avg: 520 });
    expect(a.spacingSummary(13_100)).toEqual({ min: 0, max: 0, avg: 0 });
  });
});

describe("timestamp jumps", () => {
  const feed = (a: ArrivalStats, rows: [seq: number, ts: number, marker?: boolean][]) => {
    let t = 0;
    for (const [seq, ts, m] of rows) a.onPacket(seq, ts, 1000 + 20 * t++, m ?? false);
  };
  it("counts a forward and a backward jump; a marked talkspurt start and a reordering are not jumps", () => {
    const a = new ArrivalStats();
    feed(a, [
      [1, 0], [2, 160], [3, 320],
      [4, 8320], // +8000: jump
      [5, 8480],
      [6, 20000, true], // marker: new talkspurt after silence (RFC 3551 §4.1)
      [8, 20320], // seq gap (loss): no judgement
      [7, 20160], // reordered: ignored
      [9, 20480],
      [10, 10], // backwards: jump
      [11, 170],
    ]);
    expect(a.timestampJumps).toBe(2);
  });
  it("handles the 32-bit timestamp wrap and learns a ptime change", () => {
    const a = new ArrivalStats();
    feed(a, [[1, 0xffffff60], [2, 0x00000000], [3, 0xa0]]);
    expect(a.timestampJumps).toBe(0);
    // ptime 20 → 40 ms (320 units): one jump at the change, then learnt
    feed(a, [[4, 0xa0 + 320], [5, 0xa0 + 640], [6, 0xa0 + 960], [7, 0xa0 + 1280]]);
    expect(a.timestampJumps).toBe(1);
  });
});

describe("clock drift estimate", () => {
  it("a sender clock 100 ppm fast reads +100 ppm; with ±8 ms jitter within 25 ppm after 60 s", () => {
    for (const jitter of [0, 8]) {
      const a = new ArrivalStats();
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
      // 30 s of 20 ms packets; the sender's 20 ms of media take 20/(1 + 100e-6) ms of our time.
      for (let i = 0; i < 3000; i++) a.onPacket(i, i * 160, 5000 + (i * 20) / 1.0001 + jitter * (rnd() + 1), false);
      if (jitter) expect(Math.abs(a.clockDriftPpm - 100)).toBeLessThan(25);
      else expect(a.clockDriftPpm).toBeCloseTo(100, 1);
    }
  });
  it("is 0 before 10 s of media, and restarts after a timestamp jump", () => {
    const a = new ArrivalStats();
    for (let i = 0; i < 490; i++) a.onPacket(i, i * 160, i * 20 * 1.001, false);
    expect(a.clockDriftPpm).toBe(0);
    for (let i = 490; i < 600; i++) a.onPacket(i, i * 160, i * 20 * 1.001, false); // sender slow by 1000 ppm
    expect(a.clockDriftPpm).toBeCloseTo(-1000, 1);
    a.onPacket(600, 999_999, 600 * 20 * 1.001, false); // jump: fit restarts
    expect(a.timestampJumps).toBe(1);
    expect(a.clockDriftPpm).toBe(0);
  });
});

describe("at Opus's 48 kHz RTP clock (RFC 7587 §4.1: 960 units per 20 ms)", () => {
  it("spacing in ms, no jumps for 960-unit steps, a 1920-unit step is a jump, drift in ppm", () => {
    const a = new ArrivalStats(48000);
    // 30 s of 20 ms packets from a sender 100 ppm fast.
    for (let i = 0; i < 1500; i++) a.onPacket(i, (7 + i * 960) >>> 0, 5000 + (i * 20) / 1.0001, false);
    expect(a.timestampJumps).toBe(0);
    expect(a.clockDriftPpm).toBeCloseTo(100, 1);
    const sp = a.spacingSummary(5000 + 1499 * 20);
    expect(sp.avg).toBeCloseTo(20, 1);
    a.onPacket(1500, (7 + 1501 * 960) >>> 0, 5000 + 1500 * 20, false); // one frame's worth too far
    expect(a.timestampJumps).toBe(1);
  });
  it("read at 8 kHz the same stream would be all drift; setClockRate restarts the timing", () => {
    const a = new ArrivalStats(8000);
    for (let i = 0; i < 600; i++) a.onPacket(i, i * 960, i * 20, false);
    expect(Math.abs(a.clockDriftPpm)).toBeGreaterThan(100_000);
    a.setClockRate(48000);
    expect(a.clockDriftPpm).toBe(0);
    for (let i = 600; i < 1200; i++) a.onPacket(i, i * 960, i * 20, false);
    expect(a.clockDriftPpm).toBeCloseTo(0, 3);
    expect(a.timestampJumps).toBe(0);
  });
});
