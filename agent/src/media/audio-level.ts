/**
 * Received audio level in dBov (ITU-T G.100.1 §3: dB relative to the overload point, a full-scale
 * square wave = 0 dBov; a full-scale sine reads −3.01 dBov), from G.711 payloads, without decoding
 * into a buffer: a 256-entry table per law holds each code's squared normalised sample, so a
 * packet costs one lookup and one add per byte. Codecs that must be decoded (Opus, opus.ts) give
 * their 16-bit PCM to `onPcm`, one packet's samples at a time.
 *
 *  - `audio_level_dbov`: RMS over every received sample in the interval (silence included).
 *  - `speech_level_dbov` / `noise_level_dbov`: RMS over the 20 ms frames an energy VAD calls
 *    speech / not speech. The VAD is a fixed threshold (VAD_THRESHOLD_DBOV, ~25 dB above a quiet
 *    line's noise, well below speech at the nominal −26 dBov of ITU-T P.56) — simple and
 *    reproducible; a reference-tool VAD may differ by a few dB on the boundary frames.
 * Levels with nothing to measure read FLOOR_DBOV.
 */
import { alawDecode, ulawDecode } from "./g711.js";

export const FLOOR_DBOV = -127;
export const VAD_THRESHOLD_DBOV = -50;

function squares(decode: (code: number) => number): Float64Array {
  const t = new Float64Array(256);
  for (let c = 0; c < 256; c++) {
    const x = decode(c) / 32768;
    t[c] = x * x;
  }
  return t;
}
const ULAW_SQ = squares(ulawDecode);
const ALAW_SQ = squares(alawDecode);

export function dbov(meanSquare: number): number {
  return meanSquare > 0 ? Math.max(FLOOR_DBOV, 10 * Math.log10(meanSquare)) : FLOOR_DBOV;
}

export interface LevelSummary {
  audio: number;
  speech: number;
  noise: number;
}

export class AudioLevelMeter {
  private sum = 0;
  private n = 0;
  private speechSum = 0;
  private speechN = 0;
  private noiseSum = 0;
  private noiseN = 0;
  private readonly vadMeanSquare = 10 ** (VAD_THRESHOLD_DBOV / 10);

  /** One G.711 payload (`law`: PCMU µ-law, PCMA A-law). */
  onPayload(law: "PCMU" | "PCMA", buf: Uint8Array, off: number, len: number): void {
    if (len <= 0 || off + len > buf.length) return;
    const t = law === "PCMU" ? ULAW_SQ : ALAW_SQ;
    let s = 0;
    for (let i = off, end = off + len; i < end; i++) s += t[buf[i]!]!;
    this.sum += s;
    this.n += len;
    if (s / len >= this.vadMeanSquare) {
      this.speechSum += s;
      this.speechN += len;
    } else {
      this.noiseSum += s;
      this.noiseN += len;
    }
  }

  /** One packet's decoded 16-bit samples, `pcm[0 .. n)` (its frames are classed like G.711's). */
  onPcm(pcm: Int16Array, n: number): void {
    if (n <= 0) return;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = pcm[i]!;
      s += x * x;
    }
    s /= 32768 * 32768;
    this.sum += s;
    this.n += n;
    if (s / n >= this.vadMeanSquare) {
      this.speechSum += s;
      this.speechN += n;
    } else {
      this.noiseSum += s;
      this.noiseN += n;
    }
  }

  /** Levels since the previous call; resets. */
  take(): LevelSummary {
    const r = {
      audio: this.n ? dbov(this.sum / this.n) : FLOOR_DBOV,
      speech: this.speechN ? dbov(this.speechSum / this.speechN) : FLOOR_DBOV,
      noise: this.noiseN ? dbov(this.noiseSum / this.noiseN) : FLOOR_DBOV,
    };
    this.sum = this.n = this.speechSum = this.speechN = this.noiseSum = this.noiseN = 0;
    return r;
  }
}
