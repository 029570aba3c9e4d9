/**
 * The endpoint model's two rules, used by the agent (which drives endpoints) and the run object
 * (which must never let a late or duplicated frame move an endpoint backwards).
 * - phase is forward-only;
 * - outcome is set once and only replaced by a strictly more severe one.
 */
import { ENDPOINT_PHASES, OUTCOME_SEVERITY, type EndpointOutcome, type EndpointPhase } from "./enums.js";

const PHASE_INDEX: Record<EndpointPhase, number> = Object.fromEntries(
  ENDPOINT_PHASES.map((p, i) => [p, i]),
) as Record<EndpointPhase, number>;

export function phaseIndex(phase: EndpointPhase): number {
  return PHASE_INDEX[phase];
}

/** The phase an endpoint is in after observing `next`: never earlier than `current`. */
export function advancePhase(current: EndpointPhase, next: EndpointPhase): EndpointPhase {
  return PHASE_INDEX[next] > PHASE_INDEX[current] ? next : current;
}

/** Outcome after observing `next`: the first one sticks unless a strictly more severe one arrives. */
export function mergeOutcome(
  current: EndpointOutcome | null | undefined,
  next: EndpointOutcome | null | undefined,
): EndpointOutcome | null {
  if (!next) return current ?? null;
  if (!current) return next;
  return OUTCOME_SEVERITY[next] > OUTCOME_SEVERITY[current] ? next : current;
}

export const isErrorOutcome = (o: EndpointOutcome | null | undefined): boolean =>
  o != null && OUTCOME_SEVERITY[o] >= 10;
