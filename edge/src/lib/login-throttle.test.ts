import { describe, expect, it } from "vitest";
import { afterFailure, LOGIN_THROTTLE, lockedForMs, lockedMessage, pairKey } from "./login-throttle.js";

describe("login throttle", () => {
  it("locks a key on the 5th failure within the window, for 15 minutes", () => {
    let s = afterFailure(null, 0, 5);
    for (let i = 1; i < 4; i++) s = afterFailure(s, i * 1000, 5);
    expect(s.failures).toBe(4);
    expect(lockedForMs(s, 4000)).toBe(0);
    s = afterFailure(s, 5000, 5);
    expect(lockedForMs(s, 5000)).toBe(LOGIN_THROTTLE.lockMs);
    expect(lockedForMs(s, 5000 + LOGIN_THROTTLE.lockMs)).toBe(0);
  });

  it("starts counting again once the window has passed", () => {
    let s = afterFailure(null, 0, 5);
    for (let i = 1; i < 4; i++) s = afterFailure(s, i, 5);
    s = afterFailure(s, LOGIN_THROTTLE.windowMs + 10, 5);
    expect(s).toEqual({ failures: 1, windowStart: LOGIN_THROTTLE.windowMs + 10, lockedUntil: null });
  });

  it("keys the pair by lower-cased email and address; says how long in minutes", () => {
    expect(pairKey("Admin@X.test", "10.0.0.1")).toBe("email:admin@x.test|ip:10.0.0.1");
    expect(lockedMessage(14 * 60_000 + 1)).toBe("too many failed sign-ins from this address; try again in 15 minutes");
    expect(lockedMessage(1)).toBe("too many failed sign-ins from this address; try again in 1 minute");
  });
});
