import { describe, expect, it } from "vitest";
import { addSparse, ChangedRows, emptyAggregate, mergeAggregates, sparseQuantile, toSparse, type MediaAggregate } from "./aggregate.js";
import { LatencyHistogram } from "./histogram.js";

function agg(over: Partial<MediaAggregate>): MediaAggregate {
  return { ...emptyAggregate(), ...over };
}

describe("MediaAggregate merge", () => {
  it("sums counters, keeps maxima, adds histograms", () => {
    const a = agg({ sessions: 2, framesSent: 100, framesSkipped: 1, packetsReceived: 99, lateness: [0, 90, 30, 10], latenessMax: 3.05, metricsPassMaxMs: 4, metricsPassTotalMs: 4, changed: 2 });
    const b = agg({ sessions: 3, framesSent: 150, framesLate: 2, sendErrors: 1, lateness: [0, 100, 250, 50], latenessMax: 25.01, metricsPassMaxMs: 6, metricsPassTotalMs: 6, changed: 3 });
    const m = mergeAggregates(a, b);
    expect(m).toMatchObject({ sessions: 5, framesSent: 250, framesSkipped: 1, framesLate: 2, packetsReceived: 99, sendErrors: 1, latenessMax: 25.01, metricsPassMaxMs: 6, metricsPassTotalMs: 10, changed: 5 });
    expect(m.lateness).toEqual([0, 190, 30, 10, 250, 50]);
  });
  it("is commutative and associative with emptyAggregate() as identity", () => {
    const a = agg({ sessions: 1, lateness: [5, 1], loopLag: [2, 2], loopLagMax: 0.25 });
    const b = agg({ sessions: 4, lateness: [1, 3, 5, 2] });
    const c = agg({ framesSent: 7, loopLag: [2, 1, 9, 1], loopLagMax: 0.95 });
    expect(mergeAggregates(a, b)).toEqual(mergeAggregates(b, a));
    expect(mergeAggregates(mergeAggregates(a, b), c)).toEqual(mergeAggregates(a, mergeAggregates(b, c)));
    expect(mergeAggregates(a, emptyAggregate())).toEqual(a);
  });
  it("the p99 of merged sparse histograms equals the p99 of all values in one histogram", () => {
    const h1 = new LatencyHistogram();
    const h2 = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = i % 100 === 0 ? 15 + (i % 7) : (i % 13) / 10;
      (i % 2 ? h1 : h2).add(v);
      all.add(v);
    }
    const m = mergeAggregates(agg({ lateness: toSparse(h1.counts), latenessMax: h1.max }), agg({ lateness: toSparse(h2.counts), latenessMax: h2.max }));
    expect(sparseQuantile(m.lateness, m.latenessMax, 0.99)).toBe(all.quantile(0.99));
    expect(sparseQuantile(m.lateness, m.latenessMax, 0.999)).toBe(all.quantile(0.999));
    const dense = new LatencyHistogram();
    addSparse(dense, m.lateness, m.latenessMax);
    expect(dense.n).toBe(5000);
  });
});

describe("ChangedRows", () => {
  it("reports an endpoint first in full, then only when a value changed", () => {
    const rows = new ChangedRows(2);
    expect(rows.diff([[1, [10, 0]], [2, [20, 0]]])).toEqual({ ids: [1, 2], values: [10, 0, 20, 0] });
    expect(rows.diff([[1, [10, 0]], [2, [21, 0]]])).toEqual({ ids: [2], values: [21, 0] });
    expect(rows.diff([[1, [10, 0]], [2, [21, 0]]])).toEqual({ ids: [], values: [] });
    rows.forget(1);
    expect(rows.diff([[1, [10, 0]]])).toEqual({ ids: [1], values: [10, 0] });
  });
  it("treats NaN as unchanged and −0/+0 as a change (Object.is)", () => {
    const rows = new ChangedRows(1);
    rows.diff([[1, [Number.NaN]]]);
    expect(rows.diff([[1, [Number.NaN]]]).ids).toEqual([]);
    rows.diff([[2, [0]]]);
    expect(rows.diff([[2, [-0]]]).ids).toEqual([2]);
  });
});
