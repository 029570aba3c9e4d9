/**
 * The media of one thread: its own MediaScheduler, the RtpSessions on it (each with its own
 * sockets), an event-loop lag probe, and the once-a-second report as a mergeable MediaAggregate
 * plus the rows of endpoints whose values changed (aggregate.ts). The agent's main thread runs one
 * (no workers) or each media worker runs one (media-worker.ts, media-pool.ts).
 */
import { ChangedRows, emptyAggregate, toSparse, type MediaAggregate } from "./aggregate.js";
import { mediaCounters } from "./counters.js";
import { LatencyHistogram } from "./histogram.js";
import { RtpSession, type RemoteMedia, type RtpSessionOptions, type SecondMetricValues } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";
import { ROW_WIDTH, SECOND_ROW_KEYS, writeRow } from "./sample-rows.js";

/** Column order of the per-endpoint rows (SecondMetricValues keys, sample-rows.ts). */
export const ROW_KEYS = SECOND_ROW_KEYS;

/** The probe's period: short enough to see a stalled 20 ms media tick, cheap (100 wake-ups/s). */
const LOOP_PROBE_MS = 10;
/**
 * Sessions sampled per slice of the async report: sample() + detail() cost ~10–50 µs a session,
 * so 2,000 sessions in one go would hold the thread (and its media clock) for tens of ms; slices of
 * 100 keep each hold to a few ms and let the scheduler's ticks run in between.
 */
const SAMPLE_SLICE = 100;
const yieldToTimers = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export interface HostReport {
  agg: MediaAggregate;
  /** Changed endpoints: ids[i] has values[i·ROW_KEYS.length …]. */
  ids: number[];
  values: number[];
}

function sampleRow(s: RtpSession): number[] {
  const v = s.sample(Date.now());
  s.detail();
  return ROW_KEYS.map((k) => v[k]);
}

export type HostSessionOptions = Omit<RtpSessionOptions, "scheduler">;

export class MediaHost {
  readonly scheduler: MediaScheduler;
  private readonly sessions = new Map<number, RtpSession>();
  private readonly rows = new ChangedRows(ROW_KEYS.length);
  private readonly loopLag = new LatencyHistogram();
  private probe: ReturnType<typeof setInterval> | null = null;
  private last = { sent: 0, skipped: 0, packetsSent: 0, packetsReceived: 0, sendErrors: 0, malformed: 0 };
  /** Calls sample() + detail() of every session in report() (what the agent's frame does); false = counters only. */
  sampleSessions = true;

  constructor(scheduler: MediaScheduler = new MediaScheduler()) {
    this.scheduler = scheduler;
    let expected = performance.now() + LOOP_PROBE_MS;
    this.probe = setInterval(() => {
      const now = performance.now();
      this.loopLag.add(now - expected);
      expected = now + LOOP_PROBE_MS;
    }, LOOP_PROBE_MS);
    this.probe.unref?.();
  }

  get size(): number {
    return this.sessions.size;
  }

  async open(id: number, opts: HostSessionOptions): Promise<RtpSession> {
    if (this.sessions.has(id)) throw new Error(`media host: session ${id} exists`);
    const s = await RtpSession.open({ ...opts, scheduler: this.scheduler });
    this.sessions.set(id, s);
    return s;
  }

  session(id: number): RtpSession | undefined {
    return this.sessions.get(id);
  }

  start(id: number, remote?: RemoteMedia): void {
    this.sessions.get(id)?.start(remote);
  }

  stop(id: number): void {
    const s = this.sessions.get(id);
    if (!s) return;
    s.stop();
    this.sessions.delete(id);
    this.rows.forget(id);
  }

  /** The interval since the previous report (see aggregate.ts), sampling every session in one go. */
  report(): HostReport {
    const t0 = performance.now();
    const current: [number, number[]][] = [];
    if (this.sampleSessions) for (const [id, s] of this.sessions) current.push([id, sampleRow(s)]);
    const { ids, values } = this.rows.diff(current);
    return this.finish(ids, values, performance.now() - t0);
  }

  /**
   * The same, sampling in slices of SAMPLE_SLICE sessions with the event loop free in between (what
   * a media thread should use: the pass never holds the media clock for long). `passMs` counts the
   * slices' own time, not the waits.
   */
  async reportSliced(): Promise<HostReport> {
    let work = 0;
    const current: [number, number[]][] = [];
    if (this.sampleSessions) {
      const all = [...this.sessions];
      for (let i = 0; i < all.length; i += SAMPLE_SLICE) {
        if (i > 0) await yieldToTimers();
        const t = performance.now();
        for (const [id, s] of all.slice(i, i + SAMPLE_SLICE)) if (this.sessions.get(id) === s) current.push([id, sampleRow(s)]);
        work += performance.now() - t;
      }
    }
    const t = performance.now();
    const { ids, values } = this.rows.diff(current);
    return this.finish(ids, values, work + performance.now() - t);
  }

  /**
   * sample() + detail() of the given sessions, one row each (sample-rows.ts; NaN for a session that
   * is gone), in slices with the event loop free in between as in reportSliced(): the agent's
   * frame asks this of each media thread once a second for its calls in progress.
   */
  async sampleRows(ids: readonly number[], nowMs: number): Promise<Float64Array> {
    const out = new Float64Array(ids.length * ROW_WIDTH);
    for (let i = 0; i < ids.length; i++) {
      if (i > 0 && i % SAMPLE_SLICE === 0) await yieldToTimers();
      const s = this.sessions.get(ids[i]!);
      writeRow(out, i, s ? s.sample(nowMs) : null, s ? s.detail() : null);
    }
    return out;
  }

  private finish(ids: number[], values: number[], passMs: number): HostReport {
    const st = this.scheduler.stats();
    const c = mediaCounters;
    const late = this.scheduler.lateness;
    // Frames more than a period late would arrive after the next one was due: count them apart.
    const lateFrom = Math.ceil(20 / late.bucketMs);
    let framesLate = 0;
    for (let i = lateFrom; i < late.counts.length; i++) framesLate += late.counts[i]!;
    const agg: MediaAggregate = {
      ...emptyAggregate(),
      sessions: this.sessions.size,
      framesSent: st.sentFrames - this.last.sent,
      framesSkipped: st.skippedFrames - this.last.skipped,
      framesLate,
      packetsSent: c.packetsSent - this.last.packetsSent,
      packetsReceived: c.packetsReceived - this.last.packetsReceived,
      sendErrors: c.sendErrors - this.last.sendErrors,
      malformed: c.malformed - this.last.malformed,
      lateness: toSparse(late.counts),
      latenessMax: late.max,
      loopLag: toSparse(this.loopLag.counts),
      loopLagMax: this.loopLag.max,
      metricsPassMaxMs: passMs,
      metricsPassTotalMs: passMs,
      changed: ids.length,
    };
    this.last = { sent: st.sentFrames, skipped: st.skippedFrames, packetsSent: c.packetsSent, packetsReceived: c.packetsReceived, sendErrors: c.sendErrors, malformed: c.malformed };
    late.reset();
    this.loopLag.reset();
    return { agg, ids, values };
  }

  /** Stops the clock: no session sends any more, sockets stay open and keep receiving (a benchmark's drain). */
  quiesce(): void {
    this.scheduler.stop();
  }

  /** Stops every session and the probe. */
  close(): void {
    for (const id of [...this.sessions.keys()]) this.stop(id);
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
    this.scheduler.stop();
  }
}
