/**
 * RFC 3550 receiver statistics for one RTP source, fed with packet events; no I/O, no timers,
 * no allocation per packet.
 *
 *  - §A.1 sequence validation: probation of MIN_SEQUENTIAL in-order packets for a new source,
 *    MAX_DROPOUT / MAX_MISORDER, extended sequence number with `cycles`, restart after two
 *    consecutive "bad" packets. Deviation: when the probation ends, every packet this source sent
 *    during its probation is counted (base = the lowest of them) instead of being forgotten, as
 *    long as they lie within MAX_MISORDER below the validating packet: a fresh stream 1,2,3…
 *    reports base 1 and no spurious loss, a start 1,(2 lost),3,4 reports base 1 and one lost,
 *    and reordered starts 2,1,3,4 or 3,1,2,4 report base 1 and none lost (RFC A.1 would start
 *    at 3 and hide the loss of 2 in the first case, and count 3 as lost in the last). Probation
 *    packets further away are forgotten.
 *  - §A.3 expected / lost, cumulative and per interval (any number of independent interval
 *    cursors: one for RTCP report blocks, others for tests and tools).
 *  - Settled per-interval loss for the per-second metrics (`settledInterval`): a sequence number
 *    counts, as received or lost, only once the stream is SETTLE_PACKETS beyond it, and a packet
 *    arriving after its number settled is credited to the next interval. Plain §A.3 intervals
 *    turn every reordering across an interval boundary into a "loss" in one interval and a
 *    clamped-away surplus in the next, so 50 ms of jitter without any loss read as 1–2 % loss
 *    per second and cost ~0.6 MOS (found by the media-truth test against tshark).
 *  - §A.8 interarrival jitter in timestamp units (J += (|D| − J)/16), reported in ms at the
 *    clock rate: the negotiated codec's (8000 for G.711 and G.722, 48000 for Opus, codecs.ts), set
 *    with `setClockRate` when negotiation changes it (the jitter estimate restarts then: units of
 *    two clocks cannot be mixed in one transit difference).
 *  - duplicates (same extended seq seen within the last 1024) and out-of-order arrivals (below
 *    the highest extended seq, not a duplicate), tracked beside A.1, which cannot tell them apart.
 *
 * A change of SSRC is a new source (§8.2): statistics restart and `ssrcChanges` counts it.
 *
 * Sequence anomalies beside A.1 (the reference product's network keys):
 *  - `seqJumps`: packets that took A.1's "very large jump" branch (more than MAX_DROPOUT ahead or
 *    MAX_MISORDER behind) and started a new jump candidate (`sequence_number_jumps`);
 *  - `seqResets`: jumps confirmed by the next packet, so A.1 restarted the sequence
 *    (`sequence_number_resets`);
 *  - `takeLargestGap()`: the largest run of sequence numbers skipped by one in-order arrival since
 *    the previous call (`sequence_number_gaps`, a gauge; a later reordered arrival filling part of
 *    the run does not shrink it).
 */

const RTP_SEQ_MOD = 1 << 16;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const MIN_SEQUENTIAL = 2;
/** Reordering allowance of the settled loss (packets; 200 ms at 20 ms packetisation). */
export const SETTLE_PACKETS = 10;
const DUP_WINDOW = 1024; // power of two
/** Probation packets remembered so they can be counted once the source is valid. */
const PROBATION_MEMORY = 16;

/** A per-interval cursor (§A.3 expected_prior / received_prior). */
export interface IntervalCursor {
  expectedPrior: number;
  receivedPrior: number;
}

export interface IntervalLoss {
  expected: number;
  received: number;
  /** expected − received, ≥ 0. */
  lost: number;
  /** lost / expected in 0..1 (0 when nothing was expected or more arrived than expected). */
  fraction: number;
}

