/**
 * The one media clock of a process: a single timer drives every stream's 20 ms packetisation.
 * No per-stream timers.
 *
 * Streams are placed in one of `slots` phase slots spread across the period (slot k fires at
 * t ≡ k·period/slots mod period); a new stream goes to the least-loaded slot, ties broken in
 * van der Corput order (0, ½, ¼, ¾, … of the period), so N calls are N/slots packets per slot
 * rather than one N-packet burst. Each tick walks only the slots whose time has come since the
 * previous tick, so the work per tick is proportional to the streams actually due.
 *
 * Catch-up (when the event loop lagged): a stream whose due time is k periods behind is asked to
 * send at most `maxBurst` frames and to skip the rest (the stream advances its RTP timestamp
 * over skipped frames but not its sequence number, so the receiver sees a timestamp gap, not loss).
 * `stats()` exposes the lag (now − scheduled slot time) of the ticks and the late/skipped counts;
 * `lateness` holds every due stream's lag (clock read when its slot's walk starts, so time spent
 * sending the earlier slots of a long tick counts) as a mergeable histogram for p99s.
 */
import { LatencyHistogram } from "./histogram.js";

export interface ScheduledStream {
  /**
   * Called when frames are due. `send` ≥ 1 frames must go out now; `skip` ≥ 0 frames were missed
   * (before the ones to send) and should be accounted for without sending.
   */
  onDue(send: number, skip: number, nowMs: number): void;
}

export interface SchedulerOptions {
  periodMs?: number;
  slots?: number;
  tickMs?: number;
  maxBurst?: number;
  /** Monotonic ms clock (default performance.now). */
  now?: () => number;
}

export interface SchedulerStats {
  streams: number;
  ticks: number;
  /** Lateness of due frames behind their scheduled time, ms: mean and max since the last `resetStats`. */
  lagMeanMs: number;
  lagMaxMs: number;
  /** Frames sent later than one tick after their due time; frames skipped by catch-up. */
  lateFrames: number;
  skippedFrames: number;
  sentFrames: number;
}

/** van der Corput order of `n` slots: 0, n/2, n/4, 3n/4, … (each slot once). */
export function spreadOrder(n: number): number[] {
  const order: number[] = [];
  const seen = new Uint8Array(n);
  for (let i = 0; order.length < n; i++) {
    let x = 0;
    let f = 0.5;
    for (let k = i; k > 0; k >>= 1, f /= 2) if (k & 1) x += f;
    const slot = Math.floor(x * n);
    if (!seen[slot]) {
      seen[slot] = 1;
      order.push(slot);
    }
    if (i > 64 * n) break; // cannot happen; guards against n ≤ 0 misuse
  }
  return order;
}

/** Least-loaded slot, ties broken by `order`. */
export function pickSlot(counts: ArrayLike<number>, order: readonly number[]): number {
  let best = order[0]!;
  for (const s of order) if (counts[s]! < counts[best]!) best = s;
  return best;
}

/** First time ≥ now at which a stream in `slot` is due. */
export function firstDue(nowMs: number, slot: number, slots: number, periodMs: number): number {
  const phase = (slot * periodMs) / slots;
  const into = ((nowMs % periodMs) + periodMs) % periodMs;
  let wait = phase - into;
  if (wait < 0) wait += periodMs;
  return nowMs + wait;
}

/**
 * Due-selection for one stream: how many frames are due at `now` given its `nextDue`, how many of
 * them to send (≤ maxBurst, the newest) and skip, and the next due time.
 */
export function planSends(nextDue: number, nowMs: number, periodMs: number, maxBurst: number): { send: number; skip: number; nextDue: number } {
  if (nowMs < nextDue) return { send: 0, skip: 0, nextDue };
  const due = Math.floor((nowMs - nextDue) / periodMs) + 1;
  const send = Math.min(due, maxBurst);
  return { send, skip: due - send, nextDue: nextDue + due * periodMs };
}

interface Entry {
  stream: ScheduledStream;
  slot: number;
  index: number;
  nextDue: number;
}

export interface SchedulerHandle {
  readonly slot: number;
}

export class MediaScheduler {
  readonly periodMs: number;
  readonly slots: number;
  readonly tickMs: number;
  readonly maxBurst: number;
  private readonly now: () => number;
  private readonly buckets: Entry[][];
  private readonly counts: Uint32Array;
  private readonly order: number[];
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Slot times up to and including this one have been processed. */
  private cursor = Number.NaN;
  private count = 0;
  private st = { ticks: 0, lagSum: 0, lagN: 0, lagMax: 0, late: 0, skipped: 0, sent: 0 };
  /** Lag of each due stream behind its due time, ms (reset by the reader, see header). */
  readonly lateness = new LatencyHistogram();

