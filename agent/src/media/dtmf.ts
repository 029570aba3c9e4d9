/**
 * RFC 4733 DTMF: telephone-event payloads, a sender that turns digits into one event payload per
 * packetisation interval, and a detector that turns received event packets into digits. Pure: no
 * I/O, no timers; RtpSession wraps them in RTP headers on the scheduler's clock.
 *
 * Payload (§2.3):
 *    0                   1                   2                   3
 *   |     event     |E|R| volume    |          duration             |
 *
 * Sending (§2.5.1, RFC 4733): every packet of one event carries the same RTP timestamp (the event's start);
 * the first has the marker bit set (§2.5.1.2); the duration grows by one packet interval per packet
 * (§2.5.1.2); the final packet has the E bit and is sent three times with the same duration
 * (§2.5.1.4: the final packet is sent three times in total, at the update interval); audio is
 * suppressed for the event (the session sends event packets in the audio's place). Timestamps and
 * durations are in the event's RTP clock, which RFC 4733 §2.1 says should be the audio's: 8000 Hz
 * beside G.711/G.722, 48000 Hz beside Opus (`setClock`; a digit takes the clock in force when its
 * event starts). Events are at most MAX_EVENT_MS long and, at clocks where that overflows the
 * 16-bit duration (above 13.1 kHz: 1365 ms at 48 kHz), at most what the field holds, so no event
 * needs §2.5.1.3 segmentation.
 *
 * Detecting (§2.5.2): an event is identified by its RTP timestamp; the first packet seen with a new
 * timestamp reports the digit (even when its start packets were lost and only an end packet
 * arrives), retransmissions and later updates of the same timestamp are not counted again, and a
 * packet older than the current event (reordered) is ignored. Payloads shorter than 4
 * octets or with an event code above 15 are counted as malformed and never throw.
 */

/** DTMF events 0–15 in code order (§3: 0–9, *, #, A–D). */
export const DTMF_EVENTS = "0123456789*#ABCD";
/** RFC 4733 §2.3: payload length of one event (no redundancy). */
export const EVENT_PAYLOAD_BYTES = 4;
/** §2.5.1.4: copies of the end packet. */
export const END_PACKET_COPIES = 3;
/** Defaults: 100 ms tones, 100 ms gaps (ITU-T Q.24 minima are 40 ms), volume −10 dBm0. */
export const DEFAULT_TONE_MS = 100;
export const DEFAULT_GAP_MS = 100;
export const DEFAULT_VOLUME = 10;
export const MIN_EVENT_MS = 40;
export const MAX_EVENT_MS = 5000;
/** Digits queued at most per session (keeps a runaway script from growing memory). */
export const MAX_QUEUED_DIGITS = 64;

export function dtmfCode(digit: string): number {
  return DTMF_EVENTS.indexOf(digit.toUpperCase());
}

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

/** Write one event payload (§2.3) at `off`. */
export function writeTelephoneEvent(buf: Uint8Array, off: number, e: TelephoneEvent): void {
  buf[off] = e.event & 0xff;
  buf[off + 1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f); // R bit always 0
  buf[off + 2] = (e.duration >>> 8) & 0xff;
  buf[off + 3] = e.duration & 0xff;
}

/** Read one event payload, or null when shorter than 4 octets. */
export function readTelephoneEvent(buf: Uint8Array, off: number, len: number): TelephoneEvent | null {
  if (len < EVENT_PAYLOAD_BYTES || off + EVENT_PAYLOAD_BYTES > buf.length) return null;
  return {
    event: buf[off]!,
    end: (buf[off + 1]! & 0x80) !== 0,
    volume: buf[off + 1]! & 0x3f,
    duration: (buf[off + 2]! << 8) | buf[off + 3]!,
  };
}

export interface DtmfOptions {
  toneMs?: number;
  gapMs?: number;
  volume?: number;
}

/** What to put in the packet of this interval, if anything. */
export interface DtmfFrame {
  event: TelephoneEvent;
  /** Set on the first packet of an event (§2.5.1.2). */
  marker: boolean;
  /** True on the first packet of an event: the session fixes the event's RTP timestamp then. */
  start: boolean;
}

interface Digit {
  code: number;
  toneMs: number;
  /** Silence after it. */
  gapMs: number;
  volume: number;
}

/**
 * One call's outgoing DTMF: `enqueue` digits, then call `next()` once per packetisation interval;
 * it returns the event to send in place of audio, or null (send audio).
 */
export class DtmfSender {
  private readonly queue: Digit[] = [];
  private cur: Digit | null = null;
  /** The current event's length in timestamp units (whole packets). */
  private curUnits = 0;
  /** Packets sent of the current event, end copies sent, and gap packets still to wait. */
  private sent = 0;
  private endCopies = 0;
  private gapLeft = 0;
  /** Digits whose end packets all went out. */
  digitsSent = 0;

