/**
 * A synthetic agent: speaks the real agent wire protocol (protocol/wire.ts) to a real edge, with
 * no SIP or RTP behind it. Its endpoints register, go INCALL and report per-second metrics; it
 * measures how long the run object takes to acknowledge each frame. One endpoint per agent is a
 * probe whose `mos` encodes the frame's seq, so viewers can measure send-to-screen lag.
 */
import WebSocket from "ws";
import { FrameClock } from "../../agent/src/runtime/frame-clock.js";
import { DETAIL_METRICS, PROTOCOL_VERSION, type EndpointSample, type EndpointSpec, type RunToAgent } from "../../protocol/index.js";

export interface SyntheticAgentStats {
  framesSent: number;
  /** Run-socket closes seen (each followed by a rejoin), with the close codes. */
  closes: { code: number; reason: string; atMs: number }[];
  resent: number;
  ackLatenciesMs: number[];
  /** performance.now() at which each acknowledged frame was sent (same order as ackLatenciesMs). */
  ackSentAt: number[];
  sentAt: Map<number, number>;
  /** performance.now() of the frame in which the last of this agent's endpoints first reported INCALL. */
  allInCallAt: number | null;
}

const load = { cpu: 0.05, loopLagMs: 1, pps: 0, drops: 0 };
/** Each sample carries every DETAIL_METRICS key, as a real agent's frames do (FLEET_DETAIL=0: key metrics only). */
const DETAIL = process.env.FLEET_DETAIL !== "0" ? Object.fromEntries(DETAIL_METRICS.map((d, k) => [d.key, 10 + k * 1.5])) : {};
const metrics = (i: number) => ({
  ...DETAIL,
  mos: 4.3 + (i % 10) / 100, r_factor: 92, jitter_ms: 1 + (i % 5) / 10, rtt_ms: 2, fraction_lost: 0,
  packets_lost: 0, packets_sent: 50, packets_received: 50, bytes_sent: 8600, bytes_received: 8600,
});

/** mos value a probe endpoint reports for frame `seq` (decoded by viewers). */
export const probeMos = (seq: number) => 1 + (seq % 16) * 0.06;
/** The residue of the seq (mod 16): the viewer matches it to the newest frame sent with that residue. */
export const seqResidueFromProbeMos = (mos: number) => Math.round((mos - 1) / 0.06);

export class SyntheticAgent {
  readonly stats: SyntheticAgentStats = { framesSent: 0, closes: [], resent: 0, ackLatenciesMs: [], ackSentAt: [], sentAt: new Map(), allInCallAt: null };
  /** Frames not acknowledged yet, resent after a rejoin (as the real agent's FrameBuffer does). */
  private unacked = new Map<number, string>();
  private closed = false;
  private fleet: WebSocket;
  private run: WebSocket | null = null;
  private endpoints: EndpointSpec[] = [];
  private seq = 0;
  private clock: FrameClock | null = null;
  private stopped = false;
  private registered = new Set<string>();
  private inCall = new Set<string>();

