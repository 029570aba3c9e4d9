/**
 * The run's status machine (authoritative in RunObject), pure. One transition function with the
 * legal predecessors listed, so an impossible transition is a bug that throws, not a silent state.
 */
import type { RunStatus } from "../../../protocol/index.js";

const LEGAL_FROM: Record<RunStatus, readonly RunStatus[]> = {
  PENDING: [],
  QUEUED: ["PENDING"],
  RUNNING: ["QUEUED"],
  STOPPING: ["QUEUED", "RUNNING"],
  COMPLETED: ["RUNNING", "STOPPING"],
  FAILED: ["PENDING", "QUEUED", "RUNNING", "STOPPING"],
  CANNOT_RUN_FOR_NOW: ["PENDING"],
};

export class IllegalRunTransition extends Error {
  constructor(readonly from: RunStatus, readonly to: RunStatus) {
    super(`illegal run transition ${from} → ${to}`);
  }
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return LEGAL_FROM[to].includes(from);
}

export function transition(from: RunStatus, to: RunStatus): RunStatus {
  if (!canTransition(from, to)) throw new IllegalRunTransition(from, to);
  return to;
}

/**
 * Bounds on every wait (seconds). A run never waits forever for an agent or an endpoint:
 * each deadline fires an alarm that moves the run on.
 */
export const RUN_DEADLINES = {
  /** QUEUED: allocated agents must join the run socket within this. */
  agentJoinSec: 30,
  /** Receivers must register within this after dispatch before callers are dispatched anyway. */
  receiverRegistrationSec: 20,
  /** An agent whose socket closed may rejoin within this before its endpoints are marked OSERROR. */
  agentRejoinSec: 30,
  /** After the call duration, endpoints get this long to tear down (BYE, de-register, final frames). */
  teardownSec: 30,
  /** Margin for registration and call setup on top of buildup + duration. */
  setupMarginSec: 40,
  /** STOPPING: agents get this long to hang up and flush before the run completes anyway. */
  stopSec: 30,
  /** Writing results to the database is retried with back-off: first retry after this… */
  persistRetrySec: 2,
  /** …doubling up to this. */
  persistRetryMaxSec: 60,
} as const;

/** Delay before persist attempt `failures + 1`: 2, 4, 8, … capped at 60 s. */
export function persistRetryDelaySec(failures: number): number {
  return Math.min(RUN_DEADLINES.persistRetryMaxSec, RUN_DEADLINES.persistRetrySec * 2 ** Math.max(0, failures - 1));
}
