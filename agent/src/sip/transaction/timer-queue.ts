/**
 * One queue of one-shot timers driven by a single runtime timer: the transaction timers A–K of
 * RFC 3261 §17 (values in ../timers.ts) and the UA's timers above them. A REGISTER alone starts
 * about six of them (E, F, K per transaction) and most are stopped before they fire; a native
 * setTimeout/clearTimeout pair per start, plus a native dispatch per firing, cost more than the
 * transaction logic itself at a thousand operations per second. Here a start is a push into a
 * binary min-heap (deadline, then start order, so equal deadlines fire in the order they were
 * started, as setTimeout does), a stop removes the entry in place, and one runtime timer is
 * armed for the earliest deadline.
 *
 * Pure apart from the clock and the runtime timer, which are captured when a queue is created
 * (see `TimerQueue.current`), so the queue also runs on test fake timers.
 */

/** A scheduled callback; owned by its creator and re-used across restarts (no allocation per start). */
export interface TimerEntry {
  /** Deadline on the queue's clock (ms). */
  at: number;
  /** Start order, for ties. */
  seq: number;
  /** Position in the heap, -1 when not scheduled. */
  index: number;
  /** The queue it is in (while index >= 0). */
  queue: TimerQueue | null;
  fn: (() => void) | null;
}

export const newTimerEntry = (): TimerEntry => ({ at: 0, seq: 0, index: -1, queue: null, fn: null });

export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * A runtime timer that fires within this much of an entry's deadline fires it too: the runtime's
 * timers count whole milliseconds on their own clock, so a wake-up can come a fraction of a
 * millisecond before `now()` reaches the deadline; without it every such wake-up would be
 * followed by another one a millisecond later.
 */
export const FIRE_TOLERANCE_MS = 1;

/** The longest delay setTimeout honours (2^31-1 ms, about 24.8 days). */
export const MAX_RUNTIME_DELAY_MS = 2_147_483_647;

export class TimerQueue {
  private heap: TimerEntry[] = [];
  private seq = 0;
  private handle: unknown = null;
  /** Deadline the runtime timer is armed for (Infinity when none). */
  private armedAt = Infinity;
  private firing = false;
  private readonly onWake = () => this.wake();

  constructor(private readonly clock: TimerClock) {}

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `e` to call `fn` after `ms` (re-scheduling it if it was pending). */
  start(e: TimerEntry, ms: number, fn: () => void): void {
    if (e.index >= 0) e.queue!.remove(e);
    e.at = this.clock.now() + (ms > 0 ? ms : 0);
    e.seq = this.seq++;
    e.fn = fn;
    e.queue = this;
    const h = this.heap;
    e.index = h.length;
    h.push(e);
    this.up(e.index);
    if (!this.firing && e.at < this.armedAt) this.arm(e.at);
  }

  /** Unschedules `e` if it is pending here; the runtime timer stays armed (a spurious wake-up is cheap). */
  remove(e: TimerEntry): void {
    const i = e.index;
    if (i < 0 || e.queue !== this) return;
    const h = this.heap;
    const last = h.pop()!;
    e.index = -1;
    e.queue = null;
    e.fn = null;
    if (last !== e) {
      h[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
  }

  private arm(at: number): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.armedAt = at;
    // Runtimes fire a longer delay at once (it overflows a 32-bit millisecond count): wait the
    // longest they take and look again (a registrar may grant an Expires of 2^32-1 s).
    const delay = Math.min(MAX_RUNTIME_DELAY_MS, Math.max(0, Math.ceil(at - this.clock.now())));
    const h = this.clock.setTimeout(this.onWake, delay);
    // Timers must not keep a process alive on their own (the agent decides when to exit).
    (h as { unref?: () => void } | null)?.unref?.();
    this.handle = h;
  }

  /** The runtime timer fired: run everything due, in deadline order, then re-arm for the next. */
  private wake(): void {
    this.handle = null;
    this.armedAt = Infinity;
    this.firing = true;
    let error: unknown = null;
    let failed = false;
    try {
      const h = this.heap;
      // Entries started by a callback with a zero delay run in the next wake-up, like setTimeout(0).
      const limit = this.clock.now() + FIRE_TOLERANCE_MS;
      const seqLimit = this.seq;
      while (h.length > 0 && h[0].at <= limit && h[0].seq < seqLimit) {
        const e = h[0];
        const fn = e.fn!;
        this.remove(e);
        try {
          fn();
        } catch (err) {
          // The other due callbacks still run; the first error is re-thrown afterwards, as an
          // exception out of a setTimeout callback would have been.
          if (!failed) {
            failed = true;
            error = err;
          }
        }
      }
    } finally {
      this.firing = false;
      if (this.heap.length > 0) this.arm(this.heap[0].at);
    }
    if (failed) throw error;
  }

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(e, h[p])) break;
      h[i] = h[p];
      h[i].index = i;
      i = p;
    }
    h[i] = e;
    e.index = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const e = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[c], e)) break;
      h[i] = h[c];
      h[i].index = i;
      i = c;
    }
    h[i] = e;
    e.index = i;
  }

  // ---- the process-wide queue ----------------------------------------------------------------

  private static shared: TimerQueue | null = null;
  private static sharedFor: unknown = null;

  /**
   * The process's queue, on the runtime's clock and timers as they are now. When the global
   * setTimeout is swapped (test fake timers installed or removed), timers started from then on go
   * to a new queue on the new clock; the old queue keeps running what it already holds.
   */
  static current(): TimerQueue {
    const st = globalThis.setTimeout;
    if (TimerQueue.shared === null || TimerQueue.sharedFor !== st) {
      const ct = globalThis.clearTimeout;
      // The method itself, bound: fake timers may replace it on the same object later.
      const now = globalThis.performance.now.bind(globalThis.performance);
      TimerQueue.shared = new TimerQueue({
        now,
        setTimeout: (fn, ms) => st(fn, ms),
        clearTimeout: (h) => ct(h as ReturnType<typeof setTimeout>),
      });
      TimerQueue.sharedFor = st;
    }
    return TimerQueue.shared;
  }
}
