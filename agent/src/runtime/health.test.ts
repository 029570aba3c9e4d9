import { describe, expect, it } from "vitest";
import { FAULT_HOLD_MS, HealthMonitor, OVERLOAD_CHECKS, OVERLOAD_LAG_MS } from "./health.js";

const errno = (code: string) => Object.assign(new Error(`bind ${code}`), { code });

describe("HealthMonitor", () => {
  it("is healthy with nothing observed", () => {
    expect(new HealthMonitor(() => 0).check()).toBeNull();
  });

  it("reports EMFILE/ENFILE as SOCKET_LIMIT with what to do, held for FAULT_HOLD_MS after the last failure", () => {
    let now = 1_000;
    const h = new HealthMonitor(() => now);
    h.socketFailed(errno("EMFILE"));
    const f = h.check();
    expect(f?.code).toBe("SOCKET_LIMIT");
    expect(f?.message).toMatch(/ulimit -n/);
    now += FAULT_HOLD_MS - 1;
    expect(h.check()?.code).toBe("SOCKET_LIMIT");
    h.socketFailed(errno("ENFILE")); // a new failure restarts the hold
    now += FAULT_HOLD_MS - 1;
    expect(h.check()?.code).toBe("SOCKET_LIMIT");
    now += 2;
    expect(h.check()).toBeNull();
  });

  it("reports other socket failures as SOCKET_ERROR naming the errno", () => {
    const h = new HealthMonitor(() => 0);
    h.socketFailed(errno("EADDRNOTAVAIL"));
    expect(h.check()).toMatchObject({ code: "SOCKET_ERROR", message: expect.stringContaining("EADDRNOTAVAIL") });
    h.socketFailed("weird");
    expect(h.check()?.code).toBe("SOCKET_ERROR");
  });

  it("is OVERLOADED only after several laggy heartbeats in a row, and clears at the first calm one", () => {
    const h = new HealthMonitor(() => 0);
    for (let i = 1; i < OVERLOAD_CHECKS; i++) {
      h.observeLag(OVERLOAD_LAG_MS + 1);
      expect(h.check()).toBeNull();
    }
    h.observeLag(10);
    h.observeLag(OVERLOAD_LAG_MS + 50); // the worst sample of the window counts
    expect(h.check()).toMatchObject({ code: "OVERLOADED" });
    h.observeLag(OVERLOAD_LAG_MS); // at the limit is not over it
    expect(h.check()).toBeNull();
    // A calm heartbeat in between restarts the count.
    h.observeLag(1_000);
    h.check();
    h.check();
    h.observeLag(1_000);
    expect(h.check()).toBeNull();
  });
});
