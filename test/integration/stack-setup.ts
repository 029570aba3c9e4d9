/**
 * Integration tests share one real local stack — sqld, wrangler dev (workerd with the Worker and
 * its Durable Objects), the built-in registrar and one agent — started exactly as `npm start` does.
 */
import type { TestProject } from "vitest/node";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack } from "../../scripts/stack.js";
import { freeTcpPort, freeUdpPort } from "../support/ports.js";

declare module "vitest" {
  export interface ProvidedContext {
    stackUrl: string;
    stackToken: string;
    stackAdminEmail: string;
    stackAdminPassword: string;
    stackProjectId: string;
    stackDemoTestId: string;
    stackDir: string;
    stackRegistrarPort: number;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "ringfleet-it-"));
  const stack = await startStack({
    dir, dbPort: await freeTcpPort(), edgePort: await freeTcpPort(), registrarPort: await freeUdpPort(),
    log: (l) => process.env.RINGFLEET_TEST_VERBOSE && console.log(l),
  });
  project.provide("stackUrl", stack.url);
  project.provide("stackToken", stack.token);
  project.provide("stackAdminEmail", stack.adminEmail);
  project.provide("stackAdminPassword", stack.adminPassword);
  project.provide("stackProjectId", stack.projectId);
  project.provide("stackDemoTestId", stack.demoTestId);
  project.provide("stackDir", dir);
  project.provide("stackRegistrarPort", stack.registrarPort);
  return async () => {
    await stack.stop();
    if (!process.env.RINGFLEET_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
  };
}
