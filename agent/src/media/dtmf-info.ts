/**
 * DTMF over SIP INFO, beside RFC 4733 (dtmf.ts): what RFC 6086 calls a "legacy INFO usage" (INFO
 * without an Info Package, as RFC 2976 allowed; the receiver tells the body by its Content-Type).
 * Two bodies are in use:
 *
 *  - `application/dtmf-relay` (the de facto format of Cisco, Asterisk and most PBXs; no RFC defines
 *    it): lines `Signal=<digit>` and `Duration=<ms>`, CRLF-terminated, e.g. `Signal=5\r\nDuration=160\r\n`.
 *    Senders also write `Signal=10` / `11` for * / # and 12–15 for A–D (the RFC 4733 §3.2 event
 *    codes), which we accept; we send the digit character.
 *  - `application/dtmf`: the digit alone (optionally with the same `Signal=` / `Duration=` lines).
 *
 * Pure: `formatDtmfRelay` / `parseDtmfInfo` for bodies; `DtmfInfoSender` sends digits one INFO at a
 * time through a callback (each waits for the previous one's final response, so digits arrive in
 * the order pressed whatever the transport does; their CSeq numbers count up, RFC 3261 §12.2.1.1),
 * counting a digit once its INFO got a 2xx; `DtmfInfoDetector` turns received INFO
 * bodies into digits. RtpSession counts both into `dtmf_digits_sent` / `dtmf_digits_received`.
 */
import { DTMF_EVENTS } from "./dtmf.js";

export const DTMF_RELAY_CONTENT_TYPE = "application/dtmf-relay";
export const DTMF_CONTENT_TYPE = "application/dtmf";
/** Duration we announce when none is given: 160 ms, as most phones do. */
export const DEFAULT_INFO_DURATION_MS = 160;
/** Pause between two digits' INFO requests (a receiver plays each tone for its Duration). */
export const DEFAULT_INFO_GAP_MS = 100;
/** Longest Duration accepted from a peer (a key held 10 s is not a DTMF digit). */
const MAX_DURATION_MS = 10_000;

/** The `application/dtmf-relay` body for one digit (0–9 * # A–D). */
export function formatDtmfRelay(digit: string, durationMs = DEFAULT_INFO_DURATION_MS): string {
  const d = digit.toUpperCase();
  if (d.length !== 1 || !DTMF_EVENTS.includes(d)) throw new Error(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return `Signal=${d}\r\nDuration=${Math.max(1, Math.round(durationMs))}\r\n`;
}

export interface InfoDigit {
  digit: string;
  /** Announced tone length in ms, null when the body gave none. */
  durationMs: number | null;
}

/** A digit from a Signal value: the character itself or its RFC 4733 §3.2 event code 0–15. */
function signalDigit(v: string): string | null {
  const s = v.trim().toUpperCase();
  if (s.length === 1 && DTMF_EVENTS.includes(s)) return s;
  if (/^\d{1,2}$/.test(s) && Number(s) < DTMF_EVENTS.length) return DTMF_EVENTS[Number(s)]!;
  return null;
}

/**
 * The digit of an INFO request, or null when its Content-Type is not a DTMF one or the body names
 * no digit. `contentType` is the raw header value (parameters and case are ignored). Never throws.
 */
export function parseDtmfInfo(contentType: string | undefined, body: string): InfoDigit | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== DTMF_RELAY_CONTENT_TYPE && type !== DTMF_CONTENT_TYPE) return null;
  let digit: string | null = null;
  let durationMs: number | null = null;
  const lines = body.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  for (const line of lines) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const name = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1);
    if (name === "signal") digit = signalDigit(value);
    else if (name === "duration") {
      const n = Number(value.trim());
      if (Number.isFinite(n) && n > 0 && n <= MAX_DURATION_MS) durationMs = Math.round(n);
    }
  }
  // application/dtmf: the body may be just the digit.
  if (digit === null && type === DTMF_CONTENT_TYPE && lines.length === 1 && !lines[0]!.includes("=")) digit = signalDigit(lines[0]!);
  return digit === null ? null : { digit, durationMs };
}

export interface DtmfInfoOptions {
  durationMs?: number;
  gapMs?: number;
  /** Body format (default application/dtmf-relay). */
  contentType?: typeof DTMF_RELAY_CONTENT_TYPE | typeof DTMF_CONTENT_TYPE;
}

/** Sends an INFO in the call's dialog; resolves with whether it got a 2xx. */
export type SendInfo = (body: string, contentType: string) => Promise<{ ok: boolean }>;

/** Sends digits as INFO requests, one at a time; counts those the peer accepted (2xx). */
export class DtmfInfoSender {
  digitsSent = 0;
  /** INFO requests that did not get a 2xx (or failed to go out). */
  rejected = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly sendInfo: SendInfo;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(sendInfo: SendInfo, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))) {
    this.sendInfo = sendInfo;
    this.sleep = sleep;
  }

  /**
   * Queue digits (0–9 * # A–D; anything else is skipped). Resolves with how many of these digits
   * were accepted once their INFOs completed; calls after this one wait for it (order is kept).
   */
  send(digits: string, opts: DtmfInfoOptions = {}): Promise<number> {
    const list = [...digits.toUpperCase()].filter((d) => DTMF_EVENTS.includes(d));
    const duration = opts.durationMs ?? DEFAULT_INFO_DURATION_MS;
    const gap = opts.gapMs ?? DEFAULT_INFO_GAP_MS;
    const type = opts.contentType ?? DTMF_RELAY_CONTENT_TYPE;
    const run = this.queue.then(async () => {
      let accepted = 0;
      for (let i = 0; i < list.length; i++) {
        if (i > 0 && gap > 0) await this.sleep(gap);
        const d = list[i]!;
        const body = type === DTMF_RELAY_CONTENT_TYPE ? formatDtmfRelay(d, duration) : `${d}\r\n`;
        let ok = false;
        try {
          ok = (await this.sendInfo(body, type)).ok;
        } catch {
          ok = false;
        }
        if (ok) {
          accepted++;
          this.digitsSent++;
        } else this.rejected++;
      }
      return accepted;
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/** Digits from received INFO requests (every INFO is a new key press: no dedup beyond SIP's own). */
export class DtmfInfoDetector {
  digits = "";
  digitsReceived = 0;
  /** INFOs with a DTMF Content-Type whose body named no digit. */
  malformed = 0;
  private readonly maxDigits: number;

  constructor(maxDigits = 64) {
    this.maxDigits = maxDigits;
  }

  /** The digit of this INFO (counted), or null when it is not DTMF (not counted) or malformed. */
  onInfo(contentType: string | undefined, body: string): string | null {
    const d = parseDtmfInfo(contentType, body);
    if (!d) {
      const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
      if (type === DTMF_RELAY_CONTENT_TYPE || type === DTMF_CONTENT_TYPE) this.malformed++;
      return null;
    }
    this.digitsReceived++;
    this.digits = (this.digits + d.digit).slice(-this.maxDigits);
    return d.digit;
  }
}
