/**
 * Plan limits and credits, pure. An org's plan caps what one test may ask for (endpoints, call
 * duration) and what may run at once (runs per project, runs per org, endpoints across the org's
 * running tests); credits pay for usage, one credit per endpoint-minute. A run reserves its
 * estimated usage when admitted and is charged what it actually used when it ends.
 * QuotaObject (one per org) applies these functions one call at a time, which makes reserve atomic.
 */
import type { CannotRunReason, PlanLimits } from "../../../protocol/index.js";

/** Defined in the contract (protocol/api.ts) because `GET /plan` returns them. */
export type { PlanLimits };

/** Generous limits for a self-hosted install; a hosted deployment sets its own per org. */
export const SELF_HOSTED_LIMITS: PlanLimits = {
  maxEndpointsPerTest: 10_000,
  maxDurationSec: 86_400,
  maxConcurrentRunsPerProject: 10,
  maxConcurrentRunsPerOrg: 20,
  maxConcurrentEndpoints: 50_000,
};

export interface Reservation {
  runId: string;
  projectId: string;
  endpoints: number;
  /** Credits set aside for the run (its estimate). */
  credits: number;
}
export interface QuotaState {
  /** Credits left, not counting reservations. */
  balance: number;
  reservations: Reservation[];
}
export type QuotaDecision =
  | { ok: true; state: QuotaState }
  | { ok: false; reasonCode: CannotRunReason; reason: string };

/** Credits for a usage: endpoints × minutes, minutes rounded up (a 20 s call costs one endpoint-minute). */
export function creditsFor(endpoints: number, durationSec: number): number {
  return endpoints * Math.ceil(durationSec / 60);
}

/** Limits on the test itself, checked before anything is reserved. */
export function checkTestLimits(limits: PlanLimits, endpoints: number, durationSec: number): { ok: true } | { ok: false; reasonCode: CannotRunReason; reason: string } {
  if (endpoints > limits.maxEndpointsPerTest)
    return { ok: false, reasonCode: "PLAN_LIMIT_ENDPOINTS", reason: `The test has ${endpoints} endpoints; your plan allows ${limits.maxEndpointsPerTest} per test.` };
  if (durationSec > limits.maxDurationSec)
    return { ok: false, reasonCode: "PLAN_LIMIT_DURATION", reason: `The test lasts ${durationSec} s; your plan allows ${limits.maxDurationSec} s.` };
  return { ok: true };
}

export function reserve(state: QuotaState, limits: PlanLimits, r: Reservation): QuotaDecision {
  const others = state.reservations.filter((x) => x.runId !== r.runId);
  const inProject = others.filter((x) => x.projectId === r.projectId).length;
  if (inProject >= limits.maxConcurrentRunsPerProject)
    return { ok: false, reasonCode: "PLAN_LIMIT_CONCURRENT_RUNS_PROJECT", reason: `${inProject} runs are already running in this project; your plan allows ${limits.maxConcurrentRunsPerProject} at once.` };
  if (others.length >= limits.maxConcurrentRunsPerOrg)
    return { ok: false, reasonCode: "PLAN_LIMIT_CONCURRENT_RUNS_ORG", reason: `${others.length} runs are already running in this organization; your plan allows ${limits.maxConcurrentRunsPerOrg} at once.` };
  const busy = others.reduce((n, x) => n + x.endpoints, 0);
  if (busy + r.endpoints > limits.maxConcurrentEndpoints)
    return { ok: false, reasonCode: "PLAN_LIMIT_CONCURRENT_ENDPOINTS", reason: `Running tests already use ${busy} endpoints; this one needs ${r.endpoints} more and your plan allows ${limits.maxConcurrentEndpoints} at once.` };
  const held = others.reduce((n, x) => n + x.credits, 0);
  const available = state.balance - held;
  if (r.credits > available)
    return { ok: false, reasonCode: "INSUFFICIENT_CREDITS", reason: `This run needs about ${r.credits} credits (endpoint-minutes) and ${Math.max(0, available)} are available.` };
  return { ok: true, state: { balance: state.balance, reservations: [...others, r] } };
}

/** End of a run: drop its reservation and charge what it used (never more than was reserved). */
export function release(state: QuotaState, runId: string, usedCredits: number): { state: QuotaState; charged: number } {
  const r = state.reservations.find((x) => x.runId === runId);
  if (!r) return { state, charged: 0 }; // already released: releasing twice charges once
  const charged = Math.max(0, Math.min(r.credits, Math.ceil(usedCredits)));
  return { state: { balance: state.balance - charged, reservations: state.reservations.filter((x) => x.runId !== runId) }, charged };
}
