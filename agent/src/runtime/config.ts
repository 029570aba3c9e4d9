/**
 * Agent configuration from flags and environment (flags win). Documented in the README's
 * "Installing an agent" section; `ringfleet-agent --help` prints the same.
 */
import { parseArgs } from "node:util";
import { hostname } from "node:os";
import type { Level } from "./log.js";

export interface AgentConfig {
  server: string;
  token: string;
  name: string;
  region: string;
  capacity: number;
  stateDir: string;
  /** Address SIP and RTP sockets bind to and advertise (Via, Contact, SDP). */
  sipAddress: string;
  logLevel: Level;
  logFormat: "json" | "pretty";
  healthPort: number | null;
}

export const AGENT_HELP = `ringfleet-agent — Ringfleet load-generating agent

Usage:
  ringfleet-agent [run] --server URL --token TOKEN [options]
  ringfleet-agent registrar --port PORT --accounts FILE [--host 127.0.0.1] [--domain DOMAIN]
  ringfleet-agent media-check
  ringfleet-agent --version

Agent options (environment variable in brackets):
  --server URL        edge URL, e.g. https://ringfleet.example.com        [RINGFLEET_SERVER]
  --token TOKEN       agent token (rfa_…) from the Agents page            [RINGFLEET_TOKEN]
  --name NAME         display name (default: host name)                    [RINGFLEET_AGENT_NAME]
  --region REGION     region label used by tests' assignment (default: default) [RINGFLEET_REGION]
  --capacity N        max concurrent endpoints (default: 500)              [RINGFLEET_CAPACITY]
  --state-dir DIR     where the agent keeps its id (default: ~/.ringfleet-agent) [RINGFLEET_STATE_DIR]
  --sip-address IP    local address for SIP/RTP sockets (default: 127.0.0.1 when the server is local, else 0.0.0.0 with the primary address advertised) [RINGFLEET_SIP_ADDRESS]
  --log-level LEVEL   debug | info | warn | error (default: info)          [LOG_LEVEL]
  --log-format FMT    pretty | json (default: pretty)                      [LOG_FORMAT]
  --health-port PORT  serve GET /health on 127.0.0.1:PORT (default: off)   [HEALTH_PORT]

Media (environment):
  RINGFLEET_MEDIA_WORKERS=N  media threads, each with its own RTP sockets and pacing clock; SIP stays
                      on the main thread (default: one per CPU core on hosts with 2 or more; 0 = media
                      on the main thread beside SIP)

media-check: two local calls on this host's media threads (plain RTP, SDES-SRTP, DTLS-SRTP) —
  sends, receives, MOS, SRTP and a DTLS fingerprint mismatch; prints "media check ok" or the failure.

Registrar options (the built-in registrar + proxy, for tests without your own SIP server):
  --host IP           address to listen on (default: 127.0.0.1)
  --port PORT         UDP port (default: 5070)
  --domain DOMAIN     SIP domain / realm (default: the host)
  --accounts FILE     JSON array of {"username","password"}
`;

export class ConfigError extends Error {}

export function parseAgentArgs(argv: string[], env: NodeJS.ProcessEnv): { command: "run" | "registrar" | "media-check" | "help" | "version"; values: Record<string, string | boolean | undefined> } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: "string" }, token: { type: "string" }, name: { type: "string" }, region: { type: "string" },
      capacity: { type: "string" }, "state-dir": { type: "string" }, "sip-address": { type: "string" },
      "log-level": { type: "string" }, "log-format": { type: "string" }, "health-port": { type: "string" },
      host: { type: "string" }, port: { type: "string" }, domain: { type: "string" }, accounts: { type: "string" },
      help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" },
    },
  });
  if (values.help) return { command: "help", values };
  if (values.version) return { command: "version", values };
  const cmd = positionals[0] ?? "run";
  if (cmd !== "run" && cmd !== "registrar" && cmd !== "media-check") throw new ConfigError(`unknown command "${cmd}" (expected run, registrar or media-check)`);
  void env;
  return { command: cmd, values };
}

export function agentConfig(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): AgentConfig {
  const str = (flag: string, envName: string): string | undefined => (values[flag] as string | undefined) ?? env[envName];
  const server = str("server", "RINGFLEET_SERVER");
  const token = str("token", "RINGFLEET_TOKEN");
  if (!server) throw new ConfigError("--server (or RINGFLEET_SERVER) is required, e.g. --server http://127.0.0.1:8787");
  if (!/^https?:\/\//.test(server)) throw new ConfigError(`--server must start with http:// or https:// (got "${server}")`);
  if (!token) throw new ConfigError("--token (or RINGFLEET_TOKEN) is required: create an agent token on the Agents page");
  const capacity = Number(str("capacity", "RINGFLEET_CAPACITY") ?? "500");
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 100_000) throw new ConfigError(`--capacity must be an integer 1…100000 (got "${str("capacity", "RINGFLEET_CAPACITY")}")`);
  const level = (str("log-level", "LOG_LEVEL") ?? "info") as Level;
  if (!["debug", "info", "warn", "error"].includes(level)) throw new ConfigError(`--log-level must be debug, info, warn or error (got "${level}")`);
  const format = (str("log-format", "LOG_FORMAT") ?? "pretty") as "json" | "pretty";
  if (format !== "json" && format !== "pretty") throw new ConfigError(`--log-format must be json or pretty (got "${format}")`);
  const hp = str("health-port", "HEALTH_PORT");
  const healthPort = hp === undefined ? null : Number(hp);
  if (healthPort !== null && !(Number.isInteger(healthPort) && healthPort > 0 && healthPort < 65536)) throw new ConfigError(`--health-port must be a port number (got "${hp}")`);
  const local = /^https?:\/\/(127\.|localhost|\[::1\])/.test(server);
  return {
    server, token, capacity, healthPort, logLevel: level, logFormat: format,
    name: str("name", "RINGFLEET_AGENT_NAME") ?? hostname(),
    region: str("region", "RINGFLEET_REGION") ?? "default",
    stateDir: str("state-dir", "RINGFLEET_STATE_DIR") ?? `${env.HOME ?? "."}/.ringfleet-agent`,
    sipAddress: str("sip-address", "RINGFLEET_SIP_ADDRESS") ?? (local ? "127.0.0.1" : "0.0.0.0"),
  };
}
