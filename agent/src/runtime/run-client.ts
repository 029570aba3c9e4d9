/**
 * The agent's part of one run: the run socket, the endpoints it was dispatched, and the outbox
 * of per-second frames. Frames are acknowledged by the run object; after a reconnect the agent
 * re-joins with its last acknowledged seq and resends the rest.
 */
import { PROTOCOL_VERSION, RunToAgent, parseWire, type AgentLoad, type AgentToRun, type EndpointSample, type EndpointSpec } from "../../../protocol/index.js";
import { FrameBuffer } from "./frame-buffer.js";
import { wsUrl } from "./fleet-client.js";
import type { Logger } from "./log.js";
import { ReconnectingSocket } from "./socket.js";
import { FrameClock } from "./frame-clock.js";
import type { MediaPort } from "./ports.js";

/** What the run client needs from an endpoint; the SIP+media implementation lives in endpoint.ts. */
export interface ManagedEndpoint {
  readonly id: string;
  readonly closed: boolean;
  start(): void;
  /** Hang up now (stop button or run end): BYE, de-register, then CLOSED. */
  stop(reason: string): void;
  /** What changed since the last call (phase, outcome, timings, new trace entries, last second's metrics), or null. */
  sample(nowMs: number): EndpointSample | null;
  /** The media a sample() now would report (a call in progress), or null. */
  mediaToSample?(): MediaPort | null;
}
export type EndpointFactory = (spec: EndpointSpec) => ManagedEndpoint;

export interface RunClientOptions {
  server: string;
  token: string;
  agentId: string;
  runId: string;
  log: Logger;
  createEndpoint: EndpointFactory;
  load: () => AgentLoad;
  onFinished: (runId: string) => void;
  /**
   * Fetch the coming frame's media metrics of these calls in one go before sampling (media on
   * worker threads: MediaFactory.prefetch). Absent: media is sampled where it runs, synchronously.
   */
  prefetchMedia?: (ports: MediaPort[], nowMs: number) => Promise<void>;
  /** Frame period; 1 s in production. */
  frameMs?: number;
}

/** Close codes from the run object that mean "do not come back". */
const NOT_ASSIGNED = 4003;

export class RunClient {
  private readonly socket: ReconnectingSocket;
  private readonly buffer = new FrameBuffer();
  private readonly endpoints = new Map<string, ManagedEndpoint>();
  private readonly clock: FrameClock;
  private stopping = false;
  private finished = false;
  private joinedAcked = false;

  constructor(private readonly o: RunClientOptions) {
    this.socket = new ReconnectingSocket({
      url: wsUrl(o.server, `/agent/runs/${encodeURIComponent(o.runId)}`),
      token: o.token,
      log: o.log,
      fatalCodes: [NOT_ASSIGNED],
      onOpen: () => {
        this.joinedAcked = false;
        this.send({ v: PROTOCOL_VERSION, type: "join", agentId: o.agentId, runId: o.runId, lastAckedSeq: 0 });
      },
      onMessage: (t) => this.onMessage(t),
      onClose: (code) => {
        if (code === NOT_ASSIGNED) this.finish("not assigned to this run");
      },
    });
    this.clock = new FrameClock(() => this.tick(), o.frameMs ?? 1000);
  }

  get activeEndpoints(): number {
    let n = 0;
    for (const e of this.endpoints.values()) if (!e.closed) n++;
    return n;
  }

  private send(msg: AgentToRun): boolean {
    return this.socket.send(JSON.stringify(msg));
  }

