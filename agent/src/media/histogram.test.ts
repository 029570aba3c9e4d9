import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./histogram.js";

describe("LatencyHistogram", () => {
  it("quantiles are bucket upper edges, capped by the exact max", () => {
    const h = new LatencyHistogram(1, 100);
    for (let i = 0; i < 99; i++) h.add(0.5); // bucket [0,1)
    h.add(42.3); // bucket [42,43)
    expect(h.n).toBe(100);
    expect(h.quantile(0.5)).toBe(1);
    expect(h.quantile(0.99)).toBe(1);
    expect(h.quantile(1)).toBe(42.3);
  });
  it("negative values count in the first bucket, huge ones in overflow with the exact max", () => {
    const h = new LatencyHistogram(1, 10);
    h.add(-3);
    h.add(5000);
    expect(h.counts[0]).toBe(1);
    expect(h.counts[h.counts.length - 1]).toBe(1);
    expect(h.quantile(1)).toBe(5000);
  });
  it("merging two halves equals recording everything in one", () => {
    const a = new LatencyHistogram(0.5, 50);
    const b = new LatencyHistogram(0.5, 50);
    const all = new LatencyHistogram(0.5, 50);
    for (let i = 0; i < 1000; i++) {
      const v = (i * 7919) % 400 / 10;
      (i % 3 ? a : b).add(v);
      all.add(v);
    }
    const m = new LatencyHistogram(0.5, 50, a.snapshot().counts);
    m.max = a.max;
    m.merge(b.snapshot());
    expect(m.n).toBe(1000);
    expect([...m.counts]).toEqual([...all.counts]);
    for (const q of [0.5, 0.9, 0.99, 1]) expect(m.quantile(q)).toBe(all.quantile(q));
  });
  it("empty is 0; different shapes do not merge", () => {
    expect(new LatencyHistogram().quantile(0.99)).toBe(0);
    expect(() => new LatencyHistogram(1, 10).merge(new LatencyHistogram(1, 20))).toThrow();
  });
  it("a full bucket saturates instead of wrapping", () => {
    const h = new LatencyHistogram(1, 10, Uint32Array.from({ length: 11 }, (_, i) => (i === 2 ? 0xffffffff : 0)));
    h.add(2.5);
    expect(h.counts[2]).toBe(0xffffffff);
  });
});
