/**
 * Per-endpoint downsampled series for libSQL: the run object keeps every endpoint's full
 * per-second series in its own SQLite; what goes to libSQL with each endpoint's result is a short
 * series (at most `points` averages of the key metrics over equal steps) and the call averages,
 * enough for history and comparison without reading the run object.
 *
 * Memory is fixed per endpoint (sums and counts in typed arrays sized at the start), because at
 * fleet scale (10,000 endpoints) this lives in a Durable Object with a memory limit.
 */
import { AVERAGED_KEYS, type AveragedKey } from "./aggregate.js";

export interface DownsampledSeries {
  /** Epoch seconds of the first step's start. */
  t0: number;
  stepSec: number;
  /** One entry per step that had a report: its start (epoch s) and the averages of that step. */
  points: ({ t: number } & Record<AveragedKey, number | null>)[];
}

const K = AVERAGED_KEYS.length;

export class Downsampler {
  private readonly sums = new Map<string, Float64Array>();
  private readonly counts = new Map<string, Uint16Array>();

  constructor(
    readonly t0: number,
    readonly stepSec: number,
    readonly points: number,
  ) {}

  /** A step size that fits `spanSec` into at most `points` steps (whole seconds, at least 1). */
  static forSpan(t0: number, spanSec: number, points = 60): Downsampler {
    return new Downsampler(t0, Math.max(1, Math.ceil(spanSec / points)), points);
  }

  /** Add one endpoint-second. Seconds outside the span land in the first/last step. RTT 0 = unknown. */
  add(id: string, tSec: number, m: Record<string, number>): void {
    let sums = this.sums.get(id);
    let counts = this.counts.get(id);
    if (!sums || !counts) {
      this.sums.set(id, (sums = new Float64Array(this.points * K)));
      this.counts.set(id, (counts = new Uint16Array(this.points * K)));
    }
    const step = Math.min(this.points - 1, Math.max(0, Math.floor((tSec - this.t0) / this.stepSec)));
    for (let k = 0; k < K; k++) {
      const key = AVERAGED_KEYS[k]!;
      const v = m[key];
      if (v === undefined || !Number.isFinite(v) || (key === "rtt_ms" && v <= 0)) continue;
      sums[step * K + k]! += v;
      if (counts[step * K + k]! < 65_535) counts[step * K + k]! += 1;
    }
  }

  series(id: string): DownsampledSeries {
    const out: DownsampledSeries = { t0: this.t0, stepSec: this.stepSec, points: [] };
    const sums = this.sums.get(id);
    const counts = this.counts.get(id);
    if (!sums || !counts) return out;
    for (let step = 0; step < this.points; step++) {
      let any = false;
      const p = { t: this.t0 + step * this.stepSec } as { t: number } & Record<AveragedKey, number | null>;
      for (let k = 0; k < K; k++) {
        const n = counts[step * K + k]!;
        p[AVERAGED_KEYS[k]!] = n > 0 ? Math.round((sums[step * K + k]! / n) * 1000) / 1000 : null;
        any ||= n > 0;
      }
      if (any) out.points.push(p);
    }
    return out;
  }
}
