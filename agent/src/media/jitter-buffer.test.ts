import { describe, expect, it } from "vitest";
import { ADAPTIVE_MIN_MS, JitterBufferModel } from "./jitter-buffer.js";

/** Feed packets every 20 ms of media with the given extra network delays (ms). */
function run(jb: JitterBufferModel, delays: number[], ts0 = 0): boolean[] {
  return delays.map((d, i) => jb.onPacket((ts0 + i * 160) >>> 0, 1000 + i * 20 + d));
}

describe("JitterBufferModel", () => {
  it("fixed 40 ms: a packet more than 40 ms later than the least-delayed one is late", () => {
    const jb = new JitterBufferModel({ mode: "fixed", delayMs: 40 });
    // delays above the minimum (0): 0, 10, 40 (on time, = deadline), 41 (late), 5, 100 (late)
    expect(run(jb, [0, 10, 40, 41, 5, 100])).toEqual([true, true, true, false, true, false]);
    expect([jb.played, jb.late, jb.currentDelayMs, jb.targetDelayMs]).toEqual([4, 2, 40, 40]);
  });
  it("the base follows the least-delayed packet: a faster packet later makes earlier margins larger", () => {
    const jb = new JitterBufferModel({ mode: "fixed", delayMs: 30 });
    // first packet delayed 50, then 20: base becomes 20; a packet at 55 is 35 above → late
    expect(run(jb, [50, 20, 45, 55])).toEqual([true, true, true, false]);
  });
  it("adaptive: starts at the minimum, grows with jitter, no late packets once adapted to a steady pattern", () => {
    const jb = new JitterBufferModel({ mode: "adaptive", minMs: 20 });
    expect(new JitterBufferModel({ mode: "adaptive" }).currentDelayMs).toBe(ADAPTIVE_MIN_MS);
    expect(jb.currentDelayMs).toBe(20);
    const pattern = Array.from({ length: 1500 }, (_, i) => (i % 5) * 15); // 0..60 ms sawtooth
    const res = run(jb, pattern);
    const lateFirst = res.slice(0, 250).filter((x) => !x).length;
    const lateLast = res.slice(500).filter((x) => !x).length;
    expect(lateFirst).toBeGreaterThan(0); // warm-up: the phone's buffer was too small at first
    expect(lateLast).toBe(0);
    expect(jb.targetDelayMs).toBeGreaterThan(60);
    expect(jb.targetDelayMs).toBeLessThan(150);
    expect(jb.currentDelayMs).toBeCloseTo(jb.targetDelayMs, 0);
  });
  it("adaptive: shrinks by at most 1 ms per packet when jitter stops", () => {
    const jb = new JitterBufferModel({ mode: "adaptive", minMs: 20, maxMs: 200 });
    run(jb, Array.from({ length: 500 }, (_, i) => (i % 2) * 80));
    const before = jb.currentDelayMs;
    jb.onPacket(500 * 160, 1000 + 500 * 20); // on time, no delay
    expect(before - jb.currentDelayMs).toBeLessThanOrEqual(1);
    run(jb, Array.from({ length: 2000 }, () => 0), 501 * 160);
    expect(jb.currentDelayMs).toBe(20);
  });
  it("handles the 32-bit timestamp wrap, a resync on a clock jump, and reordering", () => {
    const jb = new JitterBufferModel({ mode: "fixed", delayMs: 60 });
    expect(run(jb, [0, 0, 0, 0], 0xffffff00)).toEqual([true, true, true, true]);
    expect(jb.onPacket(123_456_789, 2000)).toBe(true); // new timeline: resync, plays
    expect(jb.onPacket(123_456_789 + 160, 2020)).toBe(true);
    // a reordered packet (older timestamp, arrives 30 ms after its successor) is judged by its own deadline
    expect(jb.onPacket(123_456_789 + 480, 2060)).toBe(true);
    expect(jb.onPacket(123_456_789 + 320, 2070)).toBe(true); // 30 ms above base: inside 60
    expect(jb.onPacket(123_456_789 + 640, 2200)).toBe(false); // 120 ms above base: late
    expect(jb.late).toBe(1);
  });
  it("mode none: nothing is late, delays are 0", () => {
    const jb = new JitterBufferModel({ mode: "none" });
    expect(run(jb, [0, 500, 0])).toEqual([true, true, true]);
    expect([jb.late, jb.currentDelayMs]).toEqual([0, 0]);
  });
  it("at 48 kHz (Opus, RFC 7587 §4.1): media time from 960-unit steps, the same decisions as at 8 kHz", () => {
    const delays = [0, 10, 40, 41, 5, 100];
    const at8 = new JitterBufferModel({ mode: "fixed", delayMs: 40 });
    const at48 = new JitterBufferModel({ mode: "fixed", delayMs: 40 }, 48000);
    const r48 = delays.map((d, i) => at48.onPacket(i * 960, 1000 + i * 20 + d));
    expect(r48).toEqual(run(at8, delays));
    // setClockRate: timing restarts (the next packet plays and sets the base).
    at48.setClockRate(8000);
    expect(at48.clockRate).toBe(8000);
    expect(at48.onPacket(77, 99_999)).toBe(true);
  });
});
