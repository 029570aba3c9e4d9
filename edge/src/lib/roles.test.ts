import { describe, expect, it } from "vitest";
import { requiredRole, roleAtLeast, roleProblem } from "./roles.js";

describe("roles", () => {
  it("orders the roles, each including the ones below", () => {
    expect(roleAtLeast("OWNER", "VIEWER")).toBe(true);
    expect(roleAtLeast("EDITOR", "TESTER")).toBe(true);
    expect(roleAtLeast("TESTER", "EDITOR")).toBe(false);
    expect(roleAtLeast("VIEWER", "VIEWER")).toBe(true);
  });

  it("needs VIEWER to read, TESTER to run and stop, EDITOR to change tests, registrars, runs and tokens", () => {
    expect(requiredRole("GET", "/projects/p1/test-runs/r1/endpoints").role).toBe("VIEWER");
    expect(requiredRole("POST", "/projects/p1/tests/t1/run").role).toBe("TESTER");
    expect(requiredRole("POST", "/projects/p1/test-runs/r1/stop").role).toBe("TESTER");
    expect(requiredRole("POST", "/projects/p1/tests").role).toBe("EDITOR");
    expect(requiredRole("PUT", "/projects/p1/tests/t1").role).toBe("EDITOR");
    expect(requiredRole("DELETE", "/projects/p1/tests/t1").role).toBe("EDITOR");
    expect(requiredRole("POST", "/projects/p1/registrars/g1/accounts").role).toBe("EDITOR");
    expect(requiredRole("DELETE", "/projects/p1/registrars/g1/accounts/a1").role).toBe("EDITOR");
    expect(requiredRole("DELETE", "/projects/p1/test-runs/r1").role).toBe("EDITOR");
    expect(requiredRole("POST", "/tokens").role).toBe("EDITOR");
    expect(requiredRole("DELETE", "/tokens/tok_1").role).toBe("EDITOR");
  });

  it("keeps an unlisted write for ADMIN", () => {
    expect(requiredRole("POST", "/projects").role).toBe("ADMIN");
    expect(requiredRole("PATCH", "/agents/a1").role).toBe("ADMIN");
  });

  it("says which role is held and which is needed", () => {
    expect(roleProblem("OWNER", "DELETE", "/projects/p1/tests/t1")).toBeNull();
    expect(roleProblem("VIEWER", "POST", "/projects/p1/tests/t1/run")).toBe(
      "role: your role in this organisation is VIEWER; to start a run you need TESTER or above",
    );
    expect(roleProblem("TESTER", "POST", "/projects/p1/registrars")).toMatch(/TESTER; to change registrars and SIP accounts you need EDITOR/);
  });
});
