import { describe, expect, it } from "vitest";
import type { PlanInfo } from "../../../protocol/index.js";
import { estimateCredits, planErrors } from "./plan.js";

const plan = (over: Partial<PlanInfo["limits"]> = {}, balance: number | null = null): PlanInfo => ({
  limits: { maxEndpointsPerTest: 100, maxDurationSec: 600, maxConcurrentRunsPerProject: 2, maxConcurrentRunsPerOrg: 4, maxConcurrentEndpoints: 500, ...over },
  credits: { balance, reserved: 10 },
  usage: { runningRuns: 0, runningEndpoints: 0 },
});

describe("planErrors", () => {
  it("is quiet within the limits and without a plan", () => {
    expect(planErrors(plan(), 100, 600)).toEqual({});
    expect(planErrors(null, 1e6, 1e6)).toEqual({});
  });
  it("names the field over a limit", () => {
    expect(planErrors(plan(), 101, 601)).toEqual({
      durationSec: "your plan allows calls of at most 600 s",
      groups: "101 endpoints in total; your plan allows 100 per test",
    });
  });
  it("checks credits (endpoints × minutes, buildup included) against what is left after reservations", () => {
    expect(estimateCredits(10, 61)).toBe(20);
    expect(planErrors(plan({}, 30), 10, 60)).toEqual({}); // 10 needed, 20 free
    expect(planErrors(plan({}, 30), 10, 60, 60)).toEqual({}); // 20 needed, 20 free
    expect(planErrors(plan({}, 30), 10, 120, 60)).toEqual({ groups: "a run needs about 30 credits (endpoints × minutes); 20 are left" });
  });
});
