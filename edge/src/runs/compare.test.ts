import { describe, expect, it } from "vitest";
import type { RunSummary } from "../../../protocol/index.js";
import { alignSeries, compareSummaries, verdict } from "./compare.js";

const summary = (o: Partial<RunSummary> = {}): RunSummary => ({
  mos: 4.3, jitter_ms: 3, fraction_lost: 0.2, rtt_ms: 40, callSuccessRate: 100, registrationRate: 100, setupTimeMs: { p50: 30, p95: 60 },
  endpoints: 10, phaseCounts: {}, outcomeCounts: {}, groups: [], ...o,
});

describe("run comparison", () => {
  it("calls worse-than-tolerance a regression in the metric's own direction", () => {
    expect(verdict(4.3, 4.1, "higher", 0.05)).toBe("regression");
    expect(verdict(4.3, 4.28, "higher", 0.05)).toBe("same");
    expect(verdict(4.1, 4.3, "higher", 0.05)).toBe("improvement");
    expect(verdict(3, 9, "lower", 1)).toBe("regression");
    expect(verdict(9, 3, "lower", 1)).toBe("improvement");
    expect(verdict(null, 3, "lower", 1)).toBe("unknown");
  });
  it("flags MOS down, loss/jitter/RTT up and success down", () => {
    const d = compareSummaries(summary(), summary({ mos: 3.9, jitter_ms: 12, fraction_lost: 2.5, rtt_ms: 41, callSuccessRate: 90, setupTimeMs: { p50: 30, p95: null } }));
    const by = Object.fromEntries(d.map((x) => [x.key, x]));
    expect(by.mos).toMatchObject({ base: 4.3, other: 3.9, delta: -0.4, verdict: "regression" });
    expect(by.jitter_ms).toMatchObject({ delta: 9, verdict: "regression" });
    expect(by.fraction_lost).toMatchObject({ delta: 2.3, verdict: "regression" });
    expect(by.rtt_ms).toMatchObject({ delta: 1, verdict: "same" });
    expect(by.callSuccessRate).toMatchObject({ delta: -10, verdict: "regression" });
    expect(by.registrationRate!.verdict).toBe("same");
    expect(by.setupTimeP95Ms).toMatchObject({ base: 60, other: null, delta: null, verdict: "unknown" });
    expect(d.map((x) => x.key)).toEqual(["mos", "jitter_ms", "fraction_lost", "rtt_ms", "callSuccessRate", "registrationRate", "setupTimeP95Ms"]);
  });
  it("has nothing to compare without summaries", () => {
    expect(compareSummaries(null, summary()).every((x) => x.verdict === "unknown" && x.delta === null)).toBe(true);
  });
  it("aligns series on seconds since the start", () => {
    const row = (t: number) => ({ t, mos: 4, jitterMs: 1, fractionLost: 0, rttMs: 10, reporting: 2 });
    expect(alignSeries([row(1005), row(1003)], new Date(1_000_000).toISOString()).map((p) => [p.t, p.offsetSec])).toEqual([[1003, 3], [1005, 5]]);
    expect(alignSeries([row(1005), row(1003)], null).map((p) => p.offsetSec)).toEqual([0, 2]);
    expect(alignSeries([], null)).toEqual([]);
    expect(alignSeries([row(7)], null)[0]).toEqual({ t: 7, offsetSec: 0, mos: 4, jitter_ms: 1, fraction_lost: 0, rtt_ms: 10, reporting: 2 });
  });
});
