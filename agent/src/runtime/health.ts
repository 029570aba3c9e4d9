/**
 * The agent's own health, reported with each heartbeat as a fault (status ERROR on the edge) or
 * null. Pure: it is fed observations and a clock, so the rules are unit-tested without sockets.
 *
 * Rules (documented in the README's "Agent statuses"):
 *  - a socket that cannot be opened for lack of file descriptors (EMFILE, ENFILE) → SOCKET_LIMIT;
 *    any other failure to open a socket → SOCKET_ERROR. Either holds until FAULT_HOLD_MS passed
 *    without a new failure: with no work the agent would not fail again, and flipping back to
 *    ONLINE at once would only get it more endpoints it cannot open sockets for.
 *  - event-loop lag above OVERLOAD_LAG_MS in OVERLOAD_CHECKS consecutive heartbeats → OVERLOADED
 *    (RTP pacing and jitter figures would measure us, not the system under test); clears at the
 *    first heartbeat under the limit.
 */
import type { AgentFault } from "../../../protocol/index.js";

export const FAULT_HOLD_MS = 60_000;
export const OVERLOAD_LAG_MS = 250;
export const OVERLOAD_CHECKS = 3;

const LIMIT_CODES = new Set(["EMFILE", "ENFILE"]);

export class HealthMonitor {
  private socketFault: { fault: AgentFault; at: number } | null = null;
  private windowLagMs = 0;
  private laggyChecks = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A SIP or RTP socket could not be opened. */
  socketFailed(err: unknown): void {
    const code = (err as { code?: unknown } | null)?.code;
    const detail = err instanceof Error ? err.message : String(err);
    const fault: AgentFault =
      typeof code === "string" && LIMIT_CODES.has(code)
        ? { code: "SOCKET_LIMIT", message: `cannot open more sockets (${code}: ${detail}); raise the open-files limit (ulimit -n) or lower this agent's capacity` }
        : { code: "SOCKET_ERROR", message: `cannot open a socket (${typeof code === "string" ? code : "error"}: ${detail})` };
    this.socketFault = { fault: { ...fault, message: fault.message.slice(0, 500) }, at: this.now() };
  }

  /** Every load sample's loop lag (frames and heartbeats both sample). */
  observeLag(ms: number): void {
    this.windowLagMs = Math.max(this.windowLagMs, ms);
  }

  /** Called once per heartbeat: the fault to report, or null. */
  check(): AgentFault | null {
    this.laggyChecks = this.windowLagMs > OVERLOAD_LAG_MS ? this.laggyChecks + 1 : 0;
    const lag = this.windowLagMs;
    this.windowLagMs = 0;
    if (this.socketFault && this.now() - this.socketFault.at > FAULT_HOLD_MS) this.socketFault = null;
    if (this.socketFault) return this.socketFault.fault;
    if (this.laggyChecks >= OVERLOAD_CHECKS)
      return { code: "OVERLOADED", message: `event loop lagged ${Math.round(lag)} ms (limit ${OVERLOAD_LAG_MS} ms) for ${this.laggyChecks} heartbeats in a row; lower this agent's capacity` };
    return null;
  }
}
