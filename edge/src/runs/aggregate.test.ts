import { describe, expect, it } from "vitest";
import { addToBucket, addToRunBucket, bucketToAggregate, emptyBucket, groupSeriesRows, percentile, seriesRow, summarize } from "./aggregate.js";

describe("per-second buckets", () => {
  it("average exactly across endpoints in any order, ignoring unknown RTT", () => {
    const b = emptyBucket(100);
    addToBucket(b, { mos: 4.4, jitter_ms: 2, fraction_lost: 0, rtt_ms: 0 });
    addToBucket(b, { mos: 3.6, jitter_ms: 4, fraction_lost: 2, rtt_ms: 10 });
    addToBucket(b, { packets_sent: 50 });
    expect(bucketToAggregate(b)).toEqual({ t: 100, mos: 4, jitter_ms: 3, fraction_lost: 1, rtt_ms: 10, reporting: 2 });
  });
});

describe("per-group buckets", () => {
  it("keep the run's second and each group's, as stored rows", () => {
    const b = emptyBucket(7);
    addToRunBucket(b, "A", { mos: 4.4, jitter_ms: 2, fraction_lost: 0, rtt_ms: 20 });
    addToRunBucket(b, "A", { mos: 4.0, jitter_ms: 4, fraction_lost: 1, rtt_ms: 0 });
    addToRunBucket(b, "B", { mos: 3.0, jitter_ms: 30, fraction_lost: 5, rtt_ms: 40 });
    expect(seriesRow(b)).toEqual({ t: 7, mos: 3.8, jitterMs: 12, fractionLost: 2, rttMs: 30, reporting: 3 });
    expect(groupSeriesRows(b)).toEqual([
      { groupName: "A", t: 7, mos: 4.2, jitterMs: 3, fractionLost: 0.5, rttMs: 20, reporting: 2 },
      { groupName: "B", t: 7, mos: 3, jitterMs: 30, fractionLost: 5, rttMs: 40, reporting: 1 },
    ]);
    // A bucket stored before groups existed has none.
    expect(groupSeriesRows(emptyBucket(1))).toEqual([]);
  });
});

describe("summarize", () => {
  it("computes success and registration rates, group breakdown and setup-time percentiles", () => {
    const s = summarize([
      { group: "A", role: "CALLER", phase: "CLOSED", outcome: "SUCCESS", timings: { time_to_register_ms: 5, call_setup_time_ms: 100 }, callAverages: { mos: 4.4 } },
      { group: "A", role: "CALLER", phase: "CLOSED", outcome: "CALL_FAILED", timings: { time_to_register_ms: 5 }, callAverages: {} },
      { group: "B", role: "RECEIVER", phase: "CLOSED", outcome: "REGISTRATION_FAILED", timings: {}, callAverages: {} },
      { group: "B", role: "RECEIVER", phase: "CLOSED", outcome: "SUCCESS", timings: { time_to_register_ms: 7 }, callAverages: { mos: 4.2 } },
    ]);
    expect(s.callSuccessRate).toBe(50);
    expect(s.registrationRate).toBe(75);
    expect(s.mos).toBe(4.3);
    expect(s.outcomeCounts).toEqual({ SUCCESS: 2, CALL_FAILED: 1, REGISTRATION_FAILED: 1 });
    expect(s.phaseCounts.CLOSED).toBe(4);
    expect(s.groups.map((g) => [g.name, g.mos])).toEqual([["A", 4.4], ["B", 4.2]]);
    expect(s.setupTimeMs).toEqual({ p50: 100, p95: 100 });
  });
  it("uses nearest-rank percentiles", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile([], 50)).toBeNull();
  });
});
