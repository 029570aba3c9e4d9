/**
 * A fixed-bucket latency histogram that merges by adding counts: the media scheduler records every
 * frame's send lateness in one, and a process running its media on several threads merges the
 * threads' histograms into one p99 without shipping samples (a Uint32Array of counts travels
 * between threads; quantiles of merged counts are exact to the bucket width, which averaged
 * percentiles of each thread would not be).
 *
 * Buckets: [0, width), [width, 2·width), … up to `maxMs`, then one overflow bucket; negative
 * values (a frame sent before its due time) count in the first bucket.
 */

/** 0.1 ms resolution up to 1 s: lateness and event-loop lag on a loaded box stay well inside. */
export const DEFAULT_BUCKET_MS = 0.1;
export const DEFAULT_MAX_MS = 1000;

export class LatencyHistogram {
  readonly bucketMs: number;
  readonly counts: Uint32Array;
  /** Total recorded and the largest value seen (exact, not bucketed). */
  n = 0;
  max = 0;

  constructor(bucketMs = DEFAULT_BUCKET_MS, maxMs = DEFAULT_MAX_MS, counts?: Uint32Array) {
    this.bucketMs = bucketMs;
    const size = Math.ceil(maxMs / bucketMs) + 1;
    if (counts && counts.length !== size) throw new Error(`histogram: ${counts.length} counts for ${size} buckets`);
    this.counts = counts ?? new Uint32Array(size);
    if (counts) for (let i = 0; i < counts.length; i++) this.n += counts[i]!;
  }

  add(ms: number): void {
    let i = Math.floor(ms / this.bucketMs);
    if (i < 0) i = 0;
    else if (i >= this.counts.length) i = this.counts.length - 1;
    // A scheduler nobody resets (the agent's shared one) records ~10⁵ values/s: saturate rather
    // than let a Uint32 bucket wrap to 0 after days.
    if (this.counts[i]! < 0xffffffff) this.counts[i]!++;
    this.n++;
    if (ms > this.max) this.max = ms;
  }

  /** Upper edge of the bucket holding quantile q (0 < q ≤ 1); the exact max for the overflow bucket; 0 when empty. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === this.counts.length - 1 ? this.max : Math.min(this.max, (i + 1) * this.bucketMs);
    }
    return this.max;
  }

  /** Adds another histogram of the same shape (counts, n, max). */
  merge(other: { counts: ArrayLike<number>; max: number }): void {
    if (other.counts.length !== this.counts.length) throw new Error("histogram: merging different shapes");
    for (let i = 0; i < this.counts.length; i++) {
      const c = other.counts[i]!;
      if (c) {
        this.counts[i]! += c;
        this.n += c;
      }
    }
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.max = 0;
  }

  /** A copy that can be transferred to another thread. */
  snapshot(): { counts: Uint32Array; max: number; n: number } {
    return { counts: this.counts.slice(), max: this.max, n: this.n };
  }
}