  private onMessage(text: string) {
    const parsed = parseWire(RunToAgent, text);
    if (!parsed.ok) return this.o.log.warn("bad message from run", { runId: this.o.runId, error: parsed.message });
    const msg = parsed.value;
    switch (msg.type) {
      case "ack":
        this.buffer.ack(msg.seq);
        if (msg.frameOffsetMs !== undefined) this.clock.align(msg.frameOffsetMs);
        if (!this.joinedAcked) {
          // First ack after (re)joining: resend whatever the run object has not applied yet.
          this.joinedAcked = true;
          for (const f of this.buffer.unacked()) this.send(f);
        }
        this.maybeFinish();
        return;
      case "dispatch":
        for (const spec of msg.endpoints) {
          if (this.endpoints.has(spec.id)) continue; // re-dispatch after a reconnect: already running
          const ep = this.o.createEndpoint(spec);
          this.endpoints.set(spec.id, ep);
          if (this.stopping) ep.stop("run stopping");
          else ep.start();
        }
        this.o.log.info("endpoints dispatched", { runId: this.o.runId, count: msg.endpoints.length });
        return;
      case "stop":
        this.o.log.info("run stop", { runId: this.o.runId, reason: msg.reason });
        this.stopping = true;
        for (const e of this.endpoints.values()) e.stop(msg.reason);
        this.maybeFinish();
        return;
      case "error":
        this.o.log.warn("run reported an error", { runId: this.o.runId, code: msg.code, message: msg.message });
    }
  }

  /** A frame waiting for its media rows (prefetchMedia); the next tick does not start another. */
  private fetching = false;

  private tick() {
    const now = Date.now();
    const prefetch = this.o.prefetchMedia;
    if (!prefetch) return this.emitFrame(now);
    if (this.fetching) return;
    const ports: MediaPort[] = [];
    for (const e of this.endpoints.values()) {
      const p = e.mediaToSample?.();
      if (p) ports.push(p);
    }
    if (ports.length === 0) return this.emitFrame(now);
    this.fetching = true;
    prefetch(ports, now)
      .catch((e: unknown) => this.o.log.warn("media metrics not fetched for this frame", { runId: this.o.runId, error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        this.fetching = false;
        if (!this.finished) this.emitFrame(now);
      });
  }

  private emitFrame(now: number) {
    const samples: EndpointSample[] = [];
    for (const e of this.endpoints.values()) {
      const s = e.sample(now);
      if (s) samples.push(s);
    }
    if (samples.length > 0) {
      const mergedBefore = this.buffer.merged;
      const frame = this.buffer.push({ v: PROTOCOL_VERSION, type: "frame", t: now, endpoints: samples, agent: this.o.load() });
      if (this.buffer.merged !== mergedBefore && this.buffer.merged % 60 === 1)
        // Nothing is dropped: the oldest unsent seconds are folded into one frame (their per-second
        // series for those seconds keeps only the newer sample). Say so, once a minute.
        this.o.log.warn("edge unreachable for long: outbox full, folding the oldest unacknowledged frames", {
          runId: this.o.runId, unacked: this.buffer.size, foldedSoFar: this.buffer.merged,
        });
      if (this.joinedAcked) this.send(frame);
    }
    this.maybeFinish();
  }

  /** Done when every endpoint is closed (or there never were any and the run stopped) and all frames are acknowledged. */
  private maybeFinish() {
    if (this.finished) return;
    const allClosed = [...this.endpoints.values()].every((e) => e.closed);
    if (!allClosed || (this.endpoints.size === 0 && !this.stopping)) return;
    if (this.buffer.size > 0 || !this.joinedAcked) return;
    // One last sample pass so the final state is in a frame before "done".
    const last = [...this.endpoints.values()].map((e) => e.sample(Date.now())).filter((s): s is EndpointSample => s !== null);
    if (last.length) {
      this.send(this.buffer.push({ v: PROTOCOL_VERSION, type: "frame", t: Date.now(), endpoints: last, agent: this.o.load() }));
      return;
    }
    this.send({ v: PROTOCOL_VERSION, type: "done", lastSeq: this.buffer.lastSeq });
    this.finish("all endpoints closed");
  }

  private finish(why: string) {
    if (this.finished) return;
    this.finished = true;
    this.clock.stop();
    for (const e of this.endpoints.values()) if (!e.closed) e.stop(why);
    this.o.log.info("run finished on this agent", { runId: this.o.runId, why });
    // Let the last message flush before closing.
    setTimeout(() => this.socket.close(), 200);
    this.o.onFinished(this.o.runId);
  }

  /** Agent shutdown: hang up everything, keep sending until acknowledged or the grace period ends. */
  stopAll(reason: string) {
    this.stopping = true;
    for (const e of this.endpoints.values()) e.stop(reason);
  }

  get isFinished() {
    return this.finished;
  }
}
