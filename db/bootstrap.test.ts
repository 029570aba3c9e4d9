/** First-time setup of an empty database, against a real sqld. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { startSqld } from "../test/support/sqld.js";
import { bootstrap } from "./bootstrap.js";
import { migrateDatabase } from "./migrate.js";
import { hashToken } from "./tokens.js";

describe("db bootstrap", () => {
  let sqld: Awaited<ReturnType<typeof startSqld>>;
  beforeAll(async () => {
    sqld = await startSqld();
    await migrateDatabase(sqld.url);
  });
  afterAll(async () => sqld?.stop());

  it("creates an org, owner, project and two working tokens, once", async () => {
    const r = await bootstrap(sqld.url, undefined, { org: "Acme VoIP", email: "ops@acme.test", project: "Trunk QA" });
    expect(r.apiToken).toMatch(/^rf_[0-9a-f]{48}$/);
    expect(r.agentToken).toMatch(/^rfa_[0-9a-f]{64}$/);
    const db = createClient({ url: sqld.url });
    const tokens = (await db.execute({ sql: "SELECT kind, hash FROM api_tokens WHERE org_id = ?", args: [r.orgId] })).rows;
    expect(tokens.map((t) => t.kind).sort()).toEqual(["agent", "api"]);
    expect(tokens.map((t) => t.hash)).toContain(await hashToken(r.apiToken));
    expect((await db.execute({ sql: "SELECT slug FROM projects WHERE id = ?", args: [r.projectId] })).rows[0]!.slug).toBe("trunk-qa");
    db.close();
    await expect(bootstrap(sqld.url, undefined, { org: "Again", email: "x@y.test", project: "P" })).rejects.toThrow(/already has an organization/);
  });
});
