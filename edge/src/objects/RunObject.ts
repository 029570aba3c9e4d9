/**
 * RunObject — one per run, addressed by run id. The run's state machine, its endpoints, the agents'
 * run sockets and the dashboard viewers meet here. Its SQLite holds the run's hot data (per-second
 * samples, SIP traces); the summary and per-endpoint results go to libSQL when the run ends, with
 * retries, and nothing is dropped until libSQL has it. Every wait is bounded by an alarm.
 * Decisions live in pure modules (runs/plan, runs/allocate, runs/aggregate, runs/run-state).
 */
import { DurableObject } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import type { InArgs, InStatement } from "@libsql/client/web";
import {
  AgentToRun,
  EndpointListQuery,
  PROTOCOL_VERSION,
  advancePhase,
  isTerminalRunStatus,
  mergeOutcome,
  parseAgentToRun,
  type CannotRunReason,
  type EndpointDetail,
  type EndpointOutcome,
  type EndpointPhase,
  type EndpointSpec,
  type LiveAggregate,
  type LiveEndpoint,
  type LiveRunState,
  type RunFailureReason,
  type RunEndpoint,
  type RunFrame,
  type RunStatus,
  type RunSummary,
  type RunToAgent,
  type RunToViewer,
  type TestRun,
  type Timings,
} from "../../../protocol/index.js";
import type { z } from "zod";
import type { Env } from "../env.js";
import { getDb, schema } from "../lib/db.js";
import { INTERNAL_HEADERS } from "../routes/sockets.js";
import { addToBucket, addToRunBucket, bucketToAggregate, emptyBucket, groupSeriesRows, phaseCounts, countBy, seriesRow, summarize, AVERAGED_KEYS, type SecondBucket } from "../runs/aggregate.js";
import { buildRunPlan, targetInGroup, type PlannedEndpoint, type PlannedTarget } from "../runs/plan.js";
import { Downsampler } from "../runs/downsample.js";
import { frameOffsetMs } from "../runs/frame-slots.js";
import { decodeFrame, encodeFrame, rowToMetrics } from "../runs/frame-store.js";
import { RUN_DEADLINES, persistRetryDelaySec, transition } from "../runs/run-state.js";
import { checkTestLimits, creditsFor } from "../runs/quota.js";
import type { RunInit } from "./run-types.js";

const TICK_MS = 1_000;
/** Viewers get a tick at most this long after a frame changed something (prompt, but coalesced). */
const VIEWER_FLUSH_MS = 100;
/** Per-endpoint changes smaller than these are not worth a viewer update on their own. */
const LIVE_STEPS = { mos: 0.05, jitter_ms: 1, fraction_lost: 0.5, rtt_ms: 5 } as const;
function liveChanged(before: Record<string, number> | undefined, now: Record<string, number>): boolean {
  if (!before) return true;
  for (const k of Object.keys(LIVE_STEPS) as (keyof typeof LIVE_STEPS)[]) {
    const a = before[k];
    const b = now[k];
    if (a === undefined || b === undefined) {
      if (a !== b) return true;
    } else if (Math.abs(a - b) >= LIVE_STEPS[k]) return true;
  }
  return false;
}
/** A trace is a diagnostic, not a pcap: keep the first N messages of each endpoint. */
const MAX_TRACE_PER_ENDPOINT = 400;
/** run_endpoints binds 15 parameters per row; libSQL allows 100 per statement. */
const RESULT_ROWS_PER_INSERT = 6;
/** Result inserts built between two turns of the event loop while persisting (≈ 600 endpoints). */
const PERSIST_SLICE_STATEMENTS = 100;
/** Let queued events (frames, acks, viewer ticks) run before continuing a long piece of work. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
/** run_series binds 7 per row, run_group_series 8. */
const SERIES_ROWS_PER_INSERT = 12;
/** Seconds that changed are written to libSQL this often during the run (and all of them at its end). */
const SERIES_FLUSH_MS = 10_000;
/** A second is written once frames for it stopped arriving (agents send each second's frame once it ended). */
const SERIES_SETTLE_SEC = 3;

interface AgentState {
  joined: boolean;
  /** Epoch ms the agent's run socket closed (null while connected or never joined). */
  closedAt: number | null;
  done: boolean;
}
interface RunState {
  status: RunStatus;
  reasonCode: CannotRunReason | RunFailureReason | null;
  reason: string | null;
  queuedAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  receiversDispatchedAt: number | null;
  callersDispatched: boolean;
  stopDeadline: number | null;
  hardDeadline: number | null;
  joinDeadline: number | null;
  persisted: boolean;
  /** Failed attempts to write the results to libSQL (for back-off). */
  persistFailures?: number;
  agents: Record<string, AgentState>;
}
interface EndpointRow {
  id: string;
  grp: string;
  idx: number;
  username: string;
  role: "CALLER" | "RECEIVER";
  agent_id: string;
  phase: EndpointPhase;
  outcome: EndpointOutcome | null;
  status_code: number | null;
  status_text: string | null;
  timings: string;
  metrics: string;
  spec: string;
  target: string;
  dispatched: number;
  trace_count: number;
  [k: string]: SqlStorageValue;
}
interface SocketAttachment {
  role: "agent" | "viewer";
  agentId: string | null;
}

