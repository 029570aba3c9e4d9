import { describe, expect, it } from "vitest";
import type { LiveAggregate, LiveEndpoint, LiveRunState, LiveSnapshot, LiveTick } from "../../../protocol/index.js";
import { appendAggregate, elapsedSec, emptyLiveState, filterEndpoints, groupsOf, mergeEndpoints, reduceLive, MAX_SERIES_POINTS } from "./live-state.js";

const run = (over: Partial<LiveRunState> = {}): LiveRunState => ({
  runId: "r1", status: "RUNNING", reasonCode: null, reason: null, durationSec: 20, startedAt: 1_700_000_000_000, endedAt: null,
  phaseCounts: { INITIALIZING: 2 }, outcomeCounts: {}, ...over,
});
const ep = (id: string, over: Partial<LiveEndpoint> = {}): LiveEndpoint => ({
  id, group: "g", index: Number(id.replace(/\D/g, "")) || 0, username: `u${id}`, role: "CALLER", phase: "INITIALIZING", outcome: null, statusCode: null, mos: null, ...over,
});
const agg = (t: number, mos = 4.2): LiveAggregate => ({ t, mos, jitter_ms: 2, fraction_lost: 0, rtt_ms: 20, reporting: 2 });
const snapshot = (over: Partial<LiveSnapshot> = {}): LiveSnapshot => ({ v: 1, type: "snapshot", run: run(), series: [agg(10), agg(11)], endpoints: [ep("e2"), ep("e1")], ...over });
const tick = (over: Partial<LiveTick> = {}): LiveTick => ({ v: 1, type: "tick", run: run(), aggregate: null, endpoints: [], ...over });

describe("live-state reducer", () => {
  it("a snapshot replaces everything and sorts endpoints by group and index", () => {
    const s = reduceLive(emptyLiveState(), snapshot());
    expect(s.hasSnapshot).toBe(true);
    expect(s.series.map((p) => p.t)).toEqual([10, 11]);
    expect(s.endpoints.map((e) => e.id)).toEqual(["e1", "e2"]);
    const again = reduceLive(s, snapshot({ series: [agg(20)], endpoints: [ep("e9")] }));
    expect(again.series.map((p) => p.t)).toEqual([20]);
    expect(again.endpoints.map((e) => e.id)).toEqual(["e9"]);
  });

  it("a tick updates the run, appends one point and merges changed endpoints by id", () => {
    let s = reduceLive(emptyLiveState(), snapshot());
    s = reduceLive(s, tick({ run: run({ phaseCounts: { INCALL: 2 } }), aggregate: agg(12), endpoints: [ep("e1", { phase: "INCALL", mos: 4.3 })] }));
    expect(s.run?.phaseCounts).toEqual({ INCALL: 2 });
    expect(s.series.map((p) => p.t)).toEqual([10, 11, 12]);
    expect(s.endpoints.find((e) => e.id === "e1")).toMatchObject({ phase: "INCALL", mos: 4.3 });
    expect(s.endpoints.find((e) => e.id === "e2")?.phase).toBe("INITIALIZING");
  });

  it("a tick for the same second replaces the last point instead of adding one; null aggregates add nothing", () => {
    let s = reduceLive(emptyLiveState(), snapshot());
    s = reduceLive(s, tick({ aggregate: agg(11, 3.9) }));
    expect(s.series).toHaveLength(2);
    expect(s.series[1]!.mos).toBe(3.9);
    s = reduceLive(s, tick({ aggregate: null }));
    expect(s.series).toHaveLength(2);
  });

  it("keeps the series ascending when a late point arrives, and caps its length", () => {
    expect(appendAggregate([agg(1), agg(3)], agg(2)).map((p) => p.t)).toEqual([1, 2, 3]);
    expect(appendAggregate([agg(1), agg(3)], agg(1, 2)).map((p) => [p.t, p.mos])).toEqual([[1, 2], [3, 4.2]]);
    const long = Array.from({ length: MAX_SERIES_POINTS }, (_, i) => agg(i));
    const next = appendAggregate(long, agg(MAX_SERIES_POINTS));
    expect(next).toHaveLength(MAX_SERIES_POINTS);
    expect(next[0]!.t).toBe(1);
  });

  it("never moves an endpoint's phase backwards nor replaces an outcome with a milder one", () => {
    const cur = [ep("e1", { phase: "INCALL", outcome: "CALL_FAILED" })];
    const merged = mergeEndpoints(cur, [ep("e1", { phase: "CALLING", outcome: "SUCCESS", mos: 1 })]);
    expect(merged[0]).toMatchObject({ phase: "INCALL", outcome: "CALL_FAILED", mos: 1 });
  });

  it("adds endpoints a tick brings that the snapshot did not have, in order", () => {
    const merged = mergeEndpoints([ep("e1"), ep("e3")], [ep("e2")]);
    expect(merged.map((e) => e.id)).toEqual(["e1", "e2", "e3"]);
  });

  it("works from ticks alone (no snapshot yet) and ignores error messages", () => {
    const s = reduceLive(emptyLiveState(), tick({ aggregate: agg(5), endpoints: [ep("e1")] }));
    expect(s.hasSnapshot).toBe(false);
    expect(s.series).toHaveLength(1);
    expect(reduceLive(s, { type: "error" })).toBe(s);
  });

  it("does not mutate its input", () => {
    const s0 = reduceLive(emptyLiveState(), snapshot());
    const frozen = JSON.stringify(s0);
    reduceLive(s0, tick({ aggregate: agg(12), endpoints: [ep("e1", { phase: "INCALL" })] }));
    expect(JSON.stringify(s0)).toBe(frozen);
  });

  it("filters endpoints by group, phase and outcome (NONE = no outcome yet)", () => {
    const list = [ep("e1", { group: "a", phase: "INCALL" }), ep("e2", { group: "b", outcome: "TIMEOUT", phase: "CLOSED" }), ep("e3", { group: "b" })];
    expect(groupsOf(list)).toEqual(["a", "b"]);
    expect(filterEndpoints(list, { group: "b" }).map((e) => e.id)).toEqual(["e2", "e3"]);
    expect(filterEndpoints(list, { phase: "INCALL" }).map((e) => e.id)).toEqual(["e1"]);
    expect(filterEndpoints(list, { outcome: "TIMEOUT" }).map((e) => e.id)).toEqual(["e2"]);
    expect(filterEndpoints(list, { outcome: "NONE", group: "b" }).map((e) => e.id)).toEqual(["e3"]);
  });

  it("computes elapsed seconds from startedAt (ms or s), frozen at endedAt", () => {
    expect(elapsedSec({ startedAt: null, endedAt: null }, 5)).toBeNull();
    expect(elapsedSec({ startedAt: 1_700_000_000_000, endedAt: null }, 1_700_000_012_400)).toBe(12);
    expect(elapsedSec({ startedAt: 1_700_000_000, endedAt: 1_700_000_030 }, 1_800_000_000_000)).toBe(30);
  });
});
