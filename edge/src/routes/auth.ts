/**
 * Sign-in for people: `POST /auth/login` {email, password} sets the session cookie,
 * `POST /auth/logout` revokes it. Mounted before the auth middleware. API tokens are unaffected.
 */
import { Hono, type Context } from "hono";
import { eq, inArray, sql } from "drizzle-orm";
import { LoginRequest } from "../../../protocol/index.js";
import { newId, nowIso } from "../../../db/ids.js";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../../../db/passwords.js";
import { hashToken } from "../../../db/tokens.js";
import type { AppEnv } from "../app-env.js";
import { isHttps } from "../lib/auth.js";
import { schema } from "../lib/db.js";
import { ApiException } from "../lib/errors.js";
import { addressKey, afterFailure, LOGIN_THROTTLE, lockedForMs, lockedMessage, pairKey } from "../lib/login-throttle.js";
import { ok } from "../lib/respond.js";
import { clearSessionCookie, csrfProblem, generateSessionSecret, newSessionTimes, sessionCookie, sessionSecretFrom } from "../lib/sessions.js";
import { parseBody } from "../lib/validate.js";
import { meFor } from "./me.js";

/** One message for every failed login, so it does not tell whether the email has an account. */
export const LOGIN_FAILED = "email or password is incorrect";

/** A browser's sign-in or sign-out must come from our own page (login CSRF); clients without an Origin (curl) pass. */
function requireSameOrigin(c: Context<AppEnv>) {
  const origin = c.req.header("origin");
  if (origin === undefined) return;
  const problem = csrfProblem(c.req.method, c.req.url, origin);
  if (problem) throw new ApiException("FORBIDDEN", problem);
}

export const authRoutes = new Hono<AppEnv>()
  .post("/login", async (c) => {
    requireSameOrigin(c);
    const body = await parseBody(c, LoginRequest);
    const db = c.get("db");
    // Password guessing is locked out per (email, address) and per address (lib/login-throttle.ts).
    // Cloudflare sets CF-Connecting-IP; without it (local), every client shares one address.
    const address = c.req.header("cf-connecting-ip") ?? "local";
    const keys = { pair: pairKey(body.email, address), address: addressKey(address) };
    const now = Date.now();
    const throttle = new Map(
      (await db.select().from(schema.loginThrottle).where(inArray(schema.loginThrottle.key, [keys.pair, keys.address]))).map((r) => [r.key, r]),
    );
    const lockedMs = Math.max(lockedForMs(throttle.get(keys.pair), now), lockedForMs(throttle.get(keys.address), now));
    if (lockedMs > 0) {
      c.header("retry-after", String(Math.ceil(lockedMs / 1000)));
      throw new ApiException("RATE_LIMITED", lockedMessage(lockedMs), { retryAfterSec: Math.ceil(lockedMs / 1000) });
    }
    const user = (await db.select().from(schema.users).where(sql`lower(${schema.users.email}) = ${body.email.toLowerCase()}`).limit(1))[0];
    // Unknown emails cost the same PBKDF2 work as known ones.
    const good = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !good) {
      const rows = [
        { key: keys.pair, ...afterFailure(throttle.get(keys.pair), now, LOGIN_THROTTLE.maxPerPair) },
        { key: keys.address, ...afterFailure(throttle.get(keys.address), now, LOGIN_THROTTLE.maxPerAddress) },
      ];
      await db.batch(rows.map((r) => db.insert(schema.loginThrottle).values(r).onConflictDoUpdate({
        target: schema.loginThrottle.key, set: { failures: r.failures, windowStart: r.windowStart, lockedUntil: r.lockedUntil },
      })) as [never, never]);
      throw new ApiException("UNAUTHORIZED", LOGIN_FAILED);
    }
    if (throttle.has(keys.pair)) await db.delete(schema.loginThrottle).where(eq(schema.loginThrottle.key, keys.pair));
    const secret = generateSessionSecret();
    const times = newSessionTimes(now);
    await db.insert(schema.sessions).values({ id: newId("ses"), hash: await hashToken(secret), userId: user.id, ...times, revokedAt: null });
    c.header("set-cookie", sessionCookie(secret, times.expiresAt, now, isHttps(c.req.raw)));
    c.header("cache-control", "no-store");
    return ok(c, await meFor(db, user.id, null, "session"));
  })
  .post("/logout", async (c) => {
    const secret = sessionSecretFrom(c.req.header("cookie"));
    if (secret) {
      const problem = csrfProblem(c.req.method, c.req.url, c.req.header("origin"));
      if (problem) throw new ApiException("FORBIDDEN", problem);
      await c.get("db").update(schema.sessions).set({ revokedAt: nowIso() }).where(eq(schema.sessions.hash, await hashToken(secret)));
    }
    c.header("set-cookie", clearSessionCookie(isHttps(c.req.raw)));
    return ok(c, { signedOut: true });
  });