export class RunObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private init_: RunInit | null = null;
  private state: RunState | null = null;
  private lastSeq = new Map<string, number>();
  private buckets = new Map<number, SecondBucket>();
  /** Endpoints changed since the last tick (lost on hibernation; a viewer's snapshot covers that). */
  private dirty = new Set<string>();
  /**
   * The endpoints table in memory: frames touch every endpoint every second, so reads come from
   * here and only state changes are written through. Rebuilt from SQLite after a restart.
   */
  private rowCache: Map<string, EndpointRow> | null = null;
  /** Last per-second metrics per endpoint (also in `frames`; rebuilt from there after a restart). */
  private lastMetrics = new Map<string, Record<string, number>>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private callSums: Map<string, SecondBucket> | null = null;
  private receivers = new Map<string, PlannedEndpoint[]>();
  /** Seconds whose aggregates changed since they were last written to libSQL (the end-of-run write covers a restart). */
  private seriesDirty = new Set<number>();
  /** Per-endpoint downsampled key metrics for libSQL (rebuilt with callSums after a restart). */
  private downsampler: Downsampler | null = null;
  private lastSeriesFlush = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.createTables();
      const kv = new Map(this.sql.exec<{ k: string; v: string }>(`SELECT k, v FROM kv`).toArray().map((r) => [r.k, r.v]));
      if (kv.has("init")) this.init_ = JSON.parse(kv.get("init")!);
      if (kv.has("state")) this.state = JSON.parse(kv.get("state")!);
      for (const r of this.sql.exec<{ agent_id: string; last_seq: number }>(`SELECT * FROM agent_seq`)) this.lastSeq.set(r.agent_id, r.last_seq);
      for (const r of this.sql.exec<{ t: number; data: string }>(`SELECT * FROM buckets ORDER BY t DESC LIMIT 5`)) this.buckets.set(r.t, JSON.parse(r.data));
    });
  }

  // ---- persistence helpers --------------------------------------------------------------------

  private createTables() {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS endpoints (id TEXT PRIMARY KEY, grp TEXT NOT NULL, idx INTEGER NOT NULL, username TEXT NOT NULL,
      role TEXT NOT NULL, agent_id TEXT NOT NULL, phase TEXT NOT NULL, outcome TEXT, status_code INTEGER, status_text TEXT,
      timings TEXT NOT NULL, metrics TEXT NOT NULL, spec TEXT NOT NULL, target TEXT NOT NULL, dispatched INTEGER NOT NULL DEFAULT 0,
      trace_count INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL)`);
    // Dispatch reads and marks one agent's endpoints in order: without this, 50 agents × 2 statements
    // scanned all 10,000 rows each in the second callers are dispatched.
    this.sql.exec(`CREATE INDEX IF NOT EXISTS endpoints_agent ON endpoints (agent_id, seq)`);
    // One row per applied frame: {endpointId: metrics} for that agent's endpoints in that second.
    // A row per endpoint-second cost a statement each (10,000 a second at fleet scale); an
    // endpoint's series is read back with json_extract over its agent's frames.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS frames (agent_id TEXT NOT NULL, seq INTEGER NOT NULL, t INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (agent_id, seq))`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS traces (id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint_id TEXT NOT NULL, t INTEGER NOT NULL, dir TEXT NOT NULL, remote TEXT NOT NULL, text TEXT NOT NULL)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS traces_endpoint ON traces (endpoint_id, id)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS buckets (t INTEGER PRIMARY KEY, data TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS agent_seq (agent_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL)`);
  }

  private rows(): Map<string, EndpointRow> {
    if (!this.rowCache) this.rowCache = new Map(this.sql.exec<EndpointRow>(`SELECT * FROM endpoints ORDER BY seq`).toArray().map((r) => [r.id, r]));
    return this.rowCache;
  }
  private invalidateRows() {
    this.rowCache = null;
    this.countsCache = null;
  }

  /** Phase and outcome counts of every endpoint, recomputed only after one changed (a tick goes out up to 10 times a second). */
  private countsCache: (Pick<LiveRunState, "phaseCounts" | "outcomeCounts"> & { receiversPending: number }) | null = null;
  /**
   * Move one endpoint between the cached counts (O(1); during a ramp every frame changes phases,
   * and recounting 10,000 rows per frame was a tenth of the object's time).
   */
  private recount(r: EndpointRow, phase: EndpointRow["phase"], outcome: EndpointRow["outcome"]) {
    const c = this.countsCache;
    if (!c) return;
    const pending = (p: EndpointRow["phase"], o: EndpointRow["outcome"]) => (r.role === "RECEIVER" && p === "INITIALIZING" && o === null ? 1 : 0);
    c.phaseCounts[r.phase] -= 1;
    c.phaseCounts[phase] += 1;
    if (r.outcome !== null && (c.outcomeCounts[r.outcome] = (c.outcomeCounts[r.outcome] ?? 0) - 1) <= 0) delete c.outcomeCounts[r.outcome];
    if (outcome !== null) c.outcomeCounts[outcome] = (c.outcomeCounts[outcome] ?? 0) + 1;
    c.receiversPending += pending(phase, outcome) - pending(r.phase, r.outcome);
  }

  private counts() {
    if (!this.countsCache) {
      const rows = [...this.rows().values()];
      this.countsCache = {
        phaseCounts: phaseCounts(rows.map((r) => r.phase)),
        outcomeCounts: countBy(rows.map((r) => r.outcome)) as Record<string, number>,
        receiversPending: rows.filter((r) => r.role === "RECEIVER" && r.phase === "INITIALIZING" && r.outcome === null).length,
      };
    }
    return this.countsCache;
  }

  /** The endpoint's last reported metrics: memory (rebuilt from `frames`), else what the row holds. */
  private metricsOf(r: EndpointRow): Record<string, number> {
    this.callSumsOf();
    return this.lastMetrics.get(r.id) ?? JSON.parse(r.metrics);
  }

  private saveState() {
    this.sql.exec(`INSERT OR REPLACE INTO kv (k, v) VALUES ('state', ?)`, JSON.stringify(this.state));
  }

  private setStatus(next: RunStatus, extra: Partial<RunState> = {}) {
    const s = this.state!;
    s.status = transition(s.status, next);
    Object.assign(s, extra);
    this.saveState();
  }

  /** Mirror status and timestamps to libSQL; failures are retried by the final persist. */
  private async mirrorStatus() {
    const s = this.state!;
    try {
      await getDb(this.env)
        .update(schema.testRuns)
        .set({ status: s.status, reasonCode: s.reasonCode, reason: s.reason, queuedAt: iso(s.queuedAt), startedAt: iso(s.startedAt), endedAt: iso(s.endedAt) })
        .where(eq(schema.testRuns.id, this.init_!.runId));
    } catch (e) {
      console.warn("run status mirror failed; will retry at the end", String(e));
    }
  }

  // ---- RPC from the Worker --------------------------------------------------------------------

  async init(input: RunInit): Promise<void> {
    if (this.init_) return;
    this.init_ = input;
    this.state = {
      status: "PENDING", reasonCode: null, reason: null, queuedAt: null, startedAt: null, endedAt: null,
      receiversDispatchedAt: null, callersDispatched: false, stopDeadline: null, hardDeadline: null, joinDeadline: null,
      persisted: false, agents: {},
    };
    this.sql.exec(`INSERT OR REPLACE INTO kv (k, v) VALUES ('init', ?)`, JSON.stringify(input));
    this.saveState();
    // Admission runs in the alarm so the API answers PENDING at once and a crash mid-admission retries.
    await this.ctx.storage.setAlarm(Date.now());
  }

  async stop(): Promise<{ ok: true } | { ok: false; status: RunStatus; message: string }> {
    const s = this.state;
    if (!s) return { ok: false, status: "PENDING", message: "run not initialised" };
    if (s.status === "STOPPING") return { ok: true };
    if (s.status !== "QUEUED" && s.status !== "RUNNING")
      return { ok: false, status: s.status, message: `run is ${s.status}; only QUEUED or RUNNING runs can be stopped` };
    this.setStatus("STOPPING", { stopDeadline: Date.now() + RUN_DEADLINES.stopSec * 1000 });
    this.broadcastAgents({ v: PROTOCOL_VERSION, type: "stop", reason: "stopped by user" });
    await this.mirrorStatus();
    this.broadcastTick();
    return { ok: true };
  }

  /** Forget everything (the run was deleted). Only for a finished run: the caller checks. */
  async purge(): Promise<void> {
    for (const ws of this.ctx.getWebSockets()) ws.close(4004, "run deleted");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.createTables(); // late messages to this instance find empty tables, not missing ones
    this.init_ = null;
    this.state = null;
    this.invalidateRows();
    this.callSums = null;
    this.lastMetrics.clear();
    this.buckets.clear();
    this.lastSeq.clear();
    this.receivers.clear();
    this.seriesDirty.clear();
  }

  async describe(): Promise<Partial<TestRun> | null> {
    const s = this.state;
    if (!s) return null;
    return {
      status: s.status, reasonCode: s.reasonCode, reason: s.reason, queuedAt: iso(s.queuedAt), startedAt: iso(s.startedAt),
      endedAt: iso(s.endedAt), summary: this.summary(),
    };
  }

  async listEndpoints(q: z.infer<typeof EndpointListQuery>): Promise<{ items: RunEndpoint[]; total: number }> {
    const where: string[] = [];
    const args: SqlStorageValue[] = [];
    if (q.group) (where.push("grp = ?"), args.push(q.group));
    if (q.phase) (where.push("phase = ?"), args.push(q.phase));
    if (q.outcome) (where.push("outcome = ?"), args.push(q.outcome));
    const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM endpoints ${w}`, ...args).one().n;
    const rows = this.sql.exec<EndpointRow>(`SELECT * FROM endpoints ${w} ORDER BY seq LIMIT ? OFFSET ?`, ...args, q.perPage, (q.page - 1) * q.perPage).toArray();
    return { items: rows.map((r) => this.toRunEndpoint(r)), total };
  }

  async getEndpoint(id: string): Promise<EndpointDetail | null> {
    const r = this.sql.exec<EndpointRow>(`SELECT * FROM endpoints WHERE id = ?`, id).toArray()[0];
    if (!r) return null;
    // Frames in the order they were applied; a second reported twice keeps its last report.
    const bySecond = new Map<number, Record<string, number>>();
    for (const x of this.sql.exec<{ t: number; k: string; v: string | null }>(
      `SELECT t, json_extract(data, '$.k') AS k, json_extract(data, ?) AS v FROM frames WHERE agent_id = ? ORDER BY seq`, jsonKeyPath(id), r.agent_id,
    )) {
      if (x.v !== null) bySecond.set(x.t, rowToMetrics(JSON.parse(x.k), JSON.parse(x.v)));
    }
    const series = [...bySecond].sort((a, b) => a[0] - b[0]).map(([t, m]) => ({ t, m }));
    const trace = this.sql
      .exec<{ t: number; dir: "in" | "out"; remote: string; text: string }>(`SELECT t, dir, remote, text FROM traces WHERE endpoint_id = ? ORDER BY id`, id)
      .toArray()
      .map((x) => ({ t: x.t, dir: x.dir, remote: x.remote, text: x.text }));
    return { ...this.toRunEndpoint(r), series, trace };
  }

  private toRunEndpoint(r: EndpointRow): RunEndpoint {
    return {
      id: r.id, runId: this.init_!.runId, group: r.grp, index: r.idx, username: r.username, role: r.role, agentId: r.agent_id,
      phase: r.phase, outcome: r.outcome, statusCode: r.status_code, statusText: r.status_text,
      timings: JSON.parse(r.timings), metrics: this.metricsOf(r),
    };
  }

  // ---- WebSockets -----------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const role = request.headers.get(INTERNAL_HEADERS.role) === "agent" ? "agent" : "viewer";
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [role]);
    pair[1].serializeAttachment({ role, agentId: null } satisfies SocketAttachment);
    if (role === "viewer") this.send(pair[1], this.snapshot());
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const att = ws.deserializeAttachment() as SocketAttachment;
    if (att.role !== "agent")
      return this.send(ws, { v: PROTOCOL_VERSION, type: "error", code: "RECEIVE_ONLY", message: "type: viewer sockets are receive-only; send nothing" });
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    const parsed = parseAgentToRun(text);
    if (!parsed.ok) return this.send(ws, { v: PROTOCOL_VERSION, type: "error", code: "INVALID_MESSAGE", message: parsed.message, path: parsed.path });
    const msg = parsed.value;
    if (msg.type === "join") return this.onJoin(ws, msg.agentId);
    if (!att.agentId) return this.send(ws, { v: PROTOCOL_VERSION, type: "error", code: "JOIN_FIRST", message: "type: send join before frames" });
    if (msg.type === "frame") return this.onFrame(ws, att.agentId, msg);
    if (msg.type === "done") {
      const a = this.state?.agents[att.agentId];
      if (a) (a.done = true), this.saveState();
    }
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    this.onSocketGone(ws);
  }
  override async webSocketError(ws: WebSocket): Promise<void> {
    this.onSocketGone(ws);
  }

  private onSocketGone(ws: WebSocket) {
    const att = ws.deserializeAttachment() as SocketAttachment | null;
    if (att?.role !== "agent" || !att.agentId || !this.state) return;
    const a = this.state.agents[att.agentId];
    if (a && !isTerminalRunStatus(this.state.status)) {
      a.closedAt = Date.now();
      this.saveState();
    }
  }

  private onJoin(ws: WebSocket, agentId: string) {
    const s = this.state;
    const a = s?.agents[agentId];
    if (!s || !a) {
      this.send(ws, { v: PROTOCOL_VERSION, type: "error", code: "NOT_ASSIGNED", message: `agentId: agent ${agentId} has no endpoints in this run` });
      ws.close(4003, "not assigned");
      return;
    }
    ws.serializeAttachment({ role: "agent", agentId } satisfies SocketAttachment);
    a.joined = true;
    a.closedAt = null;
    // Tell the agent what is already applied, so it drops those frames and resends the rest.
    this.send(ws, { v: PROTOCOL_VERSION, type: "ack", seq: this.lastSeq.get(agentId) ?? 0, frameOffsetMs: frameOffsetMs(Object.keys(s.agents), agentId) });
    if (isTerminalRunStatus(s.status) || s.status === "STOPPING") {
      this.saveState();
      this.send(ws, { v: PROTOCOL_VERSION, type: "stop", reason: `run is ${s.status}` });
      return;
    }
    const now = Date.now();
    if (s.status === "QUEUED") {
      const i = this.init_!;
      this.setStatus("RUNNING", {
        startedAt: now,
        receiversDispatchedAt: now,
        hardDeadline: now + (i.buildupSec + i.durationSec + RUN_DEADLINES.setupMarginSec + RUN_DEADLINES.teardownSec) * 1000,
      });
      void this.mirrorStatus();
    }
    this.saveState();
    this.dispatchTo(agentId, false);
    this.maybeDispatchCallers();
  }

  /**
   * Send an agent its endpoints that are due: receivers at once, callers once targets are known.
   * On a (re)join everything due is sent (the agent ignores ids it already runs); otherwise only
   * what was not dispatched yet.
   */
  private dispatchTo(agentId: string, onlyNew: boolean) {
    const rows = this.sql.exec<EndpointRow>(`SELECT * FROM endpoints WHERE agent_id = ? ORDER BY seq`, agentId).toArray();
    const due = rows.filter((r) => (r.role === "RECEIVER" || this.state!.callersDispatched) && !(onlyNew && r.dispatched));
    if (due.length === 0) return;
    const endpoints: EndpointSpec[] = due.map((r) => ({ ...JSON.parse(r.spec), target: r.role === "CALLER" ? this.targetOf(r) : null }));
    for (const ws of this.agentSockets(agentId)) this.send(ws, { v: PROTOCOL_VERSION, type: "dispatch", runId: this.init_!.runId, endpoints });
    this.sql.exec(`UPDATE endpoints SET dispatched = 1 WHERE agent_id = ? AND (role = 'RECEIVER' OR ? = 1)`, agentId, this.state!.callersDispatched ? 1 : 0);
  }

  private targetOf(r: EndpointRow): string | null {
    const target = JSON.parse(r.target) as PlannedTarget;
    if (!target) return null;
    if (target.type === "URI") return target.uri;
    return targetInGroup(target, this.receiversOf(target.group));
  }

  /** A group's receivers in index order, parsed once (they never change during a run). */
  private receiversOf(group: string): PlannedEndpoint[] {
    let list = this.receivers.get(group);
    if (!list) {
      list = this.sql
        .exec<{ spec: string }>(`SELECT spec FROM endpoints WHERE grp = ? ORDER BY idx`, group)
        .toArray()
        .map((x) => ({ spec: JSON.parse(x.spec), index: 0, region: null, target: null }) as PlannedEndpoint);
      this.receivers.set(group, list);
    }
    return list;
  }

  /**
   * Phased dispatch: callers get their targets once every receiver has registered (or failed),
   * or when the receivers' registration deadline has passed.
   */
  private maybeDispatchCallers() {
    const s = this.state!;
    if (s.callersDispatched || s.status !== "RUNNING") return;
    const pending = this.counts().receiversPending;
    const deadlinePassed = s.receiversDispatchedAt !== null && Date.now() - s.receiversDispatchedAt > (this.init_!.buildupSec + RUN_DEADLINES.receiverRegistrationSec) * 1000;
    if (pending > 0 && !deadlinePassed) return;
    s.callersDispatched = true;
    this.saveState();
    for (const [agentId, a] of Object.entries(s.agents)) if (a.joined && a.closedAt === null) this.dispatchTo(agentId, true);
  }

  private onFrame(ws: WebSocket, agentId: string, frame: RunFrame) {
    const last = this.lastSeq.get(agentId) ?? 0;
    if (frame.seq <= last) {
      // A resend after reconnect: already applied, acknowledge again so the agent can drop it.
      this.send(ws, { v: PROTOCOL_VERSION, type: "ack", seq: last });
      return;
    }
    const second = Math.floor(frame.t / 1000);
    const rows = this.rows();
    // Loaded (or rebuilt from samples) before this frame's samples are inserted, so none counts twice.
    const sums = this.callSumsOf();
    const bucket = this.buckets.get(second) ?? emptyBucket(second);
    let bucketTouched = false;
    const frameMetrics: Record<string, Record<string, number>> = {};
    for (const e of frame.endpoints) {
      const r = rows.get(e.id);
      if (!r || r.agent_id !== agentId) continue; // not this agent's endpoint: ignore rather than let one agent write another's data
      const phase = advancePhase(r.phase, e.phase);
      const outcome = mergeOutcome(r.outcome, e.outcome ?? null);
      const outcomeChanged = outcome !== r.outcome;
      const statusCode = (outcomeChanged || r.status_code === null ? (e.statusCode ?? r.status_code) : r.status_code) ?? null;
      const statusText = (outcomeChanged || r.status_text === null ? (e.statusText ?? r.status_text) : r.status_text) ?? null;
      let traceCount = r.trace_count;
      for (const t of e.trace ?? []) {
        if (traceCount >= MAX_TRACE_PER_ENDPOINT) break;
        this.sql.exec(`INSERT INTO traces (endpoint_id, t, dir, remote, text) VALUES (?, ?, ?, ?, ?)`, e.id, t.t, t.dir, t.remote, t.text);
        traceCount++;
      }
      const timings = e.timings && Object.keys(e.timings).length ? JSON.stringify({ ...JSON.parse(r.timings), ...e.timings } satisfies Timings) : r.timings;
      const stateChanged = phase !== r.phase || outcomeChanged || statusCode !== r.status_code || statusText !== r.status_text || timings !== r.timings || traceCount !== r.trace_count;
      if (stateChanged) {
        // Written through only when the state changed; per-second metrics go to `samples`.
        const metrics = JSON.stringify(e.m ?? this.lastMetrics.get(e.id) ?? JSON.parse(r.metrics));
        this.sql.exec(
          `UPDATE endpoints SET phase = ?, outcome = ?, status_code = ?, status_text = ?, timings = ?, metrics = ?, trace_count = ? WHERE id = ?`,
          phase, outcome, statusCode, statusText, timings, metrics, traceCount, e.id,
        );
        if (phase !== r.phase || outcomeChanged) this.recount(r, phase, outcome);
        Object.assign(r, { phase, outcome, status_code: statusCode, status_text: statusText, timings, metrics, trace_count: traceCount });
        this.dirty.add(e.id);
      }
      if (e.m && Object.keys(e.m).length) {
        frameMetrics[e.id] = e.m;
        if (liveChanged(this.lastMetrics.get(e.id), e.m)) this.dirty.add(e.id);
        this.lastMetrics.set(e.id, e.m);
        addToRunBucket(bucket, r.grp, e.m);
        this.downsamplerOf().add(e.id, second, e.m);
        const call = sums.get(e.id) ?? emptyBucket(0);
        addToBucket(call, e.m);
        sums.set(e.id, call);
        bucketTouched = true;
      }
    }
    if (bucketTouched) {
      this.sql.exec(`INSERT OR REPLACE INTO frames (agent_id, seq, t, data) VALUES (?, ?, ?, ?)`, agentId, frame.seq, second, encodeFrame(frameMetrics));
      this.buckets.set(second, bucket);
      this.seriesDirty.add(second);
      this.sql.exec(`INSERT OR REPLACE INTO buckets (t, data) VALUES (?, ?)`, second, JSON.stringify(bucket));
    }
    for (const t of this.buckets.keys()) if (t < second - 10) this.buckets.delete(t);
    this.lastSeq.set(agentId, frame.seq);
    this.sql.exec(`INSERT OR REPLACE INTO agent_seq (agent_id, last_seq) VALUES (?, ?)`, agentId, frame.seq);
    this.send(ws, { v: PROTOCOL_VERSION, type: "ack", seq: frame.seq });
    this.maybeDispatchCallers();
    if (this.dirty.size > 0 && !this.flushTimer)
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.broadcastTick();
      }, VIEWER_FLUSH_MS);
  }

  // ---- alarm: admission, ticks, deadlines, persistence ----------------------------------------

  override async alarm(): Promise<void> {
    const s = this.state;
    if (!s || !this.init_) return;
    const now = Date.now();
    switch (s.status) {
      case "PENDING":
        await this.admit();
        return;
      case "QUEUED":
        if (s.joinDeadline !== null && now >= s.joinDeadline) {
          await this.finish("FAILED", "ALL_AGENTS_LOST", `No allocated agent joined the run within ${RUN_DEADLINES.agentJoinSec} s.`);
          return;
        }
        await this.ctx.storage.setAlarm(Math.min(s.joinDeadline ?? now + TICK_MS, now + TICK_MS));
        return;
      case "RUNNING":
      case "STOPPING":
        await this.tick(now);
        return;
      default:
        if (!s.persisted) await this.persist();
    }
  }

  private quota() {
    return this.env.QUOTAS.get(this.env.QUOTAS.idFromName(this.init_!.orgId));
  }

  private async admit() {
    const i = this.init_!;
    const endpointsTotal = i.groups.reduce((n, g) => n + g.endpoints, 0);
    const limitCheck = checkTestLimits(i.limits, endpointsTotal, i.durationSec);
    if (!limitCheck.ok) return this.finish("CANNOT_RUN_FOR_NOW", limitCheck.reasonCode, limitCheck.reason);
    const reserved = await this.quota().reserve(
      { runId: i.runId, projectId: i.projectId, endpoints: endpointsTotal, credits: creditsFor(endpointsTotal, i.buildupSec + i.durationSec) },
      i.limits,
      i.initialCredits,
    );
    if (!reserved.ok) return this.finish("CANNOT_RUN_FOR_NOW", reserved.reasonCode, reserved.reason);
    const plan = buildRunPlan({
      runId: i.runId, durationSec: i.durationSec, buildupSec: i.buildupSec, groups: i.groups,
      registrars: new Map(i.registrars.map((r) => [r.id, r])),
      accounts: groupBy(i.accounts, (a) => a.registrarId),
    });
    if (!plan.ok) return this.finish("CANNOT_RUN_FOR_NOW", plan.reasonCode, plan.reason);
    const fleet = this.env.FLEETS.get(this.env.FLEETS.idFromName(i.orgId));
    const demand = i.groups.map((g) => ({ group: g.name, region: g.region, agents: g.agents ?? null, endpoints: g.endpoints }));
    const alloc = await fleet.allocate(i.runId, demand);
    if (!alloc.ok) return this.finish("CANNOT_RUN_FOR_NOW", alloc.reasonCode, alloc.reason);
    const agents = new Set<string>();
    plan.endpoints.forEach((e, seq) => {
      const agentId = alloc.perGroup[e.spec.group]![e.index]!;
      agents.add(agentId);
      this.sql.exec(
        `INSERT OR REPLACE INTO endpoints (id, grp, idx, username, role, agent_id, phase, outcome, status_code, status_text, timings, metrics, spec, target, seq)
         VALUES (?, ?, ?, ?, ?, ?, 'INITIALIZING', NULL, NULL, NULL, '{}', '{}', ?, ?, ?)`,
        e.spec.id, e.spec.group, e.index, e.spec.account.username, e.spec.role, agentId, JSON.stringify(e.spec), JSON.stringify(e.target), seq,
      );
    });
    this.invalidateRows();
    const now = Date.now();
    const s = this.state!;
    for (const id of agents) s.agents[id] = { joined: false, closedAt: null, done: false };
    // No receivers at all (every caller dials an external URI): nothing to wait for.
    const receivers = plan.endpoints.filter((e) => e.spec.role === "RECEIVER").length;
    this.setStatus("QUEUED", { queuedAt: now, joinDeadline: now + RUN_DEADLINES.agentJoinSec * 1000, callersDispatched: receivers === 0 });
    await this.mirrorStatus();
    await fleet.assign(i.runId, [...agents]);
    await this.ctx.storage.setAlarm(now + TICK_MS);
  }

  private rejoinMs(): number {
    const v = Number(this.env.AGENT_REJOIN_SEC ?? RUN_DEADLINES.agentRejoinSec);
    return (Number.isFinite(v) && v > 0 ? v : RUN_DEADLINES.agentRejoinSec) * 1000;
  }

  private async tick(now: number) {
    const s = this.state!;
    const rejoinMs = this.rejoinMs();
    this.maybeDispatchCallers();
    // Agents that left and did not come back: their unfinished endpoints failed on the agent side.
    for (const [agentId, a] of Object.entries(s.agents)) {
      if (a.closedAt !== null && now - a.closedAt > rejoinMs) {
        this.closeUnfinished(`agent_id = '${agentId.replace(/'/g, "''")}'`, "OSERROR", `agent ${agentId} lost (no connection for ${rejoinMs / 1000} s)`);
      }
    }
    const open = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM endpoints WHERE phase != 'CLOSED'`).one().n;
    const allAgentsLost = Object.values(s.agents).every((a) => a.closedAt !== null && now - a.closedAt > rejoinMs);
    if (allAgentsLost) return this.finish("FAILED", "ALL_AGENTS_LOST", "Every agent of this run disconnected and did not come back.");
    if (open === 0) return this.completeNormally();
    if (s.status === "STOPPING" && s.stopDeadline !== null && now >= s.stopDeadline) {
      this.closeUnfinished("1 = 1", "TEARDOWN_ERROR", `endpoint did not finish within ${RUN_DEADLINES.stopSec} s of the stop`);
      return this.completeNormally();
    }
    if (s.hardDeadline !== null && now >= s.hardDeadline) {
      this.closeUnfinished("1 = 1", "TIMEOUT", "endpoint did not finish before the run's deadline");
      return this.completeNormally();
    }
    this.broadcastTick();
    await this.ctx.storage.setAlarm(now + TICK_MS);
    if (now - this.lastSeriesFlush >= SERIES_FLUSH_MS) await this.flushSeries(now);
  }

  /**
   * Write the per-second run and group aggregates that changed (and have settled) to libSQL while
   * the run goes on, so history and comparison see a long run before it ends. Upserts: a second
   * written again (a late frame after an agent reconnected) replaces its row, never adds one. A
   * failure only delays: the seconds stay dirty, and the end-of-run write has them all anyway.
   */
  private async flushSeries(now: number) {
    this.lastSeriesFlush = now;
    const settled = [...this.seriesDirty].filter((t) => t < Math.floor(now / 1000) - SERIES_SETTLE_SEC);
    if (settled.length === 0) return;
    const runId = this.init_!.runId;
    const buckets: SecondBucket[] = [];
    for (let k = 0; k < settled.length; k += 90) {
      const chunk = settled.slice(k, k + 90);
      for (const r of this.sql.exec<{ data: string }>(`SELECT data FROM buckets WHERE t IN (${chunk.map(() => "?").join(",")})`, ...chunk))
        buckets.push(JSON.parse(r.data));
    }
    try {
      const db = getDb(this.env);
      const statements = seriesUpserts(db, runId, buckets);
      if (statements.length) await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
      for (const t of settled) this.seriesDirty.delete(t);
    } catch (e) {
      console.warn("writing the run's series during the run failed; will retry", String(e));
    }
  }

  private closeUnfinished(where: string, outcome: EndpointOutcome, text: string) {
    const rows = this.sql.exec<EndpointRow>(`SELECT * FROM endpoints WHERE phase != 'CLOSED' AND ${where}`).toArray();
    for (const r of rows) {
      this.sql.exec(`UPDATE endpoints SET phase = 'CLOSED', outcome = ?, status_text = COALESCE(status_text, ?) WHERE id = ?`, mergeOutcome(r.outcome, outcome), text, r.id);
      this.dirty.add(r.id);
    }
    if (rows.length) this.invalidateRows();
  }

  private async completeNormally() {
    const all = this.sql.exec<{ n: number; failed: number }>(
      `SELECT count(*) AS n, sum(CASE WHEN outcome = 'REGISTRATION_FAILED' THEN 1 ELSE 0 END) AS failed FROM endpoints`,
    ).one();
    if (all.n > 0 && all.failed === all.n)
      return this.finish("FAILED", "ALL_REGISTRATIONS_FAILED", "Every endpoint failed to register: check the registrar address, transport and SIP credentials.");
    return this.finish("COMPLETED", null, null);
  }

  private async finish(status: "COMPLETED" | "FAILED" | "CANNOT_RUN_FOR_NOW", reasonCode: CannotRunReason | RunFailureReason | null, reason: string | null) {
    this.setStatus(status, { reasonCode, reason, endedAt: Date.now() });
    this.broadcastAgents({ v: PROTOCOL_VERSION, type: "stop", reason: `run ${status}` });
    this.broadcastTick();
    await this.releaseCapacity();
    await this.persist();
  }

  /**
   * Give back agent capacity and the plan reservation, charging credits for actual use: every
   * endpoint for the time the run was RUNNING. Idempotent (the quota object charges a run once).
   */
  private async releaseCapacity() {
    const i = this.init_!;
    const s = this.state!;
    const endpoints = this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM endpoints`).one().n;
    const usedSec = s.startedAt !== null && s.endedAt !== null ? (s.endedAt - s.startedAt) / 1000 : 0;
    try {
      await this.env.FLEETS.get(this.env.FLEETS.idFromName(i.orgId)).release(i.runId);
      await this.quota().release(i.runId, usedSec > 0 ? creditsFor(endpoints, usedSec) : 0);
    } catch (e) {
      console.warn("releasing capacity failed", String(e));
    }
  }

  /** Write the summary and per-endpoint results to libSQL in one transaction; retry until it lands. */
  private async persist() {
    const s = this.state!;
    const i = this.init_!;
    try {
      const db = getDb(this.env);
      // Built in slices with a turn of the event loop between them: for 10,000 endpoints this is
      // seconds of work, and frames, acks and viewer ticks must not wait behind all of it.
      // The SQL is built here (drizzle's toSQL) and sent as one libSQL batch: one transaction.
      const statements: InStatement[] = [];
      const add = (q: { toSQL(): { sql: string; params: unknown[] } }) => {
        const { sql, params } = q.toSQL();
        statements.push({ sql, args: params as InArgs });
      };
      add(db.update(schema.testRuns).set({
        status: s.status, reasonCode: s.reasonCode, reason: s.reason, queuedAt: iso(s.queuedAt), startedAt: iso(s.startedAt),
        endedAt: iso(s.endedAt), summary: this.summary(),
      }).where(eq(schema.testRuns.id, i.runId)));
      add(db.delete(schema.runEndpoints).where(eq(schema.runEndpoints.runId, i.runId)));
      const rows = this.sql.exec<EndpointRow>(`SELECT * FROM endpoints ORDER BY seq`).toArray();
      for (let k = 0; k < rows.length; k += RESULT_ROWS_PER_INSERT) {
        const results = rows.slice(k, k + RESULT_ROWS_PER_INSERT).map((r) => ({
          id: r.id, runId: i.runId, groupName: r.grp, idx: r.idx, username: r.username, role: r.role, agentId: r.agent_id, phase: r.phase,
          outcome: r.outcome, statusCode: r.status_code, statusText: r.status_text, timings: JSON.parse(r.timings), metrics: this.metricsOf(r),
          callAverages: this.callAveragesOf(r.id), series: this.downsamplerOf().series(r.id),
        }));
        add(db.insert(schema.runEndpoints).values(results));
        if ((k / RESULT_ROWS_PER_INSERT) % PERSIST_SLICE_STATEMENTS === PERSIST_SLICE_STATEMENTS - 1) await nextTurn();
      }
      // The run's per-second aggregates (run level and per group), for history and comparison.
      const buckets = this.sql.exec<{ data: string }>(`SELECT data FROM buckets ORDER BY t`).toArray().map((b) => JSON.parse(b.data) as SecondBucket);
      for (const q of seriesUpserts(db, i.runId, buckets)) add(q as never);
      await db.$client.batch(statements, "write");
      s.persisted = true;
      this.saveState();
    } catch (e) {
      // Everything stays in this object's storage until libSQL has it; the batch is one transaction,
      // so a retry never writes anything twice.
      s.persistFailures = (s.persistFailures ?? 0) + 1;
      this.saveState();
      const delay = persistRetryDelaySec(s.persistFailures);
      console.warn(`persisting run results failed (attempt ${s.persistFailures}); retrying in ${delay} s`, String(e));
      await this.ctx.storage.setAlarm(Date.now() + delay * 1000);
    }
  }

  // ---- views ----------------------------------------------------------------------------------

  /**
   * Per-endpoint running sums of the averaged metrics (the same mergeable shape as a second's
   * bucket), so a live summary costs O(endpoints), not a scan of every frame. After a restart
   * they, and each endpoint's last metrics, are rebuilt once from `frames` (one pass, in the
   * order the frames were applied).
   */
  private callSumsOf(): Map<string, SecondBucket> {
    if (this.callSums) return this.callSums;
    this.callSums = new Map();
    const downsampler = (this.downsampler = null, this.downsamplerOf());
    for (const f of this.sql.exec<{ t: number; data: string }>(`SELECT t, data FROM frames ORDER BY agent_id, seq`)) {
      for (const [id, m] of decodeFrame(f.data)) {
        let b = this.callSums.get(id);
        if (!b) this.callSums.set(id, (b = emptyBucket(0)));
        addToBucket(b, m);
        this.lastMetrics.set(id, m);
        downsampler.add(id, f.t, m);
      }
    }
    return this.callSums;
  }

  /** Steps over the run's whole span (buildup, duration and the teardown margin) from its start. */
  private downsamplerOf(): Downsampler {
    if (this.downsampler) return this.downsampler;
    const i = this.init_!;
    const startSec = Math.floor((this.state?.startedAt ?? Date.now()) / 1000);
    this.downsampler = Downsampler.forSpan(startSec, i.buildupSec + i.durationSec + RUN_DEADLINES.setupMarginSec + RUN_DEADLINES.teardownSec);
    return this.downsampler;
  }

  /** The endpoint's averages over the whole run (from the running sums). */
  private callAveragesOf(id: string): Partial<Record<(typeof AVERAGED_KEYS)[number], number>> {
    const b = this.callSumsOf().get(id);
    const out: Partial<Record<(typeof AVERAGED_KEYS)[number], number>> = {};
    if (b) for (const k of AVERAGED_KEYS) if (b.counts[k] > 0) out[k] = Math.round((b.sums[k] / b.counts[k]) * 1000) / 1000;
    return out;
  }

  private summary(): RunSummary {
    return summarize(
      [...this.rows().values()].map((r) => ({
        group: r.grp, role: r.role, phase: r.phase, outcome: r.outcome, timings: JSON.parse(r.timings), callAverages: this.callAveragesOf(r.id),
      })),
    );
  }

  private liveRunState(): LiveRunState {
    const s = this.state!;
    return {
      runId: this.init_!.runId, status: s.status, reasonCode: s.reasonCode, reason: s.reason, durationSec: this.init_!.durationSec,
      startedAt: s.startedAt, endedAt: s.endedAt, phaseCounts: this.counts().phaseCounts, outcomeCounts: this.counts().outcomeCounts,
    };
  }

  private liveEndpoint(r: EndpointRow): LiveEndpoint {
    const m = this.lastMetrics.get(r.id) ?? (JSON.parse(r.metrics) as Record<string, number>);
    return {
      id: r.id, group: r.grp, index: r.idx, username: r.username, role: r.role, phase: r.phase, outcome: r.outcome, statusCode: r.status_code,
      mos: m.mos ?? null, jitter_ms: m.jitter_ms ?? null, fraction_lost: m.fraction_lost ?? null, rtt_ms: m.rtt_ms ?? null,
    };
  }

  private snapshot(): RunToViewer {
    if (!this.state || !this.init_) {
      return { v: PROTOCOL_VERSION, type: "error", code: "NOT_READY", message: "run is not initialised yet" };
    }
    const series: LiveAggregate[] = this.sql
      .exec<{ t: number; data: string }>(`SELECT t, data FROM buckets ORDER BY t DESC LIMIT 3600`)
      .toArray()
      .reverse()
      .map((b) => bucketToAggregate(JSON.parse(b.data)));
    const endpoints = [...this.rows().values()].slice(0, 10_000).map((r) => this.liveEndpoint(r));
    return { v: PROTOCOL_VERSION, type: "snapshot", run: this.liveRunState(), series, endpoints };
  }

  private broadcastTick() {
    const viewers = this.ctx.getWebSockets("viewer");
    const changed = [...this.dirty];
    this.dirty.clear();
    if (viewers.length === 0) return;
    // The last complete second: frames for the current one may still be arriving.
    const t = Math.floor(Date.now() / 1000) - 1;
    const b = this.buckets.get(t) ?? this.buckets.get(t - 1);
    const rows = this.rows();
    const endpoints: LiveEndpoint[] = [];
    for (const id of changed) {
      const r = rows.get(id);
      if (r) endpoints.push(this.liveEndpoint(r));
    }
    const msg: RunToViewer = { v: PROTOCOL_VERSION, type: "tick", run: this.liveRunState(), aggregate: b ? bucketToAggregate(b) : null, endpoints };
    // Serialized once for every viewer: at a run's start and stop a tick carries thousands of rows.
    const text = JSON.stringify(msg);
    for (const ws of viewers) this.sendText(ws, text);
  }

  private agentSockets(agentId: string): WebSocket[] {
    return this.ctx.getWebSockets("agent").filter((ws) => (ws.deserializeAttachment() as SocketAttachment).agentId === agentId);
  }

  private broadcastAgents(msg: RunToAgent) {
    const text = JSON.stringify(msg);
    for (const ws of this.ctx.getWebSockets("agent")) this.sendText(ws, text);
  }

  private send(ws: WebSocket, msg: RunToAgent | RunToViewer) {
    this.sendText(ws, JSON.stringify(msg));
  }

  private sendText(ws: WebSocket, text: string) {
    try {
      ws.send(text);
    } catch {
      /* closing socket */
    }
  }
}