  constructor(
    private readonly server: string,
    private readonly token: string,
    readonly agentId: string,
    capacity: number,
    /** Endpoints this agent will be given (to tell when its ramp is over). */
    private readonly expected = 0,
    private readonly region = "bench",
  ) {
    this.fleet = this.connect("/agent/connect", () =>
      this.fleet.send(JSON.stringify({
        v: PROTOCOL_VERSION, type: "hello", agentId, name: agentId, region: this.region, capacity, version: "synthetic",
        host: { hostname: "bench", platform: "linux-x64", cpus: 2, memMb: 1024 }, activeRuns: [],
      })),
    );
    this.fleet.on("message", (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === "assign") this.joinRun(m.runId);
    });
  }

  private connect(path: string, onOpen: () => void): WebSocket {
    const u = new URL(path, this.server);
    u.protocol = "ws:";
    const ws = new WebSocket(u, { headers: { authorization: `Bearer ${this.token}` } });
    ws.on("open", onOpen);
    ws.on("error", () => undefined);
    return ws;
  }

  /** Resolves once the fleet has welcomed this agent. */
  ready(): Promise<void> {
    return new Promise((resolve) => this.fleet.on("message", (d) => JSON.parse(d.toString()).type === "welcome" && resolve()));
  }

  /** After a rejoin, frames wait for the join's ack, then the unacknowledged ones go out in order. */
  private resendPending = false;

  private joinRun(runId: string) {
    this.resendPending = this.unacked.size > 0;
    const ws = this.connect(`/agent/runs/${runId}`, () =>
      ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: "join", agentId: this.agentId, runId, lastAckedSeq: 0 })),
    );
    this.run = ws;
    ws.on("message", (d) => this.onRunMessage(JSON.parse(d.toString()) as RunToAgent));
    ws.on("close", (code, reason) => {
      if (this.closed || this.run !== ws) return;
      this.stats.closes.push({ code, reason: reason.toString(), atMs: performance.now() });
      setTimeout(() => !this.closed && this.joinRun(runId), 500);
    });
    this.clock ??= new FrameClock(() => this.sendFrame());
  }

  private onRunMessage(m: RunToAgent) {
    if (m.type === "dispatch") {
      const now = performance.now();
      for (const e of m.endpoints) if (!this.dispatchedAt.has(e.id)) (this.dispatchedAt.set(e.id, now), this.endpoints.push(e));
    }
    else if (m.type === "ack") {
      // The run object's frame slot for this agent (as the real agent's FrameClock does).
      if (m.frameOffsetMs !== undefined) this.clock?.align(m.frameOffsetMs);
      // An ack covers every seq up to it (a rejoin acks the last applied one): resend the rest.
      for (const seq of [...this.unacked.keys()]) {
        if (seq > m.seq) continue;
        this.unacked.delete(seq);
        const t = this.stats.sentAt.get(seq);
        if (t !== undefined) (this.stats.ackLatenciesMs.push(performance.now() - t), this.stats.ackSentAt.push(t));
      }
      if (this.resendPending) {
        this.resendPending = false;
        for (const text of this.unacked.values()) (this.run!.send(text), this.stats.resent++);
      }
      // As the real agent: once its CLOSED frame is acknowledged, say done and stop sending.
      if (this.closedSeq !== null && m.seq >= this.closedSeq && this.unacked.size === 0 && !this.doneSent) {
        this.doneSent = true;
        this.clock?.stop();
        this.run?.send(JSON.stringify({ v: PROTOCOL_VERSION, type: "done", lastSeq: this.seq }));
      }
    } else if (m.type === "stop") this.stopped = true;
  }

  /** Seq of the frame that closed every endpoint (after a stop), and whether "done" went out. */
  private closedSeq: number | null = null;
  private doneSent = false;
  /** performance.now() at which each endpoint was dispatched: it registers once its startDelayMs has passed. */
  private dispatchedAt = new Map<string, number>();

  private sendFrame() {
    if (!this.run || this.run.readyState !== WebSocket.OPEN || this.endpoints.length === 0) return;
    if (this.doneSent) return;
    const seq = ++this.seq;
    const now = performance.now();
    // Like the real agent's endpoints: wait for the spec's startDelayMs (the test's buildup),
    // report REGISTERED once, then INCALL with a sample every second; CLOSED once after a stop.
    const samples: EndpointSample[] = [];
    this.endpoints.forEach((e, i) => {
      if (this.stopped) {
        if (this.closedSeq === null) samples.push({ id: e.id, phase: "CLOSED", outcome: "SUCCESS", statusCode: 200 });
        return;
      }
      const due = this.dispatchedAt.get(e.id)! + e.startDelayMs;
      if (now < due) return;
      if (!this.registered.has(e.id)) {
        this.registered.add(e.id);
        samples.push({ id: e.id, phase: "REGISTERED", timings: { time_to_register_ms: 10, registration_expires_s: 300 } });
        return;
      }
      const m = metrics(i);
      if (i === 0) m.mos = probeMos(seq);
      const first = !this.inCall.has(e.id);
      this.inCall.add(e.id);
      samples.push({ id: e.id, phase: "INCALL", m, ...(first ? { timings: { call_setup_time_ms: 40 } } : {}) });
    });
    if (this.stats.allInCallAt === null && this.expected > 0 && this.inCall.size === this.expected) this.stats.allInCallAt = now;
    if (samples.length === 0) {
      this.seq--; // nothing due yet (buildup) or everything already closed: no frame this second
      return;
    }
    if (this.stopped && this.closedSeq === null) this.closedSeq = seq;
    this.stats.sentAt.set(seq, performance.now());
    const text = JSON.stringify({ v: PROTOCOL_VERSION, type: "frame", seq, t: Date.now(), endpoints: samples, agent: load });
    this.unacked.set(seq, text);
    if (!this.resendPending) this.run.send(text);
    this.stats.framesSent++;
  }

  close() {
    this.closed = true;
    this.clock?.stop();
    this.run?.close();
    this.fleet.close();
  }
}
