/**
 * Runs once per `vitest run`: a real sqld, migrated and seeded, for the Worker tests (workerd
 * reaches it over HTTP exactly as production reaches Turso). Values reach tests via inject().
 */
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../db/migrate.js";
import { createClient } from "@libsql/client";
import { LOCAL_ADMIN_EMAIL, builtinAccounts, seedLocal } from "../db/seed.js";
import { newId, nowIso } from "../db/ids.js";
import { generateToken } from "../db/tokens.js";
import { startSqld } from "./support/sqld.js";

declare module "vitest" {
  export interface ProvidedContext {
    dbUrl: string;
    apiToken: string;
    agentToken: string;
    projectId: string;
    demoTestId: string;
    registrarId: string;
    /** admin@ringfleet.local's password; admin is OWNER of the seeded org and VIEWER of a second one. */
    adminEmail: string;
    adminPassword: string;
    secondOrgId: string;
    secondProjectId: string;
  }
}

export default async function setup(project: TestProject) {
  const sqld = await startSqld();
  await migrateDatabase(sqld.url);
  const apiToken = generateToken("api");
  const agentToken = generateToken("agent");
  const adminPassword = "local-admin-pw";
  const seed = await seedLocal(sqld.url, {
    apiToken, agentToken, adminPassword, registrarHost: "127.0.0.1", registrarPort: 5999, accounts: builtinAccounts(10, (u) => `pw-${u}`),
  });
  // A second org the admin belongs to as a viewer, with one project (for /me and the org switch).
  const secondOrgId = newId("org");
  const secondProjectId = newId("prj");
  const db = createClient({ url: sqld.url });
  const now = nowIso();
  await db.batch([
    { sql: "INSERT INTO orgs (id, name, created_at) VALUES (?, 'Second org', ?)", args: [secondOrgId, now] },
    { sql: "INSERT INTO projects (id, org_id, name, slug, created_at) VALUES (?, ?, 'Other project', 'other', ?)", args: [secondProjectId, secondOrgId, now] },
    { sql: "INSERT INTO memberships (user_id, org_id, role, created_at) SELECT id, ?, 'VIEWER', ? FROM users WHERE email = ?", args: [secondOrgId, "9999-01-01T00:00:00.000Z", LOCAL_ADMIN_EMAIL] },
  ]);
  db.close();
  project.provide("adminEmail", LOCAL_ADMIN_EMAIL);
  project.provide("adminPassword", adminPassword);
  project.provide("secondOrgId", secondOrgId);
  project.provide("secondProjectId", secondProjectId);
  project.provide("dbUrl", sqld.url);
  project.provide("apiToken", apiToken);
  project.provide("agentToken", agentToken);
  project.provide("projectId", seed.projectId);
  project.provide("demoTestId", seed.demoTestId);
  project.provide("registrarId", seed.registrarId);
  return () => sqld.stop();
}
