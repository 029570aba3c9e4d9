/**
 * Media sessions spread over worker threads, each with its own MediaScheduler and sockets
 * (media-worker.ts), so a process uses every core once one core cannot pace all streams.
 * With 0 workers the sessions live on the calling thread in one MediaHost (same API).
 *
 *   const pool = await MediaPool.create(mediaWorkerCount(cpus().length, process.env));
 *   const s = await pool.open({ localAddress: "127.0.0.1", codec: "PCMU", port: 20000 });
 *   pool.start(s.id, { address, port, payloadType: 0 });
 *   const { agg, ids, values } = await pool.report();   // merged over workers, once a second
 *   pool.stop(s.id); await pool.close();
 *
 * Sessions go to the least-loaded worker (worker-assign.ts). Reports are the workers'
 * MediaAggregates merged (aggregate.ts) plus the concatenated rows of changed endpoints.
 */
import { Worker } from "node:worker_threads";
import { emptyAggregate, mergeAggregates } from "./aggregate.js";
import { MediaHost, type HostReport, type HostSessionOptions } from "./media-host.js";
import type { MediaCountersSnapshot, WorkerReply, WorkerRequest } from "./media-worker.js";
import type { MediaOpenOptions } from "./port-options.js";
import { PooledMediaPort, type PortLink } from "./pooled-port.js";
import { readRow } from "./sample-rows.js";
import type { RemoteMedia } from "./rtp-session.js";
import { pickWorker } from "./worker-assign.js";

export interface PooledSession {
  id: number;
  port: number;
  rtcpPort: number;
  /** Worker index, −1 on the calling thread. */
  worker: number;
}

interface Lane {
  worker: Worker;
  pending: Map<number, (r: WorkerReply) => void>;
  /** The worker's media counters as of its last `samples` reply (cumulative). */
  counters: MediaCountersSnapshot | null;
  /** Why the worker is gone (it threw or exited), or null while it runs. */
  dead: string | null;
}

/**
 * How long the frame tick waits for a media thread's rows: a thread that does not answer (stuck,
 * or overloaded far beyond its pacing) costs its calls one second of metrics, never the frame.
 */
const PREFETCH_TIMEOUT_MS = 2000;

/**
 * The worker's entry module. From source: media-worker.ts beside this file. In the compiled agent
 * (`bun build --compile agent/src/main.ts agent/src/media/media-worker.ts`, package.json
 * build:agent) every module is bundled into the entry at Bun's virtual root and the worker is the
 * build's second entry point, at media/media-worker.js under that root (the root being agent/src,
 * the entry points' common directory).
 */
export function mediaWorkerEntry(): URL {
  if (import.meta.url.includes("/$bunfs/")) return new URL("./media/media-worker.js", import.meta.url);
  return new URL("./media-worker.ts", import.meta.url);
}

export class MediaPool {
  private readonly lanes: Lane[];
  private readonly local: MediaHost | null;
  private readonly loads: number[];
  private readonly where = new Map<number, number>();
  /** Agent endpoints' ports by session id (openPort), for pushed failures and prefetched rows. */
  private readonly ports = new Map<number, PooledMediaPort>();
  private nextId = 1;
  private seq = 1;

  private constructor(lanes: Lane[]) {
    this.lanes = lanes;
    this.local = lanes.length ? null : new MediaHost();
    this.loads = lanes.map(() => 0);
  }

