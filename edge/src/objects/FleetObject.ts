/**
 * FleetObject — one per org: the agents connected to it (presence over hibernatable WebSockets),
 * their region, capacity and load, and the capacity reserved by runs. Allocation decisions are the
 * pure `allocate()`; this object only keeps the facts and the sockets.
 */
import { DurableObject } from "cloudflare:workers";
import { AgentToFleet, PROTOCOL_VERSION, parseWire, type Agent, type AgentFaultCode, type AgentStatus, type FleetToAgent } from "../../../protocol/index.js";
import type { Env } from "../env.js";
import { allocate, type GroupDemand } from "../runs/allocate.js";
import { INTERNAL_HEADERS } from "../routes/sockets.js";

/** How often agents send heartbeats, and how often this object checks for silent agents. */
export const HEARTBEAT_MS = 5_000;
const SWEEP_MS = 15_000;

interface SocketAttachment {
  orgId: string;
  agentId: string | null;
}
export type FleetAllocation =
  | { ok: true; perGroup: Record<string, string[]> }
  | { ok: false; reasonCode: "NO_ONLINE_AGENT" | "INSUFFICIENT_AGENT_CAPACITY"; reason: string };

function parseHost(json: string): Agent["host"] {
  try {
    return JSON.parse(json) as Agent["host"];
  } catch {
    return null;
  }
}

