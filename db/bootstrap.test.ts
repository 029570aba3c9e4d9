/** First-time setup of an empty database, against a real sqld. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { startSqld } from "../test/support/sqld.js";
import { bootstrap } from "./bootstrap.js";
import { migrateDatabase } from "./migrate.js";
import { hashToken } from "./tokens.js";
import { verifyPassword } from "./passwords.js";

describe("db bootstrap", () => {
  let sqld: Awaited<ReturnType<typeof startSqld>>;
  beforeAll(async () => {
    sqld = await startSqld();
    await migrateDatabase(sqld.url);
  });
  afterAll(async () => sqld?.stop());

  it("creates an org, owner, project and two working tokens, once", async () => {
    const r = await bootstrap(sqld.url, undefined, { org: "Acme VoIP", email: "Ops@Acme.test", project: "Trunk QA" });
    expect(r.generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(r.apiToken).toMatch(/^rf_[0-9a-f]{48}$/);
    expect(r.agentToken).toMatch(/^rfa_[0-9a-f]{64}$/);
    const db = createClient({ url: sqld.url });
    const tokens = (await db.execute({ sql: "SELECT kind, hash FROM api_tokens WHERE org_id = ?", args: [r.orgId] })).rows;
    expect(tokens.map((t) => t.kind).sort()).toEqual(["agent", "api"]);
    expect(tokens.map((t) => t.hash)).toContain(await hashToken(r.apiToken));
    expect((await db.execute({ sql: "SELECT slug FROM projects WHERE id = ?", args: [r.projectId] })).rows[0]!.slug).toBe("trunk-qa");
    // The owner can sign in with the generated password, and is an OWNER member of the org.
    const owner = (await db.execute({ sql: "SELECT id, email, password_hash FROM users WHERE org_id = ?", args: [r.orgId] })).rows[0]!;
    expect(owner.email).toBe("ops@acme.test");
    expect(await verifyPassword(r.generatedPassword!, String(owner.password_hash))).toBe(true);
    expect(await verifyPassword("wrong", String(owner.password_hash))).toBe(false);
    const m = (await db.execute({ sql: "SELECT org_id, role FROM memberships WHERE user_id = ?", args: [owner.id] })).rows;
    expect(m.map((x) => [x.org_id, x.role])).toEqual([[r.orgId, "OWNER"]]);
    db.close();
    await expect(bootstrap(sqld.url, undefined, { org: "Again", email: "x@y.test", project: "P" })).rejects.toThrow(/already has an organization/);
  });

  it("uses --owner-password when given, and refuses a short one", async () => {
    const fresh = await startSqld();
    try {
      await migrateDatabase(fresh.url);
      await expect(bootstrap(fresh.url, undefined, { org: "A", email: "a@b.test", project: "P", password: "short" })).rejects.toThrow(/at least 12/);
      const r = await bootstrap(fresh.url, undefined, { org: "A", email: "a@b.test", project: "P", password: "a long enough password" });
      expect(r.generatedPassword).toBeNull();
      const db = createClient({ url: fresh.url });
      const hash = String((await db.execute("SELECT password_hash FROM users")).rows[0]!.password_hash);
      db.close();
      expect(await verifyPassword("a long enough password", hash)).toBe(true);
    } finally {
      await fresh.stop();
    }
  });
});
