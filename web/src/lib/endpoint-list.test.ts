import { describe, expect, it } from "vitest";
import type { LiveEndpoint } from "../../../protocol/index.js";
import { nextSort, searchEndpoints, sortEndpoints, visibleRange } from "./endpoint-list.js";

const ep = (id: string, o: Partial<LiveEndpoint> = {}): LiveEndpoint => ({
  id, group: "callers", index: Number(id.slice(1)), username: `10${id.slice(1)}`, role: "CALLER", phase: "INCALL", outcome: null, statusCode: null, mos: null, ...o,
});
const list = [
  ep("e0", { mos: 4.1, statusCode: 200, phase: "CLOSED", outcome: "SUCCESS" }),
  ep("e1", { mos: 2.9, statusCode: 486, phase: "CLOSED", outcome: "CALL_FAILED" }),
  ep("e2", { mos: null, phase: "RINGING" }),
  ep("e3", { group: "answerers", index: 0, username: "2000", role: "RECEIVER", mos: 4.4 }),
];
const ids = (l: LiveEndpoint[]) => l.map((e) => e.id);

describe("endpoint list model", () => {
  it("sorts by MOS both ways with missing values last", () => {
    expect(ids(sortEndpoints(list, { key: "mos", dir: "asc" }))).toEqual(["e1", "e0", "e3", "e2"]);
    expect(ids(sortEndpoints(list, { key: "mos", dir: "desc" }))).toEqual(["e3", "e0", "e1", "e2"]);
  });
  it("sorts by jitter, loss and RTT with missing values last", () => {
    const l = [ep("e0", { jitter_ms: 5, fraction_lost: 0, rtt_ms: 40 }), ep("e1", { jitter_ms: 50, fraction_lost: 3.5, rtt_ms: 300 }), ep("e2"), ep("e3", { jitter_ms: 1, fraction_lost: 1, rtt_ms: null })];
    expect(ids(sortEndpoints(l, { key: "jitter_ms", dir: "desc" }))).toEqual(["e1", "e0", "e3", "e2"]);
    expect(ids(sortEndpoints(l, { key: "fraction_lost", dir: "asc" }))).toEqual(["e0", "e3", "e1", "e2"]);
    expect(ids(sortEndpoints(l, { key: "rtt_ms", dir: "asc" })).slice(0, 2)).toEqual(["e0", "e1"]);
  });
  it("sorts phases in protocol order, outcomes by severity, users naturally", () => {
    expect(ids(sortEndpoints(list, { key: "phase", dir: "asc" }))).toEqual(["e2", "e3", "e0", "e1"]);
    expect(ids(sortEndpoints(list, { key: "outcome", dir: "desc" }))).toEqual(["e1", "e0", "e3", "e2"]);
    expect(ids(sortEndpoints(list, { key: "username", dir: "asc" }))).toEqual(["e0", "e1", "e2", "e3"]);
    expect(ids(sortEndpoints(list, { key: "group", dir: "asc" }))).toEqual(["e3", "e0", "e1", "e2"]);
    expect(ids(sortEndpoints(list, { key: "group", dir: "desc" }))).toEqual(["e2", "e1", "e0", "e3"]);
  });
  it("searches account, group #index and id, ignoring case", () => {
    expect(ids(searchEndpoints(list, "2000"))).toEqual(["e3"]);
    expect(ids(searchEndpoints(list, "CALLERS #1"))).toEqual(["e1"]);
    expect(ids(searchEndpoints(list, "  "))).toEqual(ids(list));
    expect(searchEndpoints(list, "nobody")).toEqual([]);
  });
  it("computes the rows in view with overscan, clamped to the list", () => {
    expect(visibleRange(0, 360, 36, 10_000, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(36 * 100, 360, 36, 10_000, 5)).toEqual({ start: 95, end: 115 });
    expect(visibleRange(36 * 9_999, 360, 36, 10_000, 5)).toEqual({ start: 9_994, end: 10_000 });
    expect(visibleRange(500, 360, 36, 3, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 360, 36, 0, 5)).toEqual({ start: 0, end: 0 });
  });
  it("flips the direction on a second click", () => {
    expect(nextSort({ key: "group", dir: "asc" }, "mos")).toEqual({ key: "mos", dir: "asc" });
    expect(nextSort({ key: "mos", dir: "asc" }, "mos")).toEqual({ key: "mos", dir: "desc" });
  });
});
