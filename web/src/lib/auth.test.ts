import { describe, expect, it } from "vitest";
import { TOKEN_KEY, captureTokenFromUrl, signOut, token } from "./auth.js";

describe("token from the URL", () => {
  it("stores ?token= and strips it from the address bar, keeping the hash", () => {
    window.history.replaceState(null, "", "/?token=rf_abc&x=1#/projects/p/runs/r");
    expect(captureTokenFromUrl()).toBe("rf_abc");
    expect(localStorage.getItem(TOKEN_KEY)).toBe("rf_abc");
    expect(token()).toBe("rf_abc");
    expect(window.location.search).toBe("?x=1");
    expect(window.location.hash).toBe("#/projects/p/runs/r");
  });
  it("does nothing without a token; signOut clears it", () => {
    window.history.replaceState(null, "", "/#/");
    expect(captureTokenFromUrl()).toBeNull();
    signOut("bye");
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(token()).toBeNull();
  });
});
