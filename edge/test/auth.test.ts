/** Sign-in for people inside workerd against a real sqld: login, cookie, /me, logout, CSRF, cookie on API and viewer socket. */
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { SELF } from "cloudflare:test";
import { createClient } from "@libsql/client/web";
import { hashToken } from "../../db/tokens.js";
import { api, BASE, waitFor } from "./helpers.js";

const ORIGIN = new URL(BASE).origin;

async function login(email: string, password: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${BASE}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, ...headers },
    body: JSON.stringify({ email, password }),
  });
  return { res, body: (await res.json()) as any };
}

async function signIn(): Promise<string> {
  const { res } = await login(inject("adminEmail"), inject("adminPassword"));
  expect(res.status).toBe(200);
  return /rf_session=([0-9a-f]{64})/.exec(res.headers.get("set-cookie")!)![1]!;
}

const withCookie = (secret: string, init: RequestInit & { headers?: Record<string, string> } = {}) => ({
  ...init,
  headers: { cookie: `rf_session=${secret}`, "content-type": "application/json", ...(init.headers ?? {}) },
});

describe("login", () => {
  it("sets an HttpOnly, SameSite=Lax, Path=/ session cookie (no Secure over http) and answers with /me", async () => {
    const { res, body } = await login(inject("adminEmail").toUpperCase(), inject("adminPassword"));
    expect(res.status).toBe(200);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^rf_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=1209600$/);
    expect(cookie).not.toContain("Secure");
    expect(body.data.user.email).toBe("admin@ringfleet.local");
    expect(body.data.auth).toBe("session");
  });
  it("marks the cookie Secure over https", async () => {
    const res = await SELF.fetch("https://ringfleet.test/api/v1/auth/login", {
      method: "POST", headers: { "content-type": "application/json", origin: "https://ringfleet.test" },
      body: JSON.stringify({ email: inject("adminEmail"), password: inject("adminPassword") }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/; Secure$/);
  });
  it("answers a wrong password and an unknown email with the same 401 message and no cookie", async () => {
    const wrong = await login(inject("adminEmail"), "not-the-password");
    const unknown = await login("nobody@ringfleet.local", "whatever");
    for (const r of [wrong, unknown]) {
      expect(r.res.status).toBe(401);
      expect(r.res.headers.get("set-cookie")).toBeNull();
      expect(r.body.error).toEqual({ code: "UNAUTHORIZED", message: "email or password is incorrect" });
    }
  });
  it("validates the body, naming the field", async () => {
    const { res, body } = await login("not-an-email", "");
    expect(res.status).toBe(400);
    expect(body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(["email", "password"]);
    expect(body.error.message).toMatch(/^invalid body: email: must be an email address/);
  });
  it("refuses a sign-in posted from another site", async () => {
    const { res, body } = await login(inject("adminEmail"), inject("adminPassword"), { origin: "https://evil.test" });
    expect(res.status).toBe(403);
    expect(body.error.message).toMatch(/cross-site request refused/);
  });
});

describe("the session cookie", () => {
  it("/me lists the user's orgs with roles and their projects; the org header switches org", async () => {
    const secret = await signIn();
    const me = await SELF.fetch(`${BASE}/api/v1/me`, withCookie(secret));
    expect(me.status).toBe(200);
    const data = ((await me.json()) as any).data;
    expect(data.user.email).toBe("admin@ringfleet.local");
    expect(data.orgs.map((o: { role: string }) => o.role)).toEqual(["OWNER", "VIEWER"]);
    expect(data.orgs[1].id).toBe(inject("secondOrgId"));
    expect(data.projects.map((p: { id: string }) => p.id).sort()).toEqual([inject("projectId"), inject("secondProjectId")].sort());
    expect(data.activeOrgId).toBe(data.orgs[0].id);
    // Acting in the second org: its projects, not the first's.
    const second = await SELF.fetch(`${BASE}/api/v1/projects`, withCookie(secret, { headers: { "x-ringfleet-org": inject("secondOrgId") } }));
    expect(((await second.json()) as any).data.map((p: { id: string }) => p.id)).toEqual([inject("secondProjectId")]);
    const notMine = await SELF.fetch(`${BASE}/api/v1/projects`, withCookie(secret, { headers: { "x-ringfleet-org": "org_nope" } }));
    expect(notMine.status).toBe(403);
  });

  it("authenticates API routes; writes need our own Origin (CSRF)", async () => {
    const secret = await signIn();
    const list = await SELF.fetch(`${BASE}/api/v1/projects`, withCookie(secret));
    expect(list.status).toBe(200);
    expect(((await list.json()) as any).data.map((p: { id: string }) => p.id)).toContain(inject("projectId"));

    const body = JSON.stringify({ name: "from the dashboard", kind: "api" });
    const cross = await SELF.fetch(`${BASE}/api/v1/tokens`, withCookie(secret, { method: "POST", body, headers: { origin: "https://evil.test" } }));
    expect(cross.status).toBe(403);
    expect(((await cross.json()) as any).error.message).toBe(`cross-site request refused: Origin https://evil.test does not match ${ORIGIN}`);
    const noOrigin = await SELF.fetch(`${BASE}/api/v1/tokens`, withCookie(secret, { method: "POST", body }));
    expect(noOrigin.status).toBe(403);
    expect(((await noOrigin.json()) as any).error.message).toMatch(/must carry an Origin header/);
    const same = await SELF.fetch(`${BASE}/api/v1/tokens`, withCookie(secret, { method: "POST", body, headers: { origin: ORIGIN } }));
    expect(same.status).toBe(201);
    // A token made from a session works as a bearer token.
    const made = ((await same.json()) as any).data.token as string;
    expect((await api("GET", "/projects", undefined, made)).status).toBe(200);
  });

  it("opens the viewer socket (same origin only)", async () => {
    const secret = await signIn();
    const started = await api<{ data: { testRunId: string } }>("POST", `/projects/${inject("projectId")}/tests/${inject("demoTestId")}/run`, {});
    const rid = started.body.data.testRunId;
    const open = (headers: Record<string, string>) => SELF.fetch(`${BASE}/live/runs/${rid}`, { headers: { upgrade: "websocket", ...headers } });
    const res = await open({ cookie: `rf_session=${secret}`, origin: ORIGIN });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const first = await new Promise<{ type: string }>((resolve) => ws.addEventListener("message", (e) => resolve(JSON.parse(e.data as string)), { once: true }));
    expect(first.type).toBe("snapshot");
    ws.close(1000, "done");
    const cross = await open({ cookie: `rf_session=${secret}`, origin: "https://evil.test" });
    expect(cross.status).toBe(403);
    const none = await open({});
    expect(none.status).toBe(401);
    // Bearer tokens (header or ?token=) still open it.
    const bearer = await SELF.fetch(`${BASE}/live/runs/${rid}?token=${inject("apiToken")}`, { headers: { upgrade: "websocket" } });
    expect(bearer.status).toBe(101);
    bearer.webSocket!.accept();
    bearer.webSocket!.close(1000, "done");
    await waitFor("run settles", async () => (await api<{ data: { status: string } }>("GET", `/projects/${inject("projectId")}/test-runs/${rid}`)).body.data.status !== "PENDING");
  });

  it("logout revokes the session and clears the cookie", async () => {
    const secret = await signIn();
    const out = await SELF.fetch(`${BASE}/api/v1/auth/logout`, withCookie(secret, { method: "POST", headers: { origin: ORIGIN } }));
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toContain("rf_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    const after = await SELF.fetch(`${BASE}/api/v1/me`, withCookie(secret));
    expect(after.status).toBe(401);
    expect(((await after.json()) as any).error.message).toMatch(/session has expired or was signed out/);
  });

  it("slides: a use over an hour after the last one moves the expiry and re-sends the cookie; an expired session is refused", async () => {
    const secret = await signIn();
    const db = createClient({ url: inject("dbUrl") });
    const hash = await hashToken(secret);
    try {
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
      await db.execute({ sql: "UPDATE sessions SET last_used_at = ?, expires_at = ? WHERE hash = ?", args: [twoHoursAgo, new Date(Date.now() + 3600_000).toISOString(), hash] });
      const used = await SELF.fetch(`${BASE}/api/v1/me`, withCookie(secret));
      expect(used.status).toBe(200);
      expect(used.headers.get("set-cookie")).toMatch(new RegExp(`^rf_session=${secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=(1209600|1209599)$`));
      const row = (await db.execute({ sql: "SELECT expires_at FROM sessions WHERE hash = ?", args: [hash] })).rows[0]!;
      expect(Date.parse(String(row.expires_at)) - Date.now()).toBeGreaterThan(13.9 * 24 * 3600_000);
      // Used again at once: no write, no cookie.
      expect((await SELF.fetch(`${BASE}/api/v1/me`, withCookie(secret))).headers.get("set-cookie")).toBeNull();
      await db.execute({ sql: "UPDATE sessions SET expires_at = ? WHERE hash = ?", args: [new Date(Date.now() - 1000).toISOString(), hash] });
      const expired = await SELF.fetch(`${BASE}/api/v1/me`, withCookie(secret));
      expect(expired.status).toBe(401);
    } finally {
      db.close();
    }
  });

  it("a bearer token still works, and wins over a cookie", async () => {
    const r = await api<{ data: { auth: string; orgs: { role: string }[] } }>("GET", "/me");
    expect(r.status).toBe(200);
    expect(r.body.data.auth).toBe("token");
    expect(r.body.data.orgs).toHaveLength(1);
    const both = await SELF.fetch(`${BASE}/api/v1/me`, { headers: { authorization: `Bearer ${inject("apiToken")}`, cookie: `rf_session=${"0".repeat(64)}` } });
    expect(both.status).toBe(200);
  });
});

describe("roles", () => {
  it("a VIEWER reads but cannot change anything, and is told which role is needed", async () => {
    const secret = await signIn();
    const asViewer = (init: { method?: string; body?: string } = {}) =>
      withCookie(secret, { ...init, headers: { "x-ringfleet-org": inject("secondOrgId"), origin: ORIGIN } });
    const pid = inject("secondProjectId");
    expect((await SELF.fetch(`${BASE}/api/v1/projects/${pid}/tests`, asViewer())).status).toBe(200);
    const create = await SELF.fetch(`${BASE}/api/v1/projects/${pid}/registrars`, asViewer({ method: "POST", body: JSON.stringify({ name: "x", domain: "x.test", transport: "UDP" }) }));
    expect(create.status).toBe(403);
    expect(((await create.json()) as any).error).toEqual({
      code: "FORBIDDEN", message: "role: your role in this organisation is VIEWER; to change registrars and SIP accounts you need EDITOR or above",
    });
    const token = await SELF.fetch(`${BASE}/api/v1/tokens`, asViewer({ method: "POST", body: JSON.stringify({ name: "t", kind: "api" }) }));
    expect(token.status).toBe(403);
    // The same person is OWNER in their first org: allowed there.
    expect((await SELF.fetch(`${BASE}/api/v1/tokens`, withCookie(secret))).status).toBe(200);
  });

  it("an API token acts with its creator's current role: a TESTER's token starts runs but cannot edit tests", async () => {
    const db = createClient({ url: inject("dbUrl") });
    const userId = `usr_tester${Date.now()}`;
    const secret = `rf_${crypto.randomUUID().replace(/-/g, "")}`;
    const now = new Date().toISOString();
    try {
      const org = (await db.execute({ sql: "SELECT org_id FROM projects WHERE id = ?", args: [inject("projectId")] })).rows[0]!.org_id as string;
      await db.batch([
        { sql: "INSERT INTO users (id, org_id, email, name, role, created_at) VALUES (?, ?, ?, 'Tester', 'TESTER', ?)", args: [userId, org, `${userId}@ringfleet.local`, now] },
        { sql: "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, 'TESTER', ?)", args: [userId, org, now] },
        { sql: "INSERT INTO api_tokens (id, org_id, user_id, kind, name, prefix, hash, created_at) VALUES (?, ?, ?, 'api', 'tester', 'rf_x', ?, ?)", args: [`tok_${userId}`, org, userId, await hashToken(secret), now] },
      ], "write");
      const pid = inject("projectId");
      const edit = await api<{ error: { message: string } }>("POST", `/projects/${pid}/tests`, { name: "nope", durationSec: 5, groups: [] }, secret);
      expect(edit.status).toBe(403);
      expect(edit.body.error.message).toMatch(/TESTER; to change tests you need EDITOR/);
      const run = await api<{ data: { testRunId: string } }>("POST", `/projects/${pid}/tests/${inject("demoTestId")}/run`, {}, secret);
      expect(run.status).toBe(201);
      // Allowed to stop (409 only if the run already ended: no agent serves this test here).
      const stop = await api("POST", `/projects/${pid}/test-runs/${run.body.data.testRunId}/stop`, {}, secret);
      expect([200, 202, 409]).toContain(stop.status);
      // Demoted: the same token can now only read.
      await db.execute({ sql: "UPDATE memberships SET role = 'VIEWER' WHERE user_id = ?", args: [userId] });
      expect((await api("POST", `/projects/${pid}/tests/${inject("demoTestId")}/run`, {}, secret)).status).toBe(403);
      expect((await api("GET", `/projects/${pid}/tests`, undefined, secret)).status).toBe(200);
    } finally {
      db.close();
    }
  });
});

describe("sign-in lock-out", () => {
  it("locks an (email, address) pair after 5 failures with 429 and Retry-After, even for the right password; other addresses still sign in", async () => {
    const from = (ip: string) => ({ "cf-connecting-ip": ip });
    for (let i = 0; i < 5; i++) expect((await login(inject("adminEmail"), "wrong-password", from("203.0.113.7"))).res.status).toBe(401);
    const locked = await login(inject("adminEmail"), inject("adminPassword"), from("203.0.113.7"));
    expect(locked.res.status).toBe(429);
    expect(locked.res.headers.get("retry-after")).toMatch(/^(899|900)$/);
    expect(locked.body.error.code).toBe("RATE_LIMITED");
    expect(locked.body.error.message).toBe("too many failed sign-ins from this address; try again in 15 minutes");
    expect((await login(inject("adminEmail"), inject("adminPassword"), from("198.51.100.9"))).res.status).toBe(200);
  });
});
