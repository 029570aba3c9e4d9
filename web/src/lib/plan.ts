/**
 * The org's plan in the test editor: what this test would ask for against the limits the run's
 * admission checks (edge/src/runs/quota.ts), so the editor says so beside the fields instead of
 * the run ending CANNOT_RUN_FOR_NOW. Pure.
 */
import type { PlanInfo } from "../../../protocol/index.js";
import type { FieldErrors } from "./forms.js";

/** Credits a run reserves: one per endpoint-minute, minutes rounded up (edge/src/runs/quota.ts creditsFor). */
export const estimateCredits = (endpoints: number, seconds: number) => endpoints * Math.ceil(seconds / 60);

export function planErrors(plan: PlanInfo | null | undefined, totalEndpoints: number, durationSec: number | undefined, buildupSec = 0): FieldErrors {
  const errs: FieldErrors = {};
  if (!plan) return errs;
  const l = plan.limits;
  if (durationSec !== undefined && Number.isFinite(durationSec) && durationSec > l.maxDurationSec)
    errs.durationSec = `your plan allows calls of at most ${l.maxDurationSec} s`;
  if (totalEndpoints > l.maxEndpointsPerTest)
    errs.groups = `${totalEndpoints} endpoints in total; your plan allows ${l.maxEndpointsPerTest} per test`;
  else if (plan.credits.balance !== null && durationSec !== undefined && Number.isFinite(durationSec)) {
    const need = estimateCredits(totalEndpoints, buildupSec + durationSec);
    const free = plan.credits.balance - plan.credits.reserved;
    if (need > free) errs.groups = `a run needs about ${need} credits (endpoints × minutes); ${free} are left`;
  }
  return errs;
}