export class RtpReceiverStats {
  private clock: number;
  // §A.1 state
  private ssrc = -1;
  private maxSeq = 0;
  private cycles = 0;
  private baseExt = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation = MIN_SEQUENTIAL;
  /** Sequence numbers offered while on probation (first PROBATION_MEMORY of them). */
  private readonly probationSeqs = new Int32Array(PROBATION_MEMORY);
  private probationCount = 0;
  /** RFC 3550 "received": packets accepted by A.1 (duplicates included). */
  received = 0;
  // §A.8 state
  private transit = 0;
  private haveTransit = false;
  /** Jitter in timestamp units (floating point; the RR carries its integer part). */
  jitterTs = 0;
  // duplicates / reordering
  private readonly seen = new Float64Array(DUP_WINDOW).fill(Number.NaN);
  duplicates = 0;
  outOfOrder = 0;
  /** Packets dropped by A.1 as a large jump awaiting confirmation (probation packets are not counted here). */
  rejected = 0;
  ssrcChanges = 0;
  seqJumps = 0;
  seqResets = 0;
  private largestGap = 0;
  /** Extended sequence number of the packet `onPacket` last accepted. */
  lastExt = 0;
  /** All packets offered to `onPacket`, and their bytes (RTP header + payload). */
  packets = 0;
  bytes = 0;
  lastArrivalMs = -1;

  /** A §A.3 cursor free for callers (tests, tools). */
  readonly metricsCursor: IntervalCursor = { expectedPrior: 0, receivedPrior: 0 };
  /** Cursor of the settled loss for the per-second metrics (`settledInterval`). */
  readonly settledCursor: IntervalCursor = { expectedPrior: 0, receivedPrior: 0 };
  // settled-loss state: extended numbers ≤ horizon are decided; distinct received among them
  private horizon = 0;
  private settledReceived = 0;
  /** Cursor for RTCP report blocks (fraction lost since the previous SR/RR, §6.4.1). */
  readonly reportCursor: IntervalCursor = { expectedPrior: 0, receivedPrior: 0 };

  constructor(clockRate = 8000) {
    this.clock = clockRate;
  }

  /** RTP timestamp units per second of the stream. */
  get clockRate(): number {
    return this.clock;
  }

  /** The stream's clock changed (codec negotiated): the §A.8 estimate restarts in the new units. */
  setClockRate(clockRate: number): void {
    if (clockRate === this.clock) return;
    this.clock = clockRate;
    this.haveTransit = false;
    this.jitterTs = 0;
  }

