/**
 * First-time setup of a production database (Turso): one org, its owner (who signs in to the
 * dashboard with their email and a password), a first project, an API token and an agent token.
 * Prints the secrets once; only their hashes are stored. Without `--owner-password` a password is
 * generated and printed (the owner should change it).
 *
 *   DB_URL=libsql://<db>.turso.io DB_TOKEN=… bun db/bootstrap.ts --org "Acme VoIP" --owner-email ops@acme.test [--owner-password …]
 *
 * (`--email` is accepted as the older spelling of `--owner-email`.)
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
import { generatePassword, hashPassword } from "./passwords.js";

/** Shortest owner password bootstrap accepts. */
export const MIN_PASSWORD_LENGTH = 12;

export interface BootstrapResult {
  orgId: string;
  projectId: string;
  apiToken: string;
  agentToken: string;
  /** The owner's password when bootstrap generated it (null when it was given). */
  generatedPassword: string | null;
}

export async function bootstrap(
  url: string,
  authToken: string | undefined,
  o: { org: string; email: string; project: string; password?: string },
): Promise<BootstrapResult> {
  if (o.password !== undefined && o.password.length < MIN_PASSWORD_LENGTH)
    throw new Error(`--owner-password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  const generatedPassword = o.password === undefined ? generatePassword() : null;
  const passwordHash = await hashPassword(o.password ?? generatedPassword!);
  const client = createClient({ url, authToken });
  const db = drizzle(client, { schema: s });
  try {
    if ((await db.select({ id: s.orgs.id }).from(s.orgs).limit(1)).length)
      throw new Error("this database already has an organization; bootstrap is for an empty database");
    const now = nowIso();
    const org = { id: newId("org"), name: o.org, planLimits: null, credits: null, createdAt: now };
    const email = o.email.trim().toLowerCase();
    const user = { id: newId("usr"), orgId: org.id, email, name: email, role: "OWNER" as const, passwordHash, createdAt: now };
    const project = { id: newId("prj"), orgId: org.id, name: o.project, slug: o.project.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "default", createdAt: now };
    const apiToken = generateToken("api");
    const agentToken = generateToken("agent");
    const token = async (kind: "api" | "agent", secret: string) => ({
      id: newId("tok"), orgId: org.id, userId: user.id, kind, name: `bootstrap ${kind} token`, prefix: tokenDisplayPrefix(secret), hash: await hashToken(secret), createdAt: now,
    });
    await db.batch([
      db.insert(s.orgs).values(org),
      db.insert(s.users).values(user),
      db.insert(s.memberships).values({ userId: user.id, orgId: org.id, role: "OWNER", createdAt: now }),
      db.insert(s.projects).values(project),
      db.insert(s.apiTokens).values([await token("api", apiToken), await token("agent", agentToken)]),
    ]);
    return { orgId: org.id, projectId: project.id, apiToken, agentToken, generatedPassword };
  } finally {
    client.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { org: { type: "string" }, "owner-email": { type: "string" }, email: { type: "string" }, "owner-password": { type: "string" }, project: { type: "string" } },
  });
  const url = process.env.DB_URL;
  const email = values["owner-email"] ?? values.email;
  if (!url || !values.org || !email) {
    console.error("usage: DB_URL=… [DB_TOKEN=…] bun db/bootstrap.ts --org NAME --owner-email EMAIL [--owner-password PASSWORD] [--project NAME]");
    process.exit(2);
  }
  try {
    const r = await bootstrap(url, process.env.DB_TOKEN, { org: values.org, email, password: values["owner-password"], project: values.project ?? "Default" });
    const pw = r.generatedPassword ? `\nowner password: ${r.generatedPassword} (generated; sign in as ${email.trim().toLowerCase()})` : "";
    console.log(`org ${r.orgId}, project ${r.projectId}\nAPI token:   ${r.apiToken}\nagent token: ${r.agentToken}${pw}\n(shown once; only their hashes are stored)`);
  } catch (e) {
    console.error(`bootstrap: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
