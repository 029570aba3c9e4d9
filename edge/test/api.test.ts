/** The REST API inside workerd against a real sqld: auth, validation, CRUD, nothing written on bad input. */
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { SELF } from "cloudflare:test";
import { api, BASE } from "./helpers.js";

const pid = () => inject("projectId");

describe("authentication", () => {
  it("rejects a missing token with a JSON error", async () => {
    const res = await SELF.fetch(`${BASE}/api/v1/projects`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED", message: expect.stringContaining("Authorization") } });
  });
  it("refuses an agent token on the REST API", async () => {
    const r = await api("GET", "/projects", undefined, inject("agentToken"));
    expect(r.status).toBe(403);
  });
  it("lists the org's projects in a {data, meta} envelope", async () => {
    const r = await api<{ data: { id: string }[]; meta: { requestId: string } }>("GET", "/projects");
    expect(r.status).toBe(200);
    expect(r.body.data.map((p) => p.id)).toContain(pid());
    expect(r.body.meta.requestId).toMatch(/[0-9a-f-]{36}/);
  });
  it("answers 404 for another org's or an unknown project", async () => {
    const r = await api<{ error: { code: string } }>("GET", "/projects/prj_nope/tests");
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("NOT_FOUND");
  });
});

describe("registrars and SIP accounts", () => {
  it("creates a registrar, bulk-creates accounts, and rejects duplicates without writing any", async () => {
    const reg = await api<{ data: { id: string; transport: string; accountCount: number } }>("POST", `/projects/${pid()}/registrars`, {
      name: "PBX lab", domain: "pbx.example.test", transport: "UDP", port: 5060,
    });
    expect(reg.status).toBe(201);
    expect(reg.body.data).toMatchObject({ transport: "UDP", accountCount: 0 });
    const rid = reg.body.data.id;
    const bulk = await api<{ data: unknown[] }>("POST", `/projects/${pid()}/registrars/${rid}/accounts`, {
      accounts: [{ username: "2001", password: "a" }, { username: "2002", password: "b", realm: "lab" }],
    });
    expect(bulk.status).toBe(201);
    expect(bulk.body.data).toHaveLength(2);
    const dup = await api<{ error: { code: string; message: string; details: { issues: { path: string }[] } } }>(
      "POST", `/projects/${pid()}/registrars/${rid}/accounts`,
      { accounts: [{ username: "2003", password: "c" }, { username: "2001", password: "d" }] },
    );
    expect(dup.status).toBe(409);
    expect(dup.body.error.details.issues[0]!.path).toBe("accounts.1.username");
    // Every offending row is reported, not only the first.
    const many = await api<{ error: { details: { issues: { path: string }[] } } }>("POST", `/projects/${pid()}/registrars/${rid}/accounts`, {
      accounts: [{ username: "2001", password: "x" }, { username: "2009", password: "x" }, { username: "2002", password: "x" }],
    });
    expect(many.body.error.details.issues.map((i) => i.path)).toEqual(["accounts.0.username", "accounts.2.username"]);
    const list = await api<{ data: { username: string }[] }>("GET", `/projects/${pid()}/registrars/${rid}/accounts`);
    expect(list.body.data.map((a) => a.username)).toEqual(["2001", "2002"]); // 2003 was not written
  });

  it("clears an outbound proxy with null, and deletes a registrar only used by deleted tests", async () => {
    const reg = (await api<{ data: { id: string } }>("POST", `/projects/${pid()}/registrars`, { name: "SBC", domain: "sbc.test", outboundProxy: "edge.test:5080" })).body.data;
    const cleared = await api<{ data: { outboundProxy: string | null; port: number | null } }>("PATCH", `/projects/${pid()}/registrars/${reg.id}`, { outboundProxy: null, port: 5062 });
    expect(cleared.body.data).toMatchObject({ outboundProxy: null, port: 5062 });
    const t = (await api<{ data: { id: string } }>("POST", `/projects/${pid()}/tests`, {
      name: "uses SBC", durationSec: 10, groups: [{ name: "A", registrarId: reg.id, endpoints: 1, callee: { type: "RECEIVE" } }],
    })).body.data;
    const refused = await api<{ error: { message: string } }>("DELETE", `/projects/${pid()}/registrars/${reg.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('"uses SBC"');
    await api("DELETE", `/projects/${pid()}/tests/${t.id}`);
    expect((await api("DELETE", `/projects/${pid()}/registrars/${reg.id}`)).status).toBe(200);
  });

  it("names the offending field of a bad registrar", async () => {
    const r = await api<{ error: { code: string; message: string; details: { issues: { path: string }[] } } }>("POST", `/projects/${pid()}/registrars`, {
      name: "x", domain: "sip://bad", transport: "SCTP",
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_FAILED");
    expect(r.body.error.details.issues.map((i) => i.path).sort()).toEqual(["domain", "transport"]);
  });
});

describe("tests", () => {
  it("rejects an invalid test naming each field, and writes nothing", async () => {
    const before = await api<{ data: unknown[] }>("GET", `/projects/${pid()}/tests`);
    const r = await api<{ error: { message: string; details: { issues: { path: string; message: string }[] } } }>("POST", `/projects/${pid()}/tests`, {
      name: "bad", durationSec: 2,
      groups: [
        { name: "A", registrarId: inject("registrarId"), endpoints: 0, callee: { type: "GROUP", group: "Z" } },
        { name: "A", registrarId: inject("registrarId"), endpoints: 1, callee: { type: "RECEIVE" } },
      ],
    });
    expect(r.status).toBe(400);
    const paths = r.body.error.details.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["durationSec", "groups.0.endpoints", "groups.0.callee.group", "groups.1.name"]));
    expect(r.body.error.message).toMatch(/^invalid body: durationSec: /);
    const after = await api<{ data: unknown[] }>("GET", `/projects/${pid()}/tests`);
    expect(after.body.data).toHaveLength(before.body.data.length);
  });

  it("rejects malformed JSON and unknown fields", async () => {
    const bad = await api<{ error: { message: string } }>("POST", `/projects/${pid()}/tests`, "{not json");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not valid JSON/);
    const extra = await api<{ error: { details: { issues: { path: string }[] } } }>("POST", `/projects/${pid()}/tests`, {
      name: "x", durationSec: 10, groups: [{ name: "A", registrarId: inject("registrarId"), endpoints: 1, callee: { type: "RECEIVE" } }], colour: "blue",
    });
    expect(extra.status).toBe(400);
  });

  it("creates, reads, updates and deletes a test with groups", async () => {
    const body = {
      name: "Trunk A vs B", durationSec: 30,
      groups: [
        { name: "callers", registrarId: inject("registrarId"), endpoints: 2, codec: "PCMA", callee: { type: "GROUP", group: "answerers" } },
        { name: "answerers", registrarId: inject("registrarId"), endpoints: 2, callee: { type: "RECEIVE" } },
      ],
    };
    const created = await api<{ data: { id: string; totalEndpoints: number } }>("POST", `/projects/${pid()}/tests`, body);
    expect(created.status).toBe(201);
    expect(created.body.data.totalEndpoints).toBe(4);
    const tid = created.body.data.id;
    const got = await api<{ data: { groups: { codec: string }[] } }>("GET", `/projects/${pid()}/tests/${tid}`);
    expect(got.body.data.groups.map((g) => g.codec)).toEqual(["PCMA", "PCMU"]);
    const upd = await api<{ data: { durationSec: number } }>("PUT", `/projects/${pid()}/tests/${tid}`, { ...body, durationSec: 45 });
    expect(upd.body.data.durationSec).toBe(45);
    expect((await api("DELETE", `/projects/${pid()}/tests/${tid}`)).status).toBe(200);
    expect((await api("GET", `/projects/${pid()}/tests/${tid}`)).status).toBe(404);
  });
});
