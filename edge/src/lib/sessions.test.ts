import { describe, expect, it } from "vitest";
import {
  SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS, clearSessionCookie, csrfProblem, generateSessionSecret, isSessionDead, newSessionTimes,
  sessionCookie, sessionSecretFrom, touchSession,
} from "./sessions.js";

const T0 = Date.parse("2026-11-01T00:00:00.000Z");

describe("session lifetime", () => {
  it("starts with a 14-day expiry", () => {
    const s = newSessionTimes(T0);
    expect(Date.parse(s.expiresAt) - T0).toBe(14 * 24 * 3600 * 1000);
    expect(SESSION_TTL_MS).toBe(14 * 24 * 3600 * 1000);
    expect(s.lastUsedAt).toBe(s.createdAt);
  });
  it("is dead when revoked or at/after its expiry", () => {
    const s = { ...newSessionTimes(T0), revokedAt: null };
    expect(isSessionDead(s, T0 + SESSION_TTL_MS - 1)).toBe(false);
    expect(isSessionDead(s, T0 + SESSION_TTL_MS)).toBe(true);
    expect(isSessionDead({ ...s, revokedAt: new Date(T0).toISOString() }, T0 + 1)).toBe(true);
  });
  it("slides: a use more than an hour after the last one moves the expiry to 14 days from now", () => {
    const s = { ...newSessionTimes(T0), revokedAt: null };
    expect(touchSession(s, T0 + SESSION_TOUCH_INTERVAL_MS - 1)).toBeNull();
    const later = T0 + 10 * 24 * 3600 * 1000;
    const t = touchSession(s, later)!;
    expect(Date.parse(t.expiresAt)).toBe(later + SESSION_TTL_MS);
    expect(t.lastUsedAt).toBe(new Date(later).toISOString());
    // Used every few days, it never expires; left alone for 14 days, it does.
    const slid = { ...s, ...t };
    expect(isSessionDead(slid, T0 + 20 * 24 * 3600 * 1000)).toBe(false);
    expect(isSessionDead(slid, later + SESSION_TTL_MS)).toBe(true);
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/, with Max-Age to the expiry, Secure only on https", () => {
    const secret = generateSessionSecret();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const c = sessionCookie(secret, new Date(T0 + 3600_000).toISOString(), T0, false);
    expect(c).toBe(`rf_session=${secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600`);
    expect(sessionCookie(secret, new Date(T0 + 1000).toISOString(), T0, true)).toMatch(/; Secure$/);
    expect(clearSessionCookie(false)).toContain("Max-Age=0");
  });
  it("reads the secret from a Cookie header and ignores anything else", () => {
    const s = "a".repeat(64);
    expect(sessionSecretFrom(`theme=dark; rf_session=${s}; x=1`)).toBe(s);
    expect(sessionSecretFrom("rf_session=short")).toBeNull();
    expect(sessionSecretFrom("other=1")).toBeNull();
    expect(sessionSecretFrom(null)).toBeNull();
  });
});

describe("CSRF origin rule", () => {
  const url = "https://fleet.example.test/api/v1/tokens";
  it("lets safe methods through whatever the origin", () => {
    expect(csrfProblem("GET", url, "https://evil.test")).toBeNull();
  });
  it("needs the request's own origin on other methods", () => {
    expect(csrfProblem("POST", url, "https://fleet.example.test")).toBeNull();
    expect(csrfProblem("POST", url, "https://evil.test")).toMatch(/Origin https:\/\/evil.test does not match https:\/\/fleet.example.test/);
    expect(csrfProblem("DELETE", url, null)).toMatch(/must carry an Origin header/);
    expect(csrfProblem("POST", url, "http://fleet.example.test")).not.toBeNull();
  });
});
