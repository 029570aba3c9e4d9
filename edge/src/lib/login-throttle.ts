/**
 * Sign-in lock-out against password guessing. Two counters per attempt:
 *  - the (email, client address) pair: 5 failures within 15 minutes lock that pair for 15 minutes
 *    (a guesser is stopped; the owner signing in from elsewhere is not locked out by them);
 *  - the client address alone: 50 failures within 15 minutes lock the address (one address
 *    spraying many emails).
 * A success clears the pair's counter. Pure arithmetic here; the route keeps rows in libSQL.
 */
export const LOGIN_THROTTLE = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxPerPair: 5,
  maxPerAddress: 50,
} as const;

export interface ThrottleState {
  failures: number;
  /** When the current counting window started (epoch ms). */
  windowStart: number;
  /** Locked until this time (epoch ms), or null. */
  lockedUntil: number | null;
}

export const pairKey = (email: string, address: string) => `email:${email.toLowerCase()}|ip:${address}`;
export const addressKey = (address: string) => `ip:${address}`;

/** Milliseconds the key stays locked from `now` (0 = not locked). */
export function lockedForMs(state: ThrottleState | null | undefined, now: number): number {
  return state?.lockedUntil != null && state.lockedUntil > now ? state.lockedUntil - now : 0;
}

/** The state after one more failure at `now`; `max` failures within the window lock the key. */
export function afterFailure(state: ThrottleState | null | undefined, now: number, max: number): ThrottleState {
  const fresh = !state || now - state.windowStart >= LOGIN_THROTTLE.windowMs;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStart = fresh ? now : state.windowStart;
  return { failures, windowStart, lockedUntil: failures >= max ? now + LOGIN_THROTTLE.lockMs : (state?.lockedUntil ?? null) };
}

/** The refusal for a locked key, rounded up to whole minutes. */
export function lockedMessage(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `too many failed sign-ins from this address; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}
