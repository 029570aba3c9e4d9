/**
 * A modelled playout (jitter) buffer: what a phone's buffer would do with the packets we receive,
 * computed from arrival times and RTP timestamps only (no audio is buffered). Pure, O(1) per packet.
 *
 * Every packet has a playout deadline: its media time plus the playout offset, where the offset is
 * the smallest transit time seen recently (`base`, the least-delayed packet of the last two
 * BASE_WINDOW_MS windows, so it follows clock drift) plus the buffer's current delay. A packet
 * arriving after its deadline is late: discarded, as a phone would (counted in `late`). The loss a
 * listener suffers is network loss plus late discards; RtpSession feeds that to the E-model.
 *
 * Modes:
 *  - fixed:    current = target = `delayMs`.
 *  - adaptive: target = d̂ + 4·v̂ (Ramjee, Kurose, Towsley, Schulzrinne, "Adaptive playout
 *              mechanisms for packetized audio applications", INFOCOM 1994, algorithm 1), where d̂
 *              and v̂ are exponential averages (weight ADAPT_ALPHA) of the packet's delay above base
 *              and of its deviation, clamped to [minMs, maxMs]. The current delay rises to the
 *              target at once (a buffer can stretch/conceal immediately) and falls by at most
 *              SHRINK_MS_PER_PACKET per packet (time-scale compression of ~5 % at 20 ms packets).
 *  - none:     no model: nothing is late, delays read 0 (used where MOS must be the network's,
 *              e.g. the media-truth test against a capture).
 *
 * A transit change larger than RESYNC_MS (a sender clock reset, a timestamp jump) resynchronises:
 * base restarts at the new transit and the packet plays.
 *
 * Media time comes from RTP timestamps at the negotiated codec's clock (codecs.ts: 8000, 48000 for
 * Opus); `setClockRate` changes it and restarts timing like `reset()`.
 */

export type JitterBufferConfig =
  | { mode: "fixed"; delayMs: number }
  | { mode: "adaptive"; minMs?: number; maxMs?: number }
  | { mode: "none" };

export const DEFAULT_JITTER_BUFFER: JitterBufferConfig = { mode: "adaptive" };
/**
 * 60 ms (three packets), a floor common for desk phones' adaptive buffers. Arrival times here are
 * taken in user space when the socket callback runs (Node's dgram has no kernel receive
 * timestamps), so the receiving process's own event-loop stalls look like network delay; with a
 * 20 ms floor a 25 ms stall of a loaded generator read as late loss. Each 20 ms of buffer costs
 * ~0.01 MOS of delay (G.107, below 100 ms mouth-to-ear), so the floor is cheap.
 */
export const ADAPTIVE_MIN_MS = 60;
export const ADAPTIVE_MAX_MS = 300;
/** Exponential weight of the adaptive estimates (time constant 50 packets = 1 s at 20 ms). */
export const ADAPT_ALPHA = 0.98;
export const SHRINK_MS_PER_PACKET = 1;
export const BASE_WINDOW_MS = 5000;
export const RESYNC_MS = 2000;

export class JitterBufferModel {
  readonly config: JitterBufferConfig;
  private clock: number;
  /** Packets played and discarded as late (cumulative). */
  played = 0;
  late = 0;
  currentDelayMs: number;
  targetDelayMs: number;
  private d = 0;
  private v = 0;
  private haveBase = false;
  private baseCur = 0;
  private basePrev = 0;
  private baseWindowStart = 0;
  // media clock unwrapping
  private haveTs = false;
  private lastTs = 0;
  private mediaMs = 0;

  constructor(config: JitterBufferConfig = DEFAULT_JITTER_BUFFER, clockRate = 8000) {
    this.config = config;
    this.clock = clockRate;
    const initial = config.mode === "fixed" ? Math.max(0, config.delayMs) : config.mode === "adaptive" ? (config.minMs ?? ADAPTIVE_MIN_MS) : 0;
    this.currentDelayMs = initial;
    this.targetDelayMs = initial;
  }

  get clockRate(): number {
    return this.clock;
  }

  /** The stream's clock changed (codec negotiated): timing restarts in the new units. */
  setClockRate(clockRate: number): void {
    if (clockRate === this.clock) return;
    this.clock = clockRate;
    this.reset();
  }

  /** New source: timing restarts (counters are kept). */
  reset(): void {
    this.haveBase = false;
    this.haveTs = false;
    this.d = this.v = 0;
  }

  /**
   * One received audio packet (not a duplicate). Returns true if it would be played, false if it
   * arrived after its playout deadline.
   */
  onPacket(rtpTimestamp: number, arrivalMs: number): boolean {
    if (this.config.mode === "none") {
      this.played++;
      return true;
    }
    const ts = rtpTimestamp >>> 0;
    // Media time of this packet, unwrapped relative to the newest one (signed 32-bit difference).
    const media = this.haveTs ? this.mediaMs + (((ts - this.lastTs) | 0) * 1000) / this.clock : 0;
    if (!this.haveTs || media > this.mediaMs) {
      this.mediaMs = media;
      this.lastTs = ts;
      this.haveTs = true;
    }
    const transit = arrivalMs - media;
    if (!this.haveBase || Math.abs(transit - this.base) > RESYNC_MS) {
      this.haveBase = true;
      this.baseCur = this.basePrev = transit;
      this.baseWindowStart = arrivalMs;
      this.d = this.v = 0;
      this.played++;
      return true;
    }
    if (arrivalMs - this.baseWindowStart >= BASE_WINDOW_MS) {
      this.basePrev = this.baseCur;
      this.baseCur = transit;
      this.baseWindowStart = arrivalMs;
    }
    if (transit < this.baseCur) this.baseCur = transit;
    const above = transit - this.base; // ≥ 0: how much later than the least-delayed packet
    const isLate = above > this.currentDelayMs;
    if (isLate) this.late++;
    else this.played++;
    if (this.config.mode === "adaptive") this.adapt(above);
    return !isLate;
  }

  private get base(): number {
    return Math.min(this.baseCur, this.basePrev);
  }

  private adapt(above: number): void {
    const c = this.config as { minMs?: number; maxMs?: number };
    this.d = ADAPT_ALPHA * this.d + (1 - ADAPT_ALPHA) * above;
    this.v = ADAPT_ALPHA * this.v + (1 - ADAPT_ALPHA) * Math.abs(above - this.d);
    const min = c.minMs ?? ADAPTIVE_MIN_MS;
    const max = Math.max(min, c.maxMs ?? ADAPTIVE_MAX_MS);
    this.targetDelayMs = Math.min(max, Math.max(min, this.d + 4 * this.v));
    if (this.targetDelayMs > this.currentDelayMs) this.currentDelayMs = this.targetDelayMs;
    else this.currentDelayMs = Math.max(this.targetDelayMs, this.currentDelayMs - SHRINK_MS_PER_PACKET);
  }
}