/** The JSON path of one endpoint's row in a stored frame. Endpoint ids are the edge's own (db/ids.ts: letters, digits, `_`). */
const jsonKeyPath = (key: string) => `$.e."${key}"`;

/** Upserts of run_series and run_group_series rows for these seconds, chunked under libSQL's 100-parameter limit. */
function seriesUpserts(db: ReturnType<typeof getDb>, runId: string, buckets: SecondBucket[]) {
  const runRows = buckets.map((b) => ({ runId, ...seriesRow(b) }));
  const groupRows = buckets.flatMap((b) => groupSeriesRows(b).map((g) => ({ runId, ...g })));
  const set = { mos: sql`excluded.mos`, jitterMs: sql`excluded.jitter_ms`, fractionLost: sql`excluded.fraction_lost`, rttMs: sql`excluded.rtt_ms`, reporting: sql`excluded.reporting` };
  const out = [];
  for (let k = 0; k < runRows.length; k += SERIES_ROWS_PER_INSERT)
    out.push(db.insert(schema.runSeries).values(runRows.slice(k, k + SERIES_ROWS_PER_INSERT)).onConflictDoUpdate({ target: [schema.runSeries.runId, schema.runSeries.t], set }));
  for (let k = 0; k < groupRows.length; k += SERIES_ROWS_PER_INSERT)
    out.push(
      db.insert(schema.runGroupSeries).values(groupRows.slice(k, k + SERIES_ROWS_PER_INSERT))
        .onConflictDoUpdate({ target: [schema.runGroupSeries.runId, schema.runGroupSeries.groupName, schema.runGroupSeries.t], set }) as never,
    );
  return out;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}
