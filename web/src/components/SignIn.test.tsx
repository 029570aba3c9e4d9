import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import type { Me } from "../../../protocol/index.js";
import { me, session, signOut, token } from "../lib/auth.js";
import { fakeFetch, ok } from "../test/fakes.js";
import { SignIn } from "./SignIn.js";

const ME: Me = {
  user: { id: "u1", email: "admin@ringfleet.local", name: "Local admin" }, auth: "session", activeOrgId: "o1",
  orgs: [{ id: "o1", name: "Local", role: "OWNER" }], projects: [{ id: "p1", orgId: "o1", name: "Demo", slug: "demo", createdAt: "2026-01-01T00:00:00Z" }],
};
let fm: ReturnType<typeof fakeFetch>;
beforeEach(() => {
  signOut(null, { remote: false });
  fm = fakeFetch((method, url, body: any) => {
    if (method === "POST" && url === "/api/v1/auth/login") {
      if (body.password === "right-password") return ok(ME);
      if (!body.email.includes("@"))
        return { status: 400, body: { error: { code: "VALIDATION_FAILED", message: "invalid body: email: must be an email address", details: { issues: [{ path: "email", message: "must be an email address" }] } } } };
      return { status: 401, body: { error: { code: "UNAUTHORIZED", message: "email or password is incorrect" } } };
    }
    return undefined;
  });
  vi.stubGlobal("fetch", fm.fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const form = () => screen.getByRole("form", { name: "Sign in" });
function fill(email: string, password: string) {
  fireEvent.input(within(form()).getByLabelText("Email"), { target: { value: email } });
  fireEvent.input(within(form()).getByLabelText("Password"), { target: { value: password } });
}

describe("sign-in form", () => {
  it("has Email and Password fields and a Sign in button that waits for both", () => {
    render(() => <SignIn />);
    const button = within(form()).getByRole("button", { name: "Sign in" });
    expect(button).toHaveProperty("disabled", true);
    fill("admin@ringfleet.local", "x");
    expect(button).toHaveProperty("disabled", false);
    expect(within(form()).getByLabelText("Password").getAttribute("type")).toBe("password");
    expect(within(form()).getByLabelText("Email").getAttribute("autocomplete")).toBe("username");
  });

  it("signs in: posts the credentials, then the session is on and /me is known", async () => {
    render(() => <SignIn />);
    fill(" admin@ringfleet.local ", "right-password");
    fireEvent.click(within(form()).getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(session()).toBe("in"));
    expect(fm.calls[0]).toMatchObject({ method: "POST", url: "/api/v1/auth/login", body: { email: "admin@ringfleet.local", password: "right-password" } });
    expect(me()?.user?.email).toBe("admin@ringfleet.local");
    expect(token()).toBeNull();
  });

  it("shows one message for a failed sign-in beside the form, and clears the password", async () => {
    render(() => <SignIn />);
    fill("admin@ringfleet.local", "wrong");
    fireEvent.click(within(form()).getByRole("button", { name: "Sign in" }));
    const alert = await within(form()).findByRole("alert");
    expect(alert.textContent).toBe("Email or password is incorrect.");
    expect(form().getAttribute("aria-describedby")).toBe("signin-error");
    expect((within(form()).getByLabelText("Password") as HTMLInputElement).value).toBe("");
    expect(session()).toBe("out");
  });

  it("names the field of a validation error and marks it invalid", async () => {
    render(() => <SignIn />);
    fill("admin", "pw");
    fireEvent.click(within(form()).getByRole("button", { name: "Sign in" }));
    expect((await within(form()).findByRole("alert")).textContent).toBe("Email must be an email address.");
    expect(within(form()).getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
  });

  it("still accepts an API token", () => {
    render(() => <SignIn />);
    fireEvent.click(screen.getByText("Use an API token instead"));
    const tf = screen.getByRole("form", { name: "Sign in with an API token" });
    fireEvent.input(within(tf).getByLabelText("API token"), { target: { value: " rf_abc " } });
    fireEvent.click(within(tf).getByRole("button", { name: "Use token" }));
    expect(token()).toBe("rf_abc");
    expect(fm.calls).toHaveLength(0);
  });

  it("shows why the previous session ended", () => {
    signOut("your session has expired or was signed out; sign in again", { remote: false });
    render(() => <SignIn />);
    expect(within(form()).getByRole("alert").textContent).toMatch(/session has expired/);
  });
});
