/**
 * The agent process: identity, the fleet connection, the runs it takes part in, self-measurement,
 * an optional local health endpoint, and a graceful stop (hang up, flush frames) on SIGTERM/SIGINT.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { AgentLoad } from "../../../protocol/index.js";
import type { AgentConfig } from "./config.js";
import { FleetClient } from "./fleet-client.js";
import type { MediaFactory } from "./ports.js";
import { LoadMeter } from "./load.js";
import { HealthMonitor } from "./health.js";
import type { Logger } from "./log.js";
import { RunClient, type EndpointFactory } from "./run-client.js";

export const AGENT_VERSION = "0.1.0";

/** A stable id per installation, so a restarted agent is the same agent to the fleet. */
export function loadAgentId(stateDir: string): string {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, "agent.json");
  if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { agentId: string }).agentId;
  const agentId = `agt_${randomBytes(8).toString("hex")}`;
  writeFileSync(file, JSON.stringify({ agentId }, null, 2));
  return agentId;
}

export interface AgentCounters {
  /** Packets per second sent+received by media, and drops (malformed, late) — filled by the media layer. */
  pps: () => number;
  drops: () => number;
}

export class Agent {
  readonly agentId: string;
  private readonly runs = new Map<string, RunClient>();
  private readonly meter = new LoadMeter();
  /** Socket failures and loop lag → the fault reported with each heartbeat (status ERROR). */
  readonly healthMonitor = new HealthMonitor();
  private readonly fleet: FleetClient;
  private health: Server | null = null;

  constructor(
    private readonly cfg: AgentConfig,
    private readonly log: Logger,
    private readonly createEndpoint: (runId: string) => EndpointFactory,
    private readonly counters: AgentCounters,
    /** The media factory's prefetch (media on worker threads), handed to each run's frame tick. */
    private readonly prefetchMedia?: MediaFactory["prefetch"],
  ) {
    this.agentId = loadAgentId(cfg.stateDir);
    this.fleet = new FleetClient({
      server: cfg.server, token: cfg.token, agentId: this.agentId, name: cfg.name, region: cfg.region, capacity: cfg.capacity,
      version: AGENT_VERSION, log, activeRuns: () => [...this.runs.keys()], activeEndpoints: () => this.activeEndpoints(),
      load: () => this.load(), onAssign: (runId) => this.join(runId),
      fault: () => (this.load(), this.healthMonitor.check()),
    });
    if (cfg.healthPort) this.serveHealth(cfg.healthPort);
  }

  private lastLoad: AgentLoad = { cpu: 0, loopLagMs: 0, pps: 0, drops: 0 };
  private lastLoadAt = 0;
  /** Sampled at most every 900 ms: frames of several runs share one measurement. */
  load(): AgentLoad {
    const now = Date.now();
    if (now - this.lastLoadAt >= 900) {
      const m = this.meter.sample();
      this.lastLoad = { cpu: m.cpu, loopLagMs: m.loopLagMs, pps: this.counters.pps(), drops: this.counters.drops() };
      this.healthMonitor.observeLag(m.loopLagMs);
      this.lastLoadAt = now;
    }
    return this.lastLoad;
  }

  activeEndpoints(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r.activeEndpoints;
    return n;
  }

  private join(runId: string) {
    if (this.runs.has(runId)) return;
    this.runs.set(runId, new RunClient({
      server: this.cfg.server, token: this.cfg.token, agentId: this.agentId, runId, log: this.log,
      createEndpoint: this.createEndpoint(runId), load: () => this.load(),
      onFinished: (id) => this.runs.delete(id),
      ...(this.prefetchMedia ? { prefetchMedia: this.prefetchMedia } : {}),
    }));
  }

  private serveHealth(port: number) {
    this.health = createServer((req, res) => {
      if (req.url !== "/health") return void res.writeHead(404).end();
      const body = { connected: this.fleet.connected, agentId: this.agentId, runs: [...this.runs.keys()], activeEndpoints: this.activeEndpoints(), load: this.load() };
      res.writeHead(this.fleet.connected ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    this.health.listen(port, "127.0.0.1");
  }

  /** Graceful stop: hang up every call (BYE, de-register), give frames a moment to flush, then close. */
  async shutdown(graceMs = 5000): Promise<void> {
    this.fleet.drain();
    for (const r of this.runs.values()) r.stopAll("agent shutting down");
    const deadline = Date.now() + graceMs;
    while (this.runs.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    this.fleet.close();
    this.meter.stop();
    this.health?.close();
  }
}
