/**
 * Timing statistics of one received RTP source, over packet events (arrival time, RTP timestamp,
 * extended sequence number); pure, O(1) per packet, no allocation. RtpReceiverStats (rtp-stats.ts)
 * does RFC 3550 sequence/loss/jitter; this adds what the reference product reports beside them:
 *
 *  - Packet spacing (`max/min/avg_packet_spacing`): time between consecutive arrivals (in arrival
 *    order, whatever their sequence numbers), ms, over a 2-second window kept as two 1-second
 *    buckets by arrival time (the reference documents a 2-second window).
 *  - Timestamp jumps (`timestamp_jumps`): a packet whose sequence number is the next one after the
 *    previous in-order packet but whose RTP timestamp advances by something other than one packet
 *    duration, off by more than half a packet (backwards included). The packet duration is learnt
 *    from the stream (the most recent advance seen twice in a row). Packets with the marker bit are
 *    exempt: RFC 3551 §4.1 marks the first packet of a talkspurt, whose timestamp legitimately
 *    skips the silence.
 *  - Clock drift (`clock_drift_estimate`, ppm): least-squares slope of transit time (arrival −
 *    timestamp/clock rate) against media time since the last (re)start, negated, so a positive
 *    value means the sender's media clock runs fast against ours. Network jitter averages out of
 *    the slope, slowly: its standard error is about σ_jitter / (√n · σ_media), e.g. ±14 ppm after
 *    30 s of 20 ms packets with ±8 ms uniform jitter, ±5 ppm after 60 s, but ±170 ppm after 2 s
 *    with only 1 ms of jitter. So it is reported (non-zero) only once the fit spans
 *    DRIFT_MIN_SPAN_S of media. Restarted on a timestamp jump and on `reset()` (new SSRC).
 *
 * Timestamps are read at the negotiated codec's RTP clock (codecs.ts: 8000, or 48000 for Opus);
 * `setClockRate` changes it and restarts the timing history, as a new source would.
 */

/** Spacing window bucket length (two buckets = the 2 s window). */
export const SPACING_BUCKET_MS = 1000;
/** Media time the drift fit must span before it is reported (≈ ±15 ppm noise at 1 ms jitter). */
export const DRIFT_MIN_SPAN_S = 10;

interface SpacingBucket {
  start: number;
  n: number;
  sum: number;
  min: number;
  max: number;
}

const emptyBucket = (start: number): SpacingBucket => ({ start, n: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: 0 });

export interface SpacingSummary {
  /** ms; 0 when the window holds no spacing. */
  max: number;
  min: number;
  avg: number;
}

export class ArrivalStats {
  private clock: number;
  // spacing
  private lastArrival = Number.NaN;
  private cur: SpacingBucket = emptyBucket(Number.NEGATIVE_INFINITY);
  private prev: SpacingBucket = emptyBucket(Number.NEGATIVE_INFINITY);
  // timestamp jumps
  private lastExt = Number.NaN;
  private lastTs = 0;
  private unitsPerPacket = 0;
  private lastAdvance = 0;
  timestampJumps = 0;
  // drift: sums over (x = media seconds since the fit started, y = transit seconds)
  private haveOrigin = false;
  private originArrival = 0;
  /** Media position (timestamp units) of the newest in-order packet relative to originTs. */
  private mediaUnits = 0;
  private n = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;
  private xMax = 0;

  constructor(clockRate = 8000) {
    this.clock = clockRate;
  }

  get clockRate(): number {
    return this.clock;
  }

  /** The stream's clock changed (codec negotiated): timing history restarts in the new units. */
  setClockRate(clockRate: number): void {
    if (clockRate === this.clock) return;
    this.clock = clockRate;
    this.reset();
  }

  /** New source (SSRC change): timing history no longer applies. Jump counts are kept. */
  reset(): void {
    this.lastArrival = Number.NaN;
    this.lastExt = Number.NaN;
    this.unitsPerPacket = 0;
    this.lastAdvance = 0;
    this.restartDrift();
  }