export class FleetObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS agents (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL, capacity INTEGER NOT NULL, version TEXT NOT NULL,
      host TEXT NOT NULL, connected INTEGER NOT NULL, draining INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL,
      load REAL NOT NULL DEFAULT 0, active_endpoints INTEGER NOT NULL DEFAULT 0)`);
    // Added after the first release: objects created before it get the columns here.
    for (const col of ["fault_code TEXT", "fault_message TEXT"]) {
      try {
        this.sql.exec(`ALTER TABLE agents ADD COLUMN ${col}`);
      } catch {
        /* already there */
      }
    }
    this.sql.exec(`CREATE TABLE IF NOT EXISTS reservations (run_id TEXT NOT NULL, agent_id TEXT NOT NULL, endpoints INTEGER NOT NULL, PRIMARY KEY (run_id, agent_id))`);
  }

  private offlineAfterMs(): number {
    const s = Number(this.env.AGENT_OFFLINE_AFTER_SEC ?? "60");
    return (Number.isFinite(s) && s > 0 ? s : 60) * 1000;
  }

  /** OFFLINE beats DRAINING (a deliberate shutdown) beats ERROR (a reported fault) beats ONLINE. */
  private statusOf(row: { connected: number; draining: number; last_seen: number; fault_code?: string | null }, now: number): AgentStatus {
    if (!row.connected || now - row.last_seen > this.offlineAfterMs()) return "OFFLINE";
    if (row.draining) return "DRAINING";
    return row.fault_code ? "ERROR" : "ONLINE";
  }

  override async fetch(request: Request): Promise<Response> {
    const pair = new WebSocketPair();
    const attachment: SocketAttachment = { orgId: request.headers.get(INTERNAL_HEADERS.org) ?? "", agentId: null };
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    const parsed = parseWire(AgentToFleet, text);
    if (!parsed.ok) return this.send(ws, { v: PROTOCOL_VERSION, type: "error", code: "INVALID_MESSAGE", message: parsed.message, path: parsed.path });
    const msg = parsed.value;
    const att = ws.deserializeAttachment() as SocketAttachment;
    const now = Date.now();
    if (msg.type === "hello") {
      this.sql.exec(
        `INSERT INTO agents (id, name, region, capacity, version, host, connected, last_seen) VALUES (?, ?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT(id) DO UPDATE SET name=excluded.name, region=excluded.region, capacity=excluded.capacity, version=excluded.version,
           host=excluded.host, connected=1, draining=0, last_seen=excluded.last_seen, fault_code=NULL, fault_message=NULL`,
        msg.agentId, msg.name, msg.region, msg.capacity, msg.version, JSON.stringify(msg.host), now,
      );
      // One live socket per agent: an older one (a half-dead connection) is closed.
      for (const other of this.ctx.getWebSockets()) {
        if (other !== ws && (other.deserializeAttachment() as SocketAttachment).agentId === msg.agentId) other.close(4000, "replaced by a newer connection");
      }
      ws.serializeAttachment({ ...att, agentId: msg.agentId });
      this.send(ws, { v: PROTOCOL_VERSION, type: "welcome", agentId: msg.agentId, heartbeatMs: HEARTBEAT_MS });
      await this.ensureSweep();
      return;
    }
    if (!att.agentId) return this.send(ws, { v: PROTOCOL_VERSION, type: "error", code: "HELLO_FIRST", message: "type: send hello before heartbeat" });
    if (msg.type === "draining") {
      this.sql.exec(`UPDATE agents SET draining = 1, last_seen = ? WHERE id = ?`, now, att.agentId);
      return;
    }
    this.sql.exec(
      `UPDATE agents SET last_seen = ?, load = ?, active_endpoints = ?, connected = 1, fault_code = ?, fault_message = ? WHERE id = ?`,
      now, msg.load.cpu, msg.activeEndpoints, msg.fault?.code ?? null, msg.fault?.message ?? null, att.agentId,
    );
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    this.markDisconnected(ws);
  }
  override async webSocketError(ws: WebSocket): Promise<void> {
    this.markDisconnected(ws);
  }

  private markDisconnected(ws: WebSocket) {
    const att = ws.deserializeAttachment() as SocketAttachment | null;
    if (!att?.agentId) return;
    const stillConnected = this.ctx.getWebSockets().some((o) => o !== ws && (o.deserializeAttachment() as SocketAttachment).agentId === att.agentId);
    if (!stillConnected) this.sql.exec(`UPDATE agents SET connected = 0 WHERE id = ?`, att.agentId);
  }

  private async ensureSweep() {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SWEEP_MS);
  }

  /** Sockets that stopped sending heartbeats are dead even if the close never arrived. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const silent = this.sql.exec<{ id: string }>(`SELECT id FROM agents WHERE connected = 1 AND last_seen < ?`, now - this.offlineAfterMs()).toArray();
    for (const { id } of silent) {
      this.sql.exec(`UPDATE agents SET connected = 0 WHERE id = ?`, id);
      for (const ws of this.socketsOf(id)) ws.close(4001, "heartbeat missed");
    }
    const anyConnected = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM agents WHERE connected = 1`).one().n > 0;
    if (anyConnected) await this.ctx.storage.setAlarm(now + SWEEP_MS);
  }

  private socketsOf(agentId: string): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => (ws.deserializeAttachment() as SocketAttachment).agentId === agentId);
  }

  private send(ws: WebSocket, msg: FleetToAgent) {
    try {
      ws.send(JSON.stringify(msg));
    } catch {
      /* socket already closing: the close handler records it */
    }
  }

  // ---- RPC ------------------------------------------------------------------------------------

  async listAgents(): Promise<Agent[]> {
    const now = Date.now();
    return this.sql
      .exec<{
        id: string; name: string; region: string; capacity: number; version: string; connected: number; draining: number; last_seen: number;
        load: number; active_endpoints: number; fault_code: AgentFaultCode | null; fault_message: string | null; host: string;
      }>(
        `SELECT * FROM agents ORDER BY name`,
      )
      .toArray()
      .map((r) => ({
        id: r.id, name: r.name, region: r.region, capacity: r.capacity, version: r.version,
        status: this.statusOf(r, now), load: r.load, activeEndpoints: r.active_endpoints, lastSeenAt: new Date(r.last_seen).toISOString(),
        fault: r.fault_code ? { code: r.fault_code, message: r.fault_message ?? r.fault_code } : null,
        host: parseHost(r.host),
      }));
  }

  /** Atomically check capacity and reserve it for a run (one object per org ⇒ no race between runs). */
  async allocate(runId: string, demand: GroupDemand[]): Promise<FleetAllocation> {
    const now = Date.now();
    const rows = this.sql
      .exec<{ id: string; region: string; capacity: number; connected: number; draining: number; last_seen: number; fault_code: string | null; reserved: number }>(
        `SELECT a.*, COALESCE((SELECT SUM(endpoints) FROM reservations r WHERE r.agent_id = a.id AND r.run_id != ?), 0) AS reserved FROM agents a`,
        runId,
      )
      .toArray();
    const result = allocate(rows.map((r) => ({ id: r.id, region: r.region, status: this.statusOf(r, now), capacity: r.capacity, reserved: r.reserved })), demand);
    if (!result.ok) return { ok: false, reasonCode: result.reasonCode as "NO_ONLINE_AGENT", reason: result.reason };
    this.sql.exec(`DELETE FROM reservations WHERE run_id = ?`, runId);
    for (const [agentId, n] of result.perAgent) this.sql.exec(`INSERT INTO reservations (run_id, agent_id, endpoints) VALUES (?, ?, ?)`, runId, agentId, n);
    return { ok: true, perGroup: Object.fromEntries(result.perGroup) };
  }

  /** Tell agents to open the run socket. Returns the agents that were reachable. */
  async assign(runId: string, agentIds: string[]): Promise<string[]> {
    const reached: string[] = [];
    for (const id of agentIds) {
      for (const ws of this.socketsOf(id)) {
        this.send(ws, { v: PROTOCOL_VERSION, type: "assign", runId });
        reached.push(id);
      }
    }
    return reached;
  }

  async release(runId: string): Promise<void> {
    this.sql.exec(`DELETE FROM reservations WHERE run_id = ?`, runId);
  }
}