  static async create(workers: number): Promise<MediaPool> {
    const lanes: Lane[] = [];
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(mediaWorkerEntry());
      const lane: Lane = { worker, pending: new Map(), counters: null, dead: null };
      worker.on("message", (m: WorkerReply) => {
        if (m.t === "failure") return pool.ports.get(m.id)?.fail(m.reason);
        if (m.t === "samples") lane.counters = m.counters;
        const cb = lane.pending.get(m.seq);
        lane.pending.delete(m.seq);
        cb?.(m);
      });
      // A media thread that dies (a bug: the receive paths catch malformed input) takes only its
      // calls with it: they fail with the reason, waiting requests are answered, no new session goes there.
      const died = (why: string) => {
        if (lane.dead !== null) return;
        lane.dead = why;
        pool.loads[i] = Number.POSITIVE_INFINITY;
        for (const [seq, cb] of lane.pending) cb({ t: "error", seq, message: `media thread stopped: ${why}` });
        lane.pending.clear();
        for (const port of pool.ports.values()) if (port.worker === i) port.fail(`media thread stopped: ${why}`);
      };
      worker.on("error", (e: Error) => died(e.message));
      worker.on("exit", (code: number) => died(`exited with code ${code}`));
      worker.unref();
      lanes.push(lane);
    }
    const pool = new MediaPool(lanes);
    return pool;
  }

  get workers(): number {
    return this.lanes.length;
  }

  private ask(lane: Lane, m: WorkerRequest & { seq: number }, timeoutMs = 0): Promise<WorkerReply> {
    if (lane.dead !== null) return Promise.resolve({ t: "error", seq: m.seq, message: `media thread stopped: ${lane.dead}` });
    return new Promise((resolve) => {
      lane.pending.set(m.seq, resolve);
      lane.worker.postMessage(m);
      if (timeoutMs > 0) {
        // A late reply finds no waiter and is dropped.
        setTimeout(() => {
          if (lane.pending.delete(m.seq)) resolve({ t: "error", seq: m.seq, message: `media thread did not answer within ${timeoutMs} ms` });
        }, timeoutMs).unref?.();
      }
    });
  }

  async open(opts: HostSessionOptions): Promise<PooledSession> {
    const id = this.nextId++;
    if (this.local) {
      const s = await this.local.open(id, opts);
      this.where.set(id, -1);
      return { id, port: s.localPort, rtcpPort: s.localRtcpPort, worker: -1 };
    }
    const { w, port, rtcpPort } = await this.openOnWorker(id, (seq) => ({ t: "open", seq, id, opts }));
    return { id, port, rtcpPort, worker: w };
  }

  /** Opens session `id` on the least-loaded worker with `request`; counts it there once opened. */
  private async openOnWorker(id: number, request: (seq: number) => WorkerRequest & { seq: number }): Promise<{ w: number; port: number; rtcpPort: number }> {
    const w = pickWorker(this.loads);
    this.loads[w]!++;
    const r = await this.ask(this.lanes[w]!, request(this.seq++));
    if (r.t !== "opened") {
      this.loads[w]!--;
      throw new Error(r.t === "error" ? r.message : `media worker: unexpected ${r.t}`);
    }
    this.where.set(id, w);
    return { w, port: r.port, rtcpPort: r.rtcpPort };
  }

  start(id: number, remote?: RemoteMedia): void {
    const w = this.where.get(id);
    if (w === undefined) return;
    if (w < 0) this.local!.start(id, remote);
    else this.lanes[w]!.worker.postMessage({ t: "start", id, ...(remote ? { remote } : {}) } satisfies WorkerRequest);
  }

  stop(id: number): void {
    const w = this.where.get(id);
    if (w === undefined) return;
    this.where.delete(id);
    if (w < 0) this.local!.stop(id);
    else {
      this.loads[w]!--;
      this.lanes[w]!.worker.postMessage({ t: "stop", id } satisfies WorkerRequest);
    }
  }

  /**
   * An agent endpoint's media on the least-loaded worker (pooled-port.ts): the session is created
   * there from the endpoint's options, SDP is negotiated there, the port forwards. Needs workers.
   */
  async openPort(opts: MediaOpenOptions): Promise<PooledMediaPort> {
    if (this.local) throw new Error("MediaPool.openPort needs media workers (RINGFLEET_MEDIA_WORKERS ≥ 1)");
    const id = this.nextId++;
    const { w, port: rtpPort } = await this.openOnWorker(id, (seq) => ({ t: "openPort", seq, id, opts }));
    const port = new PooledMediaPort(id, w, rtpPort, this.link);
    this.ports.set(id, port);
    return port;
  }

  private readonly link: PortLink = {
    sdp: async (id, op) => {
      const w = this.where.get(id);
      if (w === undefined || w < 0) return { ok: false, reason: "media session is gone" };
      const r = await this.ask(this.lanes[w]!, { t: "sdp", seq: this.seq++, id, sdp: op });
      return r.t === "sdp" ? r.result : { ok: false, reason: r.t === "error" ? r.message : `media worker: unexpected ${r.t}` };
    },
    start: (id) => this.start(id),
    sipInfo: (id, contentType, body) => {
      const w = this.where.get(id);
      if (w !== undefined && w >= 0) this.lanes[w]!.worker.postMessage({ t: "sipInfo", id, contentType, body } satisfies WorkerRequest);
    },
    stop: (id) => {
      this.ports.delete(id);
      this.stop(id);
    },
  };

  /**
   * Fetches the coming frame's row of each port (sample() + detail() on its worker, one message
   * per worker) and hands it to the port; ports of other pools or already stopped are skipped.
   */
  async prefetch(ports: readonly unknown[], nowMs: number): Promise<void> {
    const byLane = this.lanes.map(() => [] as PooledMediaPort[]);
    for (const p of ports) if (p instanceof PooledMediaPort && this.ports.get(p.id) === p) byLane[p.worker]!.push(p);
    await Promise.all(
      byLane.map(async (list, w) => {
        if (!list.length) return;
        const r = await this.ask(this.lanes[w]!, { t: "sample", seq: this.seq++, ids: list.map((p) => p.id), nowMs }, PREFETCH_TIMEOUT_MS);
        if (r.t !== "samples") return;
        list.forEach((p, i) => p.deliver(readRow(r.rows, i)));
      }),
    );
  }

  /** `base` (this thread's media counters) plus the workers', as of their last sample replies (cumulative). */
  countersWith(base: MediaCountersSnapshot): MediaCountersSnapshot {
    const sum = { ...base };
    for (const l of this.lanes) if (l.counters) for (const k of Object.keys(sum) as (keyof MediaCountersSnapshot)[]) sum[k] += l.counters[k];
    return sum;
  }

  /** Every thread's report of the last interval, merged. `sample` = run sample()/detail() of every session. */
  async report(sample = true): Promise<HostReport & { perWorker: HostReport["agg"][] }> {
    if (this.local) {
      this.local.sampleSessions = sample;
      const r = await this.local.reportSliced();
      return { ...r, perWorker: [r.agg] };
    }
    const replies = await Promise.all(this.lanes.map((l) => this.ask(l, { t: "report", seq: this.seq++, sample })));
    let agg = emptyAggregate();
    const ids: number[] = [];
    const values: number[] = [];
    const perWorker: HostReport["agg"][] = [];
    for (const r of replies) {
      if (r.t !== "report") continue;
      agg = mergeAggregates(agg, r.report.agg);
      perWorker.push(r.report.agg);
      for (const x of r.report.ids) ids.push(x);
      for (const x of r.report.values) values.push(x);
    }
    return { agg, ids, values, perWorker };
  }

  /**
   * Stops sending on every thread; sockets keep receiving (MediaHost.quiesce). Resolves once every
   * thread has stopped (a lagging worker may take a while to see the message).
   */
  async quiesce(): Promise<void> {
    if (this.local) this.local.quiesce();
    await Promise.all(this.lanes.map((l) => this.ask(l, { t: "quiesce", seq: this.seq++ })));
  }

  async close(): Promise<void> {
    if (this.local) {
      this.local.close();
      return;
    }
    await Promise.all(this.lanes.map((l) => this.ask(l, { t: "close", seq: this.seq++ })));
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
  }
}
