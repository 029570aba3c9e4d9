/**
 * Session timers (RFC 4028): header parsing, the negotiation rules of §7 (UAC) and §9 (UAS), and
 * the per-dialog clock — the refresher refreshes at half the interval (§10), the other side sends
 * BYE shortly before the interval runs out without a refresh (§10).
 */
import type { SipHeaders } from "../message.js";

/** Anything with header fields: a request, a response, or a RequestResult's headers. */
export interface HasHeaders {
  headers: SipHeaders;
}
import { parseParams, toUint } from "../header-values.js";
import { SESSION_EXPIRES_DEFAULT_SEC, SESSION_MIN_SE_SEC, sessionExpiryDelayMs, sessionRefreshDelayMs } from "../timers.js";
import { TimerSet } from "../transaction/timer-set.js";
import { hasOptionTag } from "./build.js";
import type { SessionTimerOptions, SessionTimerState } from "./types.js";

export interface SessionExpires {
  delta: number;
  refresher: "uac" | "uas" | null;
}

/** `Session-Expires: delta-seconds *(;se-params)` (RFC 4028 §4); null when absent or malformed. */
export function parseSessionExpires(msg: HasHeaders): SessionExpires | null {
  const v = msg.headers.get("session-expires");
  if (v === undefined) return null;
  const semi = v.indexOf(";");
  const delta = toUint(semi < 0 ? v : v.slice(0, semi));
  if (delta === null || delta === 0) return null;
  const params = semi < 0 ? {} : parseParams(v.slice(semi));
  const r = params?.refresher?.toLowerCase();
  return { delta, refresher: r === "uac" || r === "uas" ? r : null };
}

/** `Min-SE: delta-seconds` (RFC 4028 §5); null when absent. */
export function parseMinSE(msg: HasHeaders): number | null {
  const v = msg.headers.get("min-se");
  if (v === undefined) return null;
  const semi = v.indexOf(";");
  return toUint(semi < 0 ? v : v.slice(0, semi));
}

export const supportsTimer = (msg: HasHeaders) => hasOptionTag(msg.headers.getAll("supported"), "timer");
export const requiresTimer = (msg: HasHeaders) => hasOptionTag(msg.headers.getAll("require"), "timer");

/** Our options with the RFC 4028 §4 defaults filled in. */
export function sessionConfig(o: SessionTimerOptions | undefined): Required<Omit<SessionTimerOptions, "refresher">> & { refresher: "uac" | "uas" | null } {
  return {
    expires: o?.expires ?? SESSION_EXPIRES_DEFAULT_SEC,
    minSE: o?.minSE ?? SESSION_MIN_SE_SEC,
    refresher: o?.refresher ?? null,
    method: o?.method ?? "UPDATE",
  };
}

/** Header fields a request that asks for (or refreshes) a session timer carries (RFC 4028 §7.1, §7.4). */
export function requestTimerHeaders(intervalSec: number, minSE: number, refresher: "uac" | "uas" | null): [string, string][] {
  return [
    ["Session-Expires", refresher ? `${intervalSec};refresher=${refresher}` : String(intervalSec)],
    ["Min-SE", String(minSE)],
  ];
}

/**
 * RFC 4028 §7.2: what a 2xx to our INVITE/UPDATE settles. No Session-Expires: no timer. A
 * Session-Expires without `Require: timer` was inserted by a proxy for a UAS that does not know the
 * extension, so we (the UAC of this transaction) refresh.
 */
export function negotiatedByResponse(res: HasHeaders): { intervalSec: number; refresherIsUs: boolean } | null {
  const se = parseSessionExpires(res);
  if (!se) return null;
  const refresher = requiresTimer(res) ? (se.refresher ?? "uac") : "uac";
  return { intervalSec: se.delta, refresherIsUs: refresher === "uac" };
}

/**
 * RFC 4028 §9: how we (UAS of this transaction) answer a request's session timer. `null` when
 * there is none to run; `tooSmall` (→ 422 with our Min-SE) when it asks for less than our Min-SE.
 * `grant` is used when the request has no Session-Expires but we want one (initial INVITE only).
 */
export function negotiateAsUas(
  req: HasHeaders,
  minSE: number,
  grant: { expires: number; refresher: "uac" | "uas" | null } | null,
): { tooSmall: true } | { tooSmall: false; intervalSec: number; refresher: "uac" | "uas"; require: boolean } | null {
  const se = parseSessionExpires(req);
  const peerSupports = supportsTimer(req) || requiresTimer(req);
  if (se) {
    if (se.delta < minSE) return { tooSmall: true };
    // The requester said who refreshes, or left it to us: a UAC that knows the extension refreshes
    // its own requests (our preference may say otherwise); one that does not, cannot — we do.
    const refresher = se.refresher ?? (peerSupports ? (grant?.refresher ?? "uac") : "uas");
    return { tooSmall: false, intervalSec: se.delta, refresher, require: peerSupports };
  }
  if (!grant) return null;
  // §9: with no Session-Expires in the request we may still ask for one in the 2xx (at least the
  // request's Min-SE), and we must refresh ourselves unless the UAC supports the extension.
  const interval = Math.max(grant.expires, parseMinSE(req) ?? 0, minSE);
  return { tooSmall: false, intervalSec: interval, refresher: peerSupports ? (grant.refresher ?? "uac") : "uas", require: peerSupports };
}

/** The running session timer of one dialog. */
export class SessionClock {
  intervalSec = 0;
  refresherIsUs = false;
  refreshes = 0;
  private timers = new TimerSet<"refresh" | "expire">();

  constructor(private hooks: { refresh(): void; expire(): void }) {}

  get state(): SessionTimerState | null {
    return this.intervalSec > 0 ? { intervalSec: this.intervalSec, refresher: this.refresherIsUs ? "local" : "remote", refreshes: this.refreshes } : null;
  }

  /** (Re)starts the clock after a successful (re-)negotiation; interval 0 turns it off. */
  start(intervalSec: number, refresherIsUs: boolean): void {
    this.timers.clear();
    this.intervalSec = intervalSec;
    this.refresherIsUs = refresherIsUs;
    if (intervalSec <= 0) return;
    if (refresherIsUs) this.timers.start("refresh", sessionRefreshDelayMs(intervalSec), () => this.hooks.refresh());
    // Both sides end the session if it is not refreshed in time (the refresher's refresh may fail too).
    this.timers.start("expire", sessionExpiryDelayMs(intervalSec), () => this.hooks.expire());
  }

  stop(): void {
    this.timers.clear();
  }
}
