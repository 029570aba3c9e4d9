/**
 * ringfleet-agent: the load generator (default command) or the built-in registrar.
 * Runs under Bun (`bun agent/src/main.ts`) and compiles to one binary (`npm run build:agent`).
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { checkMedia } from "./media/media-check.js";
import { mediaWorkerCount } from "./media/worker-assign.js";
import { mediaUdpBackend } from "./media/udp.js";
import { AGENT_HELP, ConfigError, agentConfig, parseAgentArgs } from "./runtime/config.js";
import { Agent, AGENT_VERSION } from "./runtime/agent.js";
import { Endpoint } from "./runtime/endpoint.js";
import { createLogger } from "./runtime/log.js";
import { mediaFactory, mediaCounters } from "./runtime/media-port.js";
import { userAgentFactory } from "./runtime/sip-port.js";
import { startRegistrar } from "./registrar/index.js";

async function runAgent(values: Record<string, string | boolean | undefined>) {
  const cfg = agentConfig(values, process.env);
  const log = createLogger(cfg.logLevel, cfg.logFormat, "agent");
  const ua = userAgentFactory();
  const media = mediaFactory();
  const agent = new Agent(
    cfg,
    log,
    (runId) => (spec) =>
      new Endpoint(spec, {
        ua, media, localAddress: cfg.sipAddress, log: createLogger(cfg.logLevel, cfg.logFormat, `run ${runId}`),
        onSocketError: (e) => agent.healthMonitor.socketFailed(e),
      }),
    mediaCounters,
    media.prefetch,
  );
  log.info("agent started", { agentId: agent.agentId, server: cfg.server, region: cfg.region, capacity: cfg.capacity, version: AGENT_VERSION });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down: hanging up calls and flushing frames", { signal });
    await agent.shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

async function runRegistrar(values: Record<string, string | boolean | undefined>) {
  const log = createLogger((process.env.LOG_LEVEL as "info") ?? "info", (process.env.LOG_FORMAT as "pretty") ?? "pretty", "registrar");
  const host = (values.host as string | undefined) ?? "127.0.0.1";
  const port = Number(values.port ?? 5070);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`--port must be a port number (got "${values.port}")`);
  const file = values.accounts as string | undefined;
  if (!file) throw new ConfigError("--accounts FILE is required: a JSON array of {\"username\",\"password\"}");
  let accounts: { username: string; password: string }[];
  try {
    accounts = JSON.parse(readFileSync(file, "utf8"));
    if (!Array.isArray(accounts) || accounts.some((a) => typeof a?.username !== "string" || typeof a?.password !== "string"))
      throw new Error("expected an array of {username, password}");
  } catch (e) {
    throw new ConfigError(`--accounts ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const domain = (values.domain as string | undefined) ?? host;
  const registrar = await startRegistrar({ host, port, domain, accounts });
  log.info("built-in registrar listening", { host, port: registrar.port, domain, accounts: accounts.length });
  const stop = async () => {
    await registrar.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

/** `ringfleet-agent media-check`: the media path of this host, on the threads a run would use. */
async function runMediaCheck() {
  const workers = mediaWorkerCount(cpus().length, process.env);
  await checkMedia(workers);
  console.log(`media check ok: ${workers ? `${workers} media thread${workers > 1 ? "s" : ""}` : "media on the main thread"}, UDP backend ${mediaUdpBackend()}; plain RTP, SDES-SRTP, DTLS-SRTP and Opus calls sent and received, a DTLS fingerprint mismatch was caught`);
  process.exit(0);
}

try {
  const { command, values } = parseAgentArgs(process.argv.slice(2), process.env);
  if (command === "help") console.log(AGENT_HELP);
  else if (command === "version") console.log(AGENT_VERSION);
  else if (command === "registrar") await runRegistrar(values);
  else if (command === "media-check") await runMediaCheck();
  else await runAgent(values);
} catch (e) {
  if (e instanceof ConfigError || (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS"))) {
    console.error(`ringfleet-agent: ${e.message}\nRun ringfleet-agent --help for usage.`);
    process.exit(2);
  }
  throw e;
}