  constructor(opts: SchedulerOptions = {}) {
    this.periodMs = opts.periodMs ?? 20;
    this.slots = opts.slots ?? 20;
    this.tickMs = opts.tickMs ?? 2;
    this.maxBurst = opts.maxBurst ?? 2;
    this.now = opts.now ?? (() => performance.now());
    this.buckets = Array.from({ length: this.slots }, () => []);
    this.counts = new Uint32Array(this.slots);
    this.order = spreadOrder(this.slots);
  }

  get size(): number {
    return this.count;
  }

  /** Register a stream; it is first due at its slot's next phase. Starts the timer if needed. */
  add(stream: ScheduledStream, autoStart = true): SchedulerHandle {
    const slot = pickSlot(this.counts, this.order);
    const bucket = this.buckets[slot]!;
    const now = this.now();
    const slotMs = this.periodMs / this.slots;
    // The slot boundary at `now` is still to be walked by the next tick.
    if (Number.isNaN(this.cursor) || this.count === 0) this.cursor = now - slotMs;
    let nextDue = firstDue(now, slot, this.slots, this.periodMs);
    // A due time at a boundary the ticks already walked would only be seen a period later.
    if (nextDue <= Math.floor(this.cursor / slotMs) * slotMs) nextDue += this.periodMs;
    const e: Entry = { stream, slot, index: bucket.length, nextDue };
    bucket.push(e);
    this.counts[slot]!++;
    this.count++;
    if (autoStart) this.start();
    return e;
  }

  /** Unregister; stops the timer when no stream is left. */
  remove(handle: SchedulerHandle): void {
    const e = handle as Entry;
    const bucket = this.buckets[e.slot]!;
    if (bucket[e.index] !== e) return;
    const last = bucket.pop()!;
    if (last !== e) {
      bucket[e.index] = last;
      last.index = e.index;
    }
    e.index = -1;
    this.counts[e.slot]!--;
    this.count--;
    if (this.count === 0) this.stop();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(this.now()), this.tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Process every slot whose time is in (cursor, now]. Public for tests with a fake clock. */
  tick(nowMs: number): void {
    this.st.ticks++;
    const slotMs = this.periodMs / this.slots;
    if (Number.isNaN(this.cursor)) this.cursor = nowMs;
    // Slot boundaries passed since the last tick; at most one full period is walked.
    let first = Math.floor(this.cursor / slotMs) + 1;
    const last = Math.floor(nowMs / slotMs);
    if (last - first + 1 > this.slots) first = last - this.slots + 1;
    for (let k = first; k <= last; k++) {
      const slot = ((k % this.slots) + this.slots) % this.slots;
      const bucket = this.buckets[slot]!;
      if (bucket.length === 0) continue;
      // A long tick sends its later slots later than `nowMs`: their lag is measured from now.
      const slotNow = Math.max(nowMs, this.now());
      // Iterate backwards: a stream may remove itself in onDue (swap-remove keeps earlier indices).
      for (let i = bucket.length - 1; i >= 0; i--) {
        const e = bucket[i];
        if (!e) continue;
        const p = planSends(e.nextDue, nowMs, this.periodMs, this.maxBurst);
        if (p.send === 0) continue;
        const lag = slotNow - e.nextDue; // how late the oldest due frame is
        this.lateness.add(lag);
        this.st.lagSum += lag;
        this.st.lagN++;
        if (lag > this.st.lagMax) this.st.lagMax = lag;
        if (lag > this.tickMs + slotMs) this.st.late++;
        e.nextDue = p.nextDue;
        this.st.sent += p.send;
        this.st.skipped += p.skip;
        try {
          e.stream.onDue(p.send, p.skip, nowMs);
        } catch {
          // A stream's failure must not stop the clock for the others.
        }
      }
    }
    this.cursor = nowMs;
  }

  stats(): SchedulerStats {
    return {
      streams: this.count,
      ticks: this.st.ticks,
      lagMeanMs: this.st.lagN ? this.st.lagSum / this.st.lagN : 0,
      lagMaxMs: this.st.lagMax,
      lateFrames: this.st.late,
      skippedFrames: this.st.skipped,
      sentFrames: this.st.sent,
    };
  }

  resetStats(): void {
    this.st.lagSum = this.st.lagN = this.st.lagMax = 0;
  }
}

let shared: MediaScheduler | null = null;
/** The process-wide scheduler (created on first use). */
export function sharedScheduler(): MediaScheduler {
  shared ??= new MediaScheduler();
  return shared;
}
