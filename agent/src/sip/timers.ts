/**
 * RFC 3261 §17 timer values (Table 4 of RFC 3261 §A) for an unreliable transport, plus the
 * RFC 6026 timers of the Accepted states. All derive from T1/T2/T4 so tests can shrink them.
 */
export interface TimerBase {
  /** RTT estimate, 500 ms (RFC 3261 §17.1.1.1). */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, 4 s (§17.1.2.2). */
  t2: number;
  /** Maximum time a message remains in the network, 5 s (§17.1.2.2). */
  t4: number;
}

export const DEFAULT_TIMERS: TimerBase = { t1: 500, t2: 4000, t4: 5000 };

export interface TimerValues {
  /** T2: the cap of the Timer E and G back-off (§17.1.2.2, §17.2.1). */
  T2: number;
  /** Timer A: INVITE request retransmit interval, initially T1, doubling (§17.1.1.2). */
  A: number;
  /** Timer B: INVITE transaction timeout, 64*T1 (§17.1.1.2). */
  B: number;
  /** Timer D: wait time for response retransmits in Completed, > 32 s for UDP (§17.1.1.2). */
  D: number;
  /** Timer E: non-INVITE request retransmit interval, T1 doubling up to T2 (§17.1.2.2). */
  E: number;
  /** Timer F: non-INVITE transaction timeout, 64*T1 (§17.1.2.2). */
  F: number;
  /** Timer G: INVITE response retransmit interval, T1 doubling up to T2 (§17.2.1). */
  G: number;
  /** Timer H: wait time for ACK receipt, 64*T1 (§17.2.1). */
  H: number;
  /** Timer I: wait time for ACK retransmits in Confirmed, T4 for UDP (§17.2.1). */
  I: number;
  /** Timer J: wait time for non-INVITE request retransmits, 64*T1 for UDP (§17.2.2). */
  J: number;
  /** Timer K: wait time for response retransmits (non-INVITE client), T4 for UDP (§17.1.2.2). */
  K: number;
  /** Timer L: INVITE server Accepted state lifetime, 64*T1 (RFC 6026 §8.7). */
  L: number;
  /** Timer M: INVITE client Accepted state lifetime, 64*T1 (RFC 6026 §8.4). */
  M: number;
  /** Timer 100: the INVITE server transaction sends 100 Trying if the TU has not answered in 200 ms (§17.2.1). */
  trying: number;
}

export function timerValues(base: TimerBase = DEFAULT_TIMERS, reliable = false): TimerValues {
  const { t1, t4 } = base;
  return {
    T2: base.t2,
    A: t1,
    B: 64 * t1,
    // Timer D "> 32 s" is a fixed figure in the RFC (it covers the far side's Timer G/H), but we
    // scale it with T1 so shrunk test timers stay consistent; with T1 = 500 ms it is 32 s.
    D: reliable ? 0 : 64 * t1,
    E: t1,
    F: 64 * t1,
    G: t1,
    H: 64 * t1,
    I: reliable ? 0 : t4,
    J: reliable ? 0 : 64 * t1,
    K: reliable ? 0 : t4,
    L: 64 * t1,
    M: 64 * t1,
    trying: 200,
  };
}

// ---- user-agent timers above the transaction layer ------------------------------------------

/**
 * When to refresh a registration granted for `grantedSec` (RFC 3261 §10.2.4 leaves the margin to
 * the UA: "refresh before it expires"). We start the refresh at least Timer F before expiry, so even
 * a REGISTER that needs every retransmission still completes while the binding is valid; a grant
 * shorter than 2·F is refreshed at half its lifetime. With T1 = 500 ms: Expires 3600 → at 3568 s,
 * Expires 300 → at 268 s, Expires 60 → at 30 s.
 */
export function registerRefreshDelayMs(grantedSec: number, timerF: number): number {
  const lifetime = grantedSec * 1000;
  return lifetime - Math.min(timerF, lifetime / 2);
}

/** RFC 4028 §4/§5: the smallest Session-Expires / Min-SE a UA may ask for, 90 s. */
export const SESSION_MIN_SE_SEC = 90;
/** RFC 4028 §4: the recommended default session interval, 1800 s. */
export const SESSION_EXPIRES_DEFAULT_SEC = 1800;

/** RFC 4028 §10: the refresher sends its refresh once half the session interval has elapsed. */
export const sessionRefreshDelayMs = (intervalSec: number) => (intervalSec * 1000) / 2;

/**
 * RFC 4028 §10: the side that does not refresh sends BYE "before the session expires": at the
 * session interval minus the lesser of 32 s and a third of the interval.
 */
export const sessionExpiryDelayMs = (intervalSec: number) => intervalSec * 1000 - Math.min(32_000, (intervalSec * 1000) / 3);

/**
 * RFC 3262 §3: a reliable provisional response is retransmitted at T1, doubling (no T2 cap is
 * stated), and the UAS gives up after 64·T1 — the same schedule as a 2xx (§13.3.1.4).
 */
export const reliableProvisionalGiveUpMs = (t1: number) => 64 * t1;

/**
 * RFC 3261 §14.1: after a 491 to a re-INVITE, wait a random time before trying again: 2.1–4 s
 * when we own the Call-ID (we sent the dialog's first INVITE), 0–2 s otherwise (10 ms units).
 */
export function glareRetryDelayMs(ownsCallId: boolean, random = Math.random): number {
  const units = ownsCallId ? 210 + Math.floor(random() * 190) : Math.floor(random() * 200);
  return units * 10;
}