  get currentSsrc(): number {
    return this.ssrc;
  }
  /** Whether the source passed probation. */
  get valid(): boolean {
    return this.ssrc >= 0 && this.probation === 0;
  }
  /** Extended highest sequence number received (§A.1: cycles + max_seq). */
  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }
  /** Extended base sequence number; −1 … when the probation straddled a wrap (cycles restart at 0). */
  get baseSeq(): number {
    return this.baseExt;
  }
  /** §A.3: expected = extended_max − base_seq + 1 (0 before the source is valid). */
  get expected(): number {
    return this.valid ? this.extendedMax - this.baseExt + 1 : 0;
  }
  /** §A.3 cumulative lost, signed (negative with duplicates), as the RR carries it. */
  get cumulativeLost(): number {
    return this.expected - this.received;
  }
  get jitterMs(): number {
    return (this.jitterTs * 1000) / this.clock;
  }

  private reset(ssrc: number): void {
    if (this.ssrc >= 0) this.ssrcChanges++;
    this.ssrc = ssrc;
    this.probation = MIN_SEQUENTIAL;
    this.probationCount = 0;
    this.maxSeq = 0;
    this.cycles = 0;
    this.baseExt = 0;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.haveTransit = false;
    this.jitterTs = 0;
    this.resetCounts();
  }

  /** Received counts, the duplicate window and every interval cursor start over from baseExt. */
  private resetCounts(): void {
    this.received = 0;
    this.seen.fill(Number.NaN);
    this.metricsCursor.expectedPrior = this.metricsCursor.receivedPrior = 0;
    this.reportCursor.expectedPrior = this.reportCursor.receivedPrior = 0;
    this.settledCursor.expectedPrior = this.settledCursor.receivedPrior = 0;
    this.settledReceived = 0;
    this.horizon = this.baseExt - 1;
  }

  /** §A.1 init_seq. */
  private initSeq(seq: number): void {
    this.baseExt = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.resetCounts();
  }

  private markSeen(ext: number): boolean {
    const i = ext & (DUP_WINDOW - 1);
    if (this.seen[i] === ext) return true;
    this.seen[i] = ext;
    return false;
  }

  /**
   * One received RTP packet. `arrivalMs` is the local receive time (any monotonic ms clock).
   * Returns false when A.1 did not accept it (probation or a suspicious jump). `timing` false
   * (RFC 4733 events, whose timestamp is the event start) skips the §A.8 jitter update.
   */
  onPacket(seq: number, rtpTimestamp: number, arrivalMs: number, size: number, ssrc: number, timing = true): boolean {
    this.packets++;
    this.bytes += size;
    this.lastArrivalMs = arrivalMs;
    seq &= 0xffff;
    if (ssrc !== this.ssrc) {
      this.reset(ssrc);
      this.maxSeq = (seq - 1) & 0xffff; // §A.1: new source, max_seq = seq − 1, probation
    }
    if (!this.updateSeq(seq)) return false;
    if (timing) this.updateJitter(rtpTimestamp, arrivalMs);
    return true;
  }

  /** §A.1 update_seq, plus duplicate / reorder classification. */
  private updateSeq(seq: number): boolean {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      if (this.probationCount < PROBATION_MEMORY) this.probationSeqs[this.probationCount] = seq;
      this.probationCount++;
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.endProbation(seq);
          this.lastExt = seq;
          return true;
        }
      } else {
        this.probation = MIN_SEQUENTIAL - 1;
        this.maxSeq = seq;
      }
      return false;
    }
    let ext: number;
    if (udelta < MAX_DROPOUT) {
      // In order, with permissible gap.
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // sequence number wrapped
      this.maxSeq = seq;
      ext = this.cycles + seq;
      if (udelta > 1 && udelta - 1 > this.largestGap) this.largestGap = udelta - 1;
      if (udelta === 0) {
        // same as max: duplicate of the newest packet
        if (this.markSeen(ext)) this.duplicates++;
      } else {
        this.markSeen(ext);
      }
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // The sequence number made a very large jump.
      if (seq === this.badSeq) {
        // Two sequential packets: assume the other side restarted without telling us.
        this.initSeq(seq);
        this.markSeen(seq);
        this.seqResets++;
        ext = seq;
      } else {
        this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        this.rejected++;
        this.seqJumps++;
        return false;
      }
    } else {
      // Duplicate or reordered packet (§A.1 does not tell which; the window does).
      ext = this.extendedMax - ((this.maxSeq - seq) & 0xffff);
      if (this.markSeen(ext)) this.duplicates++;
      else {
        this.outOfOrder++;
        if (ext <= this.horizon && ext >= this.baseExt) this.settledReceived++; // late: credited
      }
    }
    this.lastExt = ext;
    this.received++;
    this.settle();
    return true;
  }

  /** Largest forward gap since the previous call (see header); resets the gauge. */
  takeLargestGap(): number {
    const g = this.largestGap;
    this.largestGap = 0;
    return g;
  }

  /** Move the settled horizon up to SETTLE_PACKETS below the highest number (see header). */
  private settle(): void {
    const target = this.extendedMax - SETTLE_PACKETS;
    if (target - this.horizon > DUP_WINDOW) this.horizon = target - DUP_WINDOW; // beyond memory: a gap, lost
    while (this.horizon < target) {
      this.horizon++;
      if (this.seen[this.horizon & (DUP_WINDOW - 1)] === this.horizon) this.settledReceived++;
    }
  }

  /**
   * Settled loss since the cursor's last call (see header); advances the cursor. A surplus of
   * late packets is not clamped away but kept for the next interval.
   */
  settledInterval(cursor: IntervalCursor): IntervalLoss {
    const settledExpected = this.valid ? this.horizon - this.baseExt + 1 : 0;
    const expected = settledExpected - cursor.expectedPrior;
    cursor.expectedPrior = settledExpected;
    let received = this.settledReceived - cursor.receivedPrior;
    if (received > expected) received = Math.max(0, expected);
    cursor.receivedPrior += received;
    const lost = expected - received;
    return { expected, received, lost: lost > 0 ? lost : 0, fraction: expected > 0 && lost > 0 ? lost / expected : 0 };
  }

  /**
   * The source just became valid at `seq`: count the probation packets too (see header). Those
   * within MAX_MISORDER of `seq` (below it, or above it after reordering) are received; the base
   * is the lowest of them and the highest becomes max_seq. Falls back to the last MIN_SEQUENTIAL
   * packets when more were offered than remembered.
   */
  private endProbation(seq: number): void {
    this.initSeq(seq);
    if (this.probationCount > PROBATION_MEMORY) {
      this.baseExt = seq - (MIN_SEQUENTIAL - 1);
      this.horizon = this.baseExt - 1;
      this.received = MIN_SEQUENTIAL;
      for (let k = 0; k < MIN_SEQUENTIAL; k++) this.markSeen(this.baseExt + k);
      return;
    }
    let below = 0;
    let above = 0;
    let counted = 0;
    for (let k = 0; k < this.probationCount; k++) {
      // Signed distance from the validating packet, −32768…32767.
      const diff = ((((this.probationSeqs[k]! - seq) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      if (diff <= -MAX_MISORDER || diff >= MAX_MISORDER) continue; // too far away: forgotten
      counted++;
      if (-diff > below) below = -diff;
      if (diff > above) above = diff;
      // Extended numbers run relative to `seq` (cycles restart at 0 there, so the base may be < 0).
      if (this.markSeen(seq + diff)) this.duplicates++;
    }
    this.baseExt = seq - below;
    this.horizon = this.baseExt - 1;
    const highest = seq + above;
    this.maxSeq = highest & 0xffff;
    this.cycles = highest - this.maxSeq;
    this.received = counted;
    this.settle();
  }

  /** §A.8: D(i−1,i) from transit times in timestamp units; J += (|D| − J)/16. */
  private updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    const arrivalTs = (arrivalMs * this.clock) / 1000;
    // RTP timestamps are 32-bit and wrap; work modulo 2^32 via a signed difference of transits.
    const transit = arrivalTs - (rtpTimestamp >>> 0);
    if (this.haveTransit) {
      let d = transit - this.transit;
      // Bring a wrap of the 32-bit timestamp back into range.
      if (d > 2147483648) d -= 4294967296;
      else if (d < -2147483648) d += 4294967296;
      if (d < 0) d = -d;
      this.jitterTs += (d - this.jitterTs) / 16;
    }
    this.transit = transit;
    this.haveTransit = true;
  }

  /** §A.3 per-interval loss since the cursor's last call; advances the cursor. */
  interval(cursor: IntervalCursor): IntervalLoss {
    const expected = this.expected;
    const expectedInterval = expected - cursor.expectedPrior;
    cursor.expectedPrior = expected;
    const receivedInterval = this.received - cursor.receivedPrior;
    cursor.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const lost = lostInterval > 0 ? lostInterval : 0;
    return {
      expected: expectedInterval,
      received: receivedInterval,
      lost,
      fraction: expectedInterval <= 0 || lostInterval <= 0 ? 0 : lostInterval / expectedInterval,
    };
  }

  /**
   * Values for an RTCP report block (§6.4.1): fraction lost as 8-bit fixed point since the last
   * report, cumulative lost clamped to 24-bit signed, extended highest seq, integer jitter.
   */
  reportBlock(): { fractionLost: number; packetsLost: number; highestSequence: number; jitter: number } {
    const iv = this.interval(this.reportCursor);
    const lost = Math.max(-0x800000, Math.min(0x7fffff, this.cumulativeLost));
    return {
      fractionLost: iv.expected <= 0 || iv.lost <= 0 ? 0 : Math.min(255, Math.floor((iv.lost * 256) / iv.expected)),
      packetsLost: lost & 0xffffff,
      highestSequence: this.extendedMax >>> 0,
      jitter: Math.floor(this.jitterTs) >>> 0,
    };
  }
}
