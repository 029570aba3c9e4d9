/**
 * `npm start`: the whole product on this machine — database, edge + dashboard, the built-in
 * registrar, one local agent — then the demo test (group A calls group B through the built-in
 * registrar). Prints the dashboard URL, the sign-in (admin@ringfleet.local and its per-install
 * password) and the API token, and writes them to .ringfleet/local.json.
 * Ctrl-C stops everything it started.
 *
 * Environment: RINGFLEET_EDGE_PORT (8787), RINGFLEET_DB_PORT (8080), RINGFLEET_REGISTRAR_PORT (5070),
 * RINGFLEET_NO_DEMO=1 to skip starting the demo run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startStack } from "./stack.js";

const dir = join(ROOT, ".ringfleet");
mkdirSync(dir, { recursive: true });
const port = (name: string, def: number) => Number(process.env[name] ?? def);

const stack = await startStack({
  dir,
  dbPort: port("RINGFLEET_DB_PORT", 8080),
  edgePort: port("RINGFLEET_EDGE_PORT", 8787),
  registrarPort: port("RINGFLEET_REGISTRAR_PORT", 5070),
}).catch((e) => {
  console.error(`\n✖ could not start: ${e instanceof Error ? e.message : e}\n  logs: ${join(dir, "logs")}`);
  process.exit(1);
});

const local = { url: stack.url, email: stack.adminEmail, password: stack.adminPassword, token: stack.token, projectId: stack.projectId, demoTestId: stack.demoTestId };
writeFileSync(join(dir, "local.json"), JSON.stringify(local, null, 2) + "\n", { mode: 0o600 });

let runUrl = "";
if (process.env.RINGFLEET_NO_DEMO !== "1") {
  const r = await fetch(`${stack.url}/api/v1/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: "{}",
  });
  const body = (await r.json()) as { data?: { testRunId: string }; error?: { message: string } };
  if (body.data) runUrl = `${stack.url}/#/projects/${stack.projectId}/runs/${body.data.testRunId}`;
  else console.error(`demo run did not start: ${body.error?.message}`);
}

console.log(`
✔ Ringfleet is running locally

  Dashboard   ${stack.url}/
  Sign in     ${stack.adminEmail}
  Password    ${stack.adminPassword}
  Demo run    ${runUrl || "(skipped)"}
  API token   ${stack.token}   (automation; or open ${stack.url}/?token=${stack.token})
  API         curl -H "Authorization: Bearer ${stack.token}" ${stack.url}/api/v1/projects
  Saved to    .ringfleet/local.json     Logs: .ringfleet/logs/

  Ctrl-C stops everything.
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping…");
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
// Keep running until a signal arrives.
setInterval(() => {}, 1 << 30);
