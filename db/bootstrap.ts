/**
 * First-time setup of a production database (Turso): one org, its owner, a first project, an API
 * token and an agent token. Prints the two secrets once; only their hashes are stored.
 *
 *   DB_URL=libsql://<db>.turso.io DB_TOKEN=… bun db/bootstrap.ts --org "Acme VoIP" --email ops@acme.test
 *
 * Refuses to run on a database that already has an org (it is for the first start only).
 */
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import * as s from "./schema.js";
import { newId, nowIso } from "./ids.js";
import { generateToken, hashToken, tokenDisplayPrefix } from "./tokens.js";

export interface BootstrapResult {
  orgId: string;
  projectId: string;
  apiToken: string;
  agentToken: string;
}

export async function bootstrap(url: string, authToken: string | undefined, o: { org: string; email: string; project: string }): Promise<BootstrapResult> {
  const client = createClient({ url, authToken });
  const db = drizzle(client, { schema: s });
  try {
    if ((await db.select({ id: s.orgs.id }).from(s.orgs).limit(1)).length)
      throw new Error("this database already has an organization; bootstrap is for an empty database");
    const now = nowIso();
    const org = { id: newId("org"), name: o.org, planLimits: null, credits: null, createdAt: now };
    const user = { id: newId("usr"), orgId: org.id, email: o.email, name: o.email, role: "OWNER" as const, createdAt: now };
    const project = { id: newId("prj"), orgId: org.id, name: o.project, slug: o.project.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "default", createdAt: now };
    const apiToken = generateToken("api");
    const agentToken = generateToken("agent");
    const token = async (kind: "api" | "agent", secret: string) => ({
      id: newId("tok"), orgId: org.id, userId: user.id, kind, name: `bootstrap ${kind} token`, prefix: tokenDisplayPrefix(secret), hash: await hashToken(secret), createdAt: now,
    });
    await db.batch([
      db.insert(s.orgs).values(org),
      db.insert(s.users).values(user),
      db.insert(s.projects).values(project),
      db.insert(s.apiTokens).values([await token("api", apiToken), await token("agent", agentToken)]),
    ]);
    return { orgId: org.id, projectId: project.id, apiToken, agentToken };
  } finally {
    client.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { org: { type: "string" }, email: { type: "string" }, project: { type: "string" } } });
  const url = process.env.DB_URL;
  if (!url || !values.org || !values.email) {
    console.error('usage: DB_URL=… [DB_TOKEN=…] bun db/bootstrap.ts --org NAME --email OWNER_EMAIL [--project NAME]');
    process.exit(2);
  }
  try {
    const r = await bootstrap(url, process.env.DB_TOKEN, { org: values.org, email: values.email, project: values.project ?? "Default" });
    console.log(`org ${r.orgId}, project ${r.projectId}\nAPI token:   ${r.apiToken}\nagent token: ${r.agentToken}\n(shown once; only their hashes are stored)`);
  } catch (e) {
    console.error(`bootstrap: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
