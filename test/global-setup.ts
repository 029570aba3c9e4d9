/**
 * Runs once per `vitest run`: a real sqld, migrated and seeded, for the Worker tests (workerd
 * reaches it over HTTP exactly as production reaches Turso). Values reach tests via inject().
 */
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../db/migrate.js";
import { builtinAccounts, seedLocal } from "../db/seed.js";
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
  }
}

export default async function setup(project: TestProject) {
  const sqld = await startSqld();
  await migrateDatabase(sqld.url);
  const apiToken = generateToken("api");
  const agentToken = generateToken("agent");
  const seed = await seedLocal(sqld.url, {
    apiToken, agentToken, registrarHost: "127.0.0.1", registrarPort: 5999, accounts: builtinAccounts(10, (u) => `pw-${u}`),
  });
  project.provide("dbUrl", sqld.url);
  project.provide("apiToken", apiToken);
  project.provide("agentToken", agentToken);
  project.provide("projectId", seed.projectId);
  project.provide("demoTestId", seed.demoTestId);
  project.provide("registrarId", seed.registrarId);
  return () => sqld.stop();
}
