/**
 * What one media thread reports each second, built so that reports of several threads (or
 * several seconds) merge by addition: counters are deltas over the interval, gauges are summed
 * (sessions) or max'd (worst metrics pass), latency distributions travel as sparse histogram
 * counts (only non-empty buckets), and per-endpoint values only for endpoints whose values
 * changed since the thread's previous report. So a report costs O(changed endpoints + non-empty
 * buckets), never O(all metrics of all endpoints).
 */
import { LatencyHistogram } from "./histogram.js";

/** [bucket index, count, bucket index, count, …] of the non-empty buckets. */
export type SparseCounts = number[];

export interface MediaAggregate {
  /** Sessions alive at the end of the interval (summed over threads). */
  sessions: number;
  /** Frames the scheduler found due: sent on time or late (`framesSent`), or skipped by catch-up. */
  framesSent: number;
  framesSkipped: number;
  /** Due frames sent more than one period (20 ms) after their due time. */
  framesLate: number;
  packetsSent: number;
  packetsReceived: number;
  sendErrors: number;
  malformed: number;
  /** Send lateness of due streams, and event-loop lag of the thread's 10 ms probe (histogram.ts defaults). */
  lateness: SparseCounts;
  latenessMax: number;
  loopLag: SparseCounts;
  loopLagMax: number;
  /** The per-second sample()/detail() pass: worst and total ms over threads. */
  metricsPassMaxMs: number;
  metricsPassTotalMs: number;
  /** Endpoints whose per-second values changed (rows reported). */
  changed: number;
}

export function emptyAggregate(): MediaAggregate {
  return {
    sessions: 0, framesSent: 0, framesSkipped: 0, framesLate: 0, packetsSent: 0, packetsReceived: 0, sendErrors: 0, malformed: 0,
    lateness: [], latenessMax: 0, loopLag: [], loopLagMax: 0, metricsPassMaxMs: 0, metricsPassTotalMs: 0, changed: 0,
  };
}

export function toSparse(counts: ArrayLike<number>): SparseCounts {
  const out: SparseCounts = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]) out.push(i, counts[i]!);
  return out;
}

/** Adds sparse counts into a dense histogram (same bucket layout). */
export function addSparse(into: LatencyHistogram, sparse: SparseCounts, max: number): void {
  for (let k = 0; k + 1 < sparse.length; k += 2) {
    const i = sparse[k]!;
    const c = sparse[k + 1]!;
    if (i < 0 || i >= into.counts.length) continue;
    into.counts[i]! += c;
    into.n += c;
  }
  if (max > into.max) into.max = max;
}

function mergeSparse(a: SparseCounts, b: SparseCounts): SparseCounts {
  const m = new Map<number, number>();
  for (const s of [a, b]) for (let k = 0; k + 1 < s.length; k += 2) m.set(s[k]!, (m.get(s[k]!) ?? 0) + s[k + 1]!);
  const out: SparseCounts = [];
  for (const i of [...m.keys()].sort((x, y) => x - y)) out.push(i, m.get(i)!);
  return out;
}

/** a ⊕ b: associative and commutative, emptyAggregate() is its identity. */
export function mergeAggregates(a: MediaAggregate, b: MediaAggregate): MediaAggregate {
  return {
    sessions: a.sessions + b.sessions,
    framesSent: a.framesSent + b.framesSent,
    framesSkipped: a.framesSkipped + b.framesSkipped,
    framesLate: a.framesLate + b.framesLate,
    packetsSent: a.packetsSent + b.packetsSent,
    packetsReceived: a.packetsReceived + b.packetsReceived,
    sendErrors: a.sendErrors + b.sendErrors,
    malformed: a.malformed + b.malformed,
    lateness: mergeSparse(a.lateness, b.lateness),
    latenessMax: Math.max(a.latenessMax, b.latenessMax),
    loopLag: mergeSparse(a.loopLag, b.loopLag),
    loopLagMax: Math.max(a.loopLagMax, b.loopLagMax),
    metricsPassMaxMs: Math.max(a.metricsPassMaxMs, b.metricsPassMaxMs),
    metricsPassTotalMs: a.metricsPassTotalMs + b.metricsPassTotalMs,
    changed: a.changed + b.changed,
  };
}

/** A quantile of an aggregate's sparse histogram (histogram.ts bucket layout). */
export function sparseQuantile(sparse: SparseCounts, max: number, q: number): number {
  const h = new LatencyHistogram();
  addSparse(h, sparse, max);
  return h.quantile(q);
}

/**
 * Per-endpoint rows of one report, columnar: `ids[i]` has `values[i·width … (i+1)·width)`.
 * Only endpoints whose values differ from `previous` (by id) are included; `previous` is updated.
 */
export class ChangedRows {
  readonly width: number;
  private readonly previous = new Map<number, Float64Array>();

  constructor(width: number) {
    this.width = width;
  }

  /** Builds the rows of the endpoints in `current` (id → values of length `width`) that changed. */
  diff(current: Iterable<[number, ArrayLike<number>]>): { ids: number[]; values: number[] } {
    const ids: number[] = [];
    const values: number[] = [];
    for (const [id, v] of current) {
      let prev = this.previous.get(id);
      let same = prev !== undefined;
      if (prev) for (let k = 0; k < this.width && same; k++) same = Object.is(prev[k], v[k]);
      if (same) continue;
      if (!prev) this.previous.set(id, (prev = new Float64Array(this.width)));
      for (let k = 0; k < this.width; k++) {
        prev[k] = v[k]!;
        values.push(v[k]!);
      }
      ids.push(id);
    }
    return { ids, values };
  }

  /** Forget an endpoint (it ended); a new one with the same id reports in full. */
  forget(id: number): void {
    this.previous.delete(id);
  }
}
