/**
 * Dashboard sessions: the pure parts (lifetime arithmetic, the cookie's text, CSRF's origin rule).
 * The cookie carries a random secret; the database keeps only its SHA-256 (db/tokens.ts hashToken).
 */

export const SESSION_COOKIE = "rf_session";
/** A session lives this long after its last use (sliding expiry). */
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
/** Moving the expiry forward is a write; do it at most this often per session. */
export const SESSION_TOUCH_INTERVAL_MS = 3600 * 1000;
/** Bytes of randomness in a session secret. */
export const SESSION_SECRET_BYTES = 32;

export function generateSessionSecret(): string {
  const b = crypto.getRandomValues(new Uint8Array(SESSION_SECRET_BYTES));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export interface SessionTimes {
  expiresAt: string;
  lastUsedAt: string;
  revokedAt: string | null;
}

export const newSessionTimes = (now: number): { createdAt: string; expiresAt: string; lastUsedAt: string } => ({
  createdAt: new Date(now).toISOString(),
  expiresAt: new Date(now + SESSION_TTL_MS).toISOString(),
  lastUsedAt: new Date(now).toISOString(),
});

/** Revoked, or past its expiry. */
export function isSessionDead(s: SessionTimes, now: number): boolean {
  return s.revokedAt !== null || Date.parse(s.expiresAt) <= now;
}

/**
 * What to write back when a live session is used: a new last-used time and expiry (sliding), or
 * null when it was touched recently enough that the write is not worth it.
 */
export function touchSession(s: SessionTimes, now: number): { expiresAt: string; lastUsedAt: string } | null {
  if (now - Date.parse(s.lastUsedAt) < SESSION_TOUCH_INTERVAL_MS) return null;
  return { expiresAt: new Date(now + SESSION_TTL_MS).toISOString(), lastUsedAt: new Date(now).toISOString() };
}

/** `Set-Cookie` for a session: HttpOnly, SameSite=Lax, Path=/, Secure on https, Max-Age to the expiry. */
export function sessionCookie(secret: string, expiresAt: string, now: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000));
  return `${SESSION_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

/** `Set-Cookie` that removes the session cookie. */
export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}

/** The session secret from a `Cookie` header, if it looks like one of ours. */
export function sessionSecretFrom(cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const v = part.slice(eq + 1).trim();
    if (/^[0-9a-f]{64}$/.test(v)) return v;
  }
  return null;
}

/** Methods that change nothing, so need no CSRF check. */
export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF rule for cookie-authenticated requests: the browser's `Origin` must be this server's own
 * origin. Returns null when allowed, else the reason. (SameSite=Lax already keeps the cookie off
 * cross-site POSTs in current browsers; this is the second lock.)
 */
export function csrfProblem(method: string, requestUrl: string, origin: string | null | undefined): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const own = new URL(requestUrl).origin;
  if (!origin) return `cross-site request refused: a cookie-authenticated ${method} must carry an Origin header (${own}); automation should use Authorization: Bearer`;
  if (origin !== own) return `cross-site request refused: Origin ${origin} does not match ${own}`;
  return null;
}
