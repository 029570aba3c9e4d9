/** The agent's control socket to its org's FleetObject: hello, heartbeats, and run assignments. */
import { hostname, cpus, totalmem, platform } from "node:os";
import { FleetToAgent, PROTOCOL_VERSION, parseWire, type AgentFault, type AgentLoad, type AgentToFleet } from "../../../protocol/index.js";
import type { Logger } from "./log.js";
import { ReconnectingSocket } from "./socket.js";

export interface FleetClientOptions {
  server: string;
  token: string;
  agentId: string;
  name: string;
  region: string;
  capacity: number;
  version: string;
  log: Logger;
  activeRuns: () => string[];
  activeEndpoints: () => number;
  load: () => AgentLoad;
  /** Checked once per heartbeat: a fault makes this agent ERROR on the edge until it clears. */
  fault?: () => AgentFault | null;
  onAssign: (runId: string) => void;
  onConnected?: (connected: boolean) => void;
}

export function wsUrl(server: string, path: string): string {
  const u = new URL(path, server);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

export class FleetClient {
  private readonly socket: ReconnectingSocket;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  connected = false;

  constructor(private readonly o: FleetClientOptions) {
    this.socket = new ReconnectingSocket({
      url: wsUrl(o.server, "/agent/connect"),
      token: o.token,
      log: o.log,
      onOpen: () => this.hello(),
      onMessage: (t) => this.onMessage(t),
      onClose: (code, reason) => {
        this.setConnected(false);
        if (this.heartbeat) clearInterval(this.heartbeat);
        o.log.warn("fleet connection closed; reconnecting", { code, reason });
      },
    });
  }

  private send(msg: AgentToFleet) {
    this.socket.send(JSON.stringify(msg));
  }

  private hello() {
    const o = this.o;
    this.send({
      v: PROTOCOL_VERSION, type: "hello", agentId: o.agentId, name: o.name, region: o.region, capacity: o.capacity, version: o.version,
      host: { hostname: hostname(), platform: `${platform()}-${process.arch}`, cpus: cpus().length, memMb: Math.round(totalmem() / 2 ** 20) },
      activeRuns: o.activeRuns(),
    });
  }

  private setConnected(c: boolean) {
    if (this.connected !== c) {
      this.connected = c;
      this.o.onConnected?.(c);
    }
  }

  private onMessage(text: string) {
    const parsed = parseWire(FleetToAgent, text);
    if (!parsed.ok) return this.o.log.warn("bad message from fleet", { error: parsed.message });
    const msg = parsed.value;
    switch (msg.type) {
      case "welcome":
        this.setConnected(true);
        this.o.log.info("connected to edge", { agentId: msg.agentId });
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = setInterval(
          () => {
            const fault = this.o.fault?.() ?? null;
            if (fault) this.o.log.warn("reporting a fault: no new work until it clears", fault);
            this.send({ v: PROTOCOL_VERSION, type: "heartbeat", load: this.o.load(), activeEndpoints: this.o.activeEndpoints(), fault });
          },
          msg.heartbeatMs,
        );
        return;
      case "assign":
        this.o.log.info("assigned to run", { runId: msg.runId });
        this.o.onAssign(msg.runId);
        return;
      case "drain":
        this.o.log.info("drain requested");
        return;
      case "error":
        this.o.log.warn("fleet reported an error", { code: msg.code, message: msg.message });
    }
  }

  /** Tell the fleet this agent takes no new work (it is shutting down). */
  drain() {
    this.send({ v: PROTOCOL_VERSION, type: "draining" });
  }

  close() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.socket.close();
  }
}