  private restartDrift(): void {
    this.haveOrigin = false;
    this.n = this.sx = this.sy = this.sxx = this.sxy = this.xMax = 0;
  }

  /**
   * One accepted packet. `ext` is its extended sequence number (rtp-stats.ts), `marker` its M bit.
   * Reordered and duplicate packets count for spacing only.
   */
  onPacket(ext: number, rtpTimestamp: number, arrivalMs: number, marker: boolean): void {
    this.spacing(arrivalMs);
    const ts = rtpTimestamp >>> 0;
    if (!Number.isNaN(this.lastExt) && ext <= this.lastExt) return; // duplicate / reordered
    if (!Number.isNaN(this.lastExt)) {
      const dSeq = ext - this.lastExt;
      const advance = (ts - this.lastTs) | 0; // signed, modulo 2^32
      let jumped = false;
      if (dSeq === 1 && !marker) {
        // A new packet duration is learnt once it repeats (ptime change, RFC 4566 §6): the first
        // packet of the change counts as a jump, the second confirms the new duration.
        if (advance > 0 && (this.unitsPerPacket === 0 || advance === this.lastAdvance)) this.unitsPerPacket = advance;
        else if (Math.abs(advance - this.unitsPerPacket) * 2 > this.unitsPerPacket) jumped = true;
        this.lastAdvance = advance;
      }
      if (jumped) {
        this.timestampJumps++;
        this.restartDrift();
      } else {
        this.mediaUnits += advance;
      }
    }
    this.lastExt = ext;
    this.lastTs = ts;
    this.drift(arrivalMs);
  }

  private spacing(arrivalMs: number): void {
    if (arrivalMs - this.cur.start >= SPACING_BUCKET_MS) this.rotate(arrivalMs);
    if (!Number.isNaN(this.lastArrival)) {
      const d = arrivalMs - this.lastArrival;
      if (d >= 0) {
        const b = this.cur;
        b.n++;
        b.sum += d;
        if (d < b.min) b.min = d;
        if (d > b.max) b.max = d;
      }
    }
    this.lastArrival = arrivalMs;
  }

  private rotate(nowMs: number): void {
    // Bucket boundaries on a 1 s grid; a silence longer than a bucket empties the window.
    const start = Math.floor(nowMs / SPACING_BUCKET_MS) * SPACING_BUCKET_MS;
    this.prev = start - this.cur.start === SPACING_BUCKET_MS ? this.cur : emptyBucket(start - SPACING_BUCKET_MS);
    this.cur = emptyBucket(start);
  }

  /** Spacing over the last two 1-second buckets at `nowMs`. */
  spacingSummary(nowMs: number): SpacingSummary {
    if (nowMs - this.cur.start >= SPACING_BUCKET_MS) this.rotate(nowMs);
    const n = this.cur.n + this.prev.n;
    if (n === 0) return { max: 0, min: 0, avg: 0 };
    return { max: Math.max(this.cur.max, this.prev.max), min: Math.min(this.cur.min, this.prev.min), avg: (this.cur.sum + this.prev.sum) / n };
  }

  private drift(arrivalMs: number): void {
    if (!this.haveOrigin) {
      this.haveOrigin = true;
      this.originArrival = arrivalMs;
      this.mediaUnits = 0;
    }
    const x = this.mediaUnits / this.clock;
    const y = (arrivalMs - this.originArrival) / 1000 - x;
    this.n++;
    this.sx += x;
    this.sy += y;
    this.sxx += x * x;
    this.sxy += x * y;
    if (x > this.xMax) this.xMax = x;
  }

  /** Drift in ppm (see header); 0 until the fit spans DRIFT_MIN_SPAN_S. */
  get clockDriftPpm(): number {
    if (this.n < 3 || this.xMax < DRIFT_MIN_SPAN_S) return 0;
    const den = this.n * this.sxx - this.sx * this.sx;
    if (den <= 0) return 0;
    const slope = (this.n * this.sxy - this.sx * this.sy) / den;
    return -slope * 1e6;
  }
}
