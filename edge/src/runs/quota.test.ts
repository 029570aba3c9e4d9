import { describe, expect, it } from "vitest";
import { checkTestLimits, creditsFor, release, reserve, type PlanLimits, type QuotaState } from "./quota.js";

const limits: PlanLimits = { maxEndpointsPerTest: 100, maxDurationSec: 600, maxConcurrentRunsPerProject: 2, maxConcurrentRunsPerOrg: 3, maxConcurrentEndpoints: 150 };
const empty: QuotaState = { balance: 1000, reservations: [] };
const r = (runId: string, projectId: string, endpoints: number, credits = endpoints) => ({ runId, projectId, endpoints, credits });

describe("quota arithmetic", () => {
  it("prices usage in endpoint-minutes, rounding minutes up", () => {
    expect(creditsFor(10, 20)).toBe(10);
    expect(creditsFor(10, 61)).toBe(20);
  });
  it("checks per-test limits with a sentence naming the numbers", () => {
    expect(checkTestLimits(limits, 101, 60)).toMatchObject({ ok: false, reasonCode: "PLAN_LIMIT_ENDPOINTS", reason: expect.stringContaining("allows 100 per test") });
    expect(checkTestLimits(limits, 10, 601)).toMatchObject({ ok: false, reasonCode: "PLAN_LIMIT_DURATION" });
    expect(checkTestLimits(limits, 100, 600)).toEqual({ ok: true });
  });
  it("enforces concurrent runs per project, per org, and concurrent endpoints", () => {
    let s = empty;
    for (const x of [r("a", "p1", 10), r("b", "p1", 10)]) {
      const d = reserve(s, limits, x);
      if (!d.ok) throw new Error(d.reason);
      s = d.state;
    }
    expect(reserve(s, limits, r("c", "p1", 10))).toMatchObject({ ok: false, reasonCode: "PLAN_LIMIT_CONCURRENT_RUNS_PROJECT" });
    const d = reserve(s, limits, r("c", "p2", 10));
    if (!d.ok) throw new Error(d.reason);
    expect(reserve(d.state, limits, r("d", "p3", 10))).toMatchObject({ ok: false, reasonCode: "PLAN_LIMIT_CONCURRENT_RUNS_ORG" });
    expect(reserve(s, limits, r("c", "p2", 131))).toMatchObject({ ok: false, reasonCode: "PLAN_LIMIT_CONCURRENT_ENDPOINTS" });
  });
  it("holds credits for running runs and refuses what the balance cannot cover", () => {
    const d = reserve({ balance: 50, reservations: [] }, limits, r("a", "p1", 10, 40));
    if (!d.ok) throw new Error(d.reason);
    expect(reserve(d.state, limits, r("b", "p2", 10, 11))).toMatchObject({ ok: false, reasonCode: "INSUFFICIENT_CREDITS", reason: expect.stringContaining("10 are available") });
  });
  it("charges actual use on release, at most the reservation, and only once", () => {
    const d = reserve(empty, limits, r("a", "p1", 10, 40));
    if (!d.ok) throw new Error(d.reason);
    const once = release(d.state, "a", 12.2);
    expect(once.charged).toBe(13);
    expect(once.state).toEqual({ balance: 987, reservations: [] });
    expect(release(once.state, "a", 12).charged).toBe(0);
    expect(release(reserve(empty, limits, r("b", "p1", 1, 5)).ok ? { balance: 1000, reservations: [r("b", "p1", 1, 5)] } : empty, "b", 99).charged).toBe(5);
  });
  it("re-reserving the same run replaces its reservation (an admission retried after a crash)", () => {
    const d1 = reserve(empty, limits, r("a", "p1", 10));
    if (!d1.ok) throw new Error();
    const d2 = reserve(d1.state, limits, r("a", "p1", 20));
    expect(d2.ok && d2.state.reservations).toEqual([r("a", "p1", 20)]);
  });
});