  private units: number;
  private clock: number;

  constructor(
    /** Timestamp units per packet (160 at 8 kHz and 20 ms, §2.5.1.2). */
    unitsPerPacket = 160,
    clockRate = 8000,
  ) {
    this.units = unitsPerPacket;
    this.clock = clockRate;
  }

  get unitsPerPacket(): number {
    return this.units;
  }
  get clockRate(): number {
    return this.clock;
  }

  /** The event clock (the audio's, §2.1) and packet length in its units, for events not yet started. */
  setClock(unitsPerPacket: number, clockRate: number): void {
    this.units = unitsPerPacket;
    this.clock = clockRate;
  }

  /** Queue digits (0–9 * # A–D); returns how many were accepted (unknown characters are skipped). */
  enqueue(digits: string, opts: DtmfOptions = {}): number {
    const toneMs = Math.min(MAX_EVENT_MS, Math.max(MIN_EVENT_MS, opts.toneMs ?? DEFAULT_TONE_MS));
    const gapMs = Math.max(0, Math.min(MAX_EVENT_MS, opts.gapMs ?? DEFAULT_GAP_MS));
    const volume = Math.min(63, Math.max(0, Math.round(opts.volume ?? DEFAULT_VOLUME)));
    let n = 0;
    for (const ch of digits) {
      const code = dtmfCode(ch);
      if (code < 0 || this.queue.length >= MAX_QUEUED_DIGITS) continue;
      this.queue.push({ code, toneMs, gapMs, volume });
      n++;
    }
    return n;
  }

  /** Whether an event or its trailing gap is in progress or queued. */
  get busy(): boolean {
    return this.cur !== null || this.gapLeft > 0 || this.queue.length > 0;
  }

  /** The event packet for this interval, or null to send audio. */
  next(): DtmfFrame | null {
    if (!this.cur) {
      if (this.gapLeft > 0) {
        this.gapLeft--;
        return null;
      }
      const d = this.queue.shift();
      if (!d) return null;
      this.cur = d;
      // Round the tone to whole packets (the duration field moves in packet steps) that fit the
      // 16-bit duration at this clock (see header).
      const packetMs = (this.units * 1000) / this.clock;
      const fit = Math.floor(0xffff / this.units);
      this.curUnits = Math.min(fit, Math.max(1, Math.round(d.toneMs / packetMs))) * this.units;
      this.sent = 0;
      this.endCopies = 0;
    }
    const d = this.cur;
    this.sent++;
    const duration = Math.min(this.sent * this.units, this.curUnits);
    const end = duration >= this.curUnits;
    const frame: DtmfFrame = { event: { event: d.code, end, volume: d.volume, duration }, marker: this.sent === 1, start: this.sent === 1 };
    if (end && ++this.endCopies >= END_PACKET_COPIES) {
      this.digitsSent++;
      this.cur = null;
      this.gapLeft = Math.round((d.gapMs * this.clock) / (1000 * this.units));
    }
    return frame;
  }

  /** Drop everything queued (the current event is ended cleanly by its remaining end packets). */
  clear(): void {
    this.queue.length = 0;
  }
}

/** Received DTMF for one call. */
export class DtmfDetector {
  /** Digits detected, in order (the most recent MAX_QUEUED_DIGITS). */
  digits = "";
  digitsReceived = 0;
  /** Event packets counted as malformed (too short, unknown event code). */
  malformed = 0;
  private haveLast = false;
  private lastTimestamp = 0;

  /**
   * One telephone-event packet. Returns the digit when this packet starts a new event, else null.
   * Timestamps are compared modulo 2^32 (signed difference), so wraparound is handled.
   */
  onPacket(payload: Uint8Array, off: number, len: number, rtpTimestamp: number): string | null {
    const e = readTelephoneEvent(payload, off, len);
    if (!e || e.event >= DTMF_EVENTS.length) {
      this.malformed++;
      return null;
    }
    const ts = rtpTimestamp >>> 0;
    if (this.haveLast) {
      const diff = (ts - this.lastTimestamp) | 0;
      if (diff <= 0) return null; // same event (update/retransmission) or an older, reordered one
    }
    this.haveLast = true;
    this.lastTimestamp = ts;
    return this.record(DTMF_EVENTS[e.event]!);
  }

  /** Count a digit detected by other means (SIP INFO, dtmf-info.ts) in the same sequence. */
  record(digit: string): string {
    this.digitsReceived++;
    this.digits = (this.digits + digit).slice(-MAX_QUEUED_DIGITS);
    return digit;
  }
}
