/**
 * A speech-like test signal for the RTP payload: not a pure tone, so a listener (or a codec on the
 * far side) sees something resembling talk spurts.
 *
 * Model (deterministic, no randomness across processes):
 *  - voiced excitation: harmonics of a fundamental f0 that glides between ~100 and ~160 Hz;
 *  - three formant "resonances" (F1 ≈ 500–700 Hz, F2 ≈ 1100–1800 Hz, F3 ≈ 2500 Hz) weight the
 *    harmonics, F1/F2 drift per syllable so the vowel colour changes;
 *  - a syllable-rate envelope (~4 syllables/s, raised-cosine shaped) grouped into phrases of ~1.6 s
 *    followed by ~0.6 s pauses (silence with a faint noise floor);
 *  - a little deterministic noise (LCG) for the fricative-ish hiss.
 * Output: 8 kHz, 16-bit linear, peak ≈ −9 dBFS, in 160-sample (20 ms) frames (RFC 3551 §4.5.14:
 * G.711 at 8000 Hz, one octet per sample, 20 ms default packetisation).
 *
 * Payloads are pre-encoded once per process (`payloadLoop(codec)`), so sending a packet is a copy
 * of 160 bytes from a loop buffer, never an encode. G.722 gets the same signal generated at 16 kHz
 * (the model is continuous in time) and encoded with g722.ts: 320 samples → 160 octets per 20 ms,
 * so its frames are 160 bytes too (RFC 3551 §4.5.2).
 */
import { encodeG711 } from "./g711.js";
import { G722Encoder, G722_SAMPLE_RATE } from "./g722.js";

export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;
/** Length of the pre-encoded loop. */
export const LOOP_SECONDS = 4;

export type G711Codec = "PCMU" | "PCMA";
/** Every codec the engine sends and receives. */
export type MediaCodec = G711Codec | "G722";

/** Generate `seconds` of the speech-like signal as 16-bit PCM (8 kHz default). Pure and deterministic. */
export function generateSpeechLike(seconds: number, sampleRate = SAMPLE_RATE): Int16Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Int16Array(n);
  const phrase = 2.2; // s: 1.6 s of talk then 0.6 s pause
  const talk = 1.6;
  const syllable = 0.25; // s → 4 syllables/s
  let phase = 0; // fundamental phase in cycles
  let rng = 0x12345678;
  const peak = 11000; // ≈ −9.5 dBFS
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const inPhrase = t % phrase;
    const sylIndex = Math.floor(t / syllable);
    const sylPos = (t % syllable) / syllable;
    // Raised-cosine syllable envelope with a short gap between syllables.
    const env = inPhrase < talk ? (sylPos < 0.85 ? Math.sin((Math.PI * sylPos) / 0.85) ** 2 : 0) : 0;
    const f0 = 130 + 30 * Math.sin(2 * Math.PI * 0.7 * t) + 8 * Math.sin(2 * Math.PI * 5.1 * t);
    phase += f0 / sampleRate;
    if (phase > 1e6) phase -= 1e6;
    // Per-syllable vowel colour (a cheap hash of the syllable index).
    const v = ((sylIndex * 2654435761) >>> 0) / 4294967296;
    const f1 = 500 + 200 * v;
    const f2 = 1100 + 700 * ((v * 7) % 1);
    const f3 = 2500;
    let voiced = 0;
    // Harmonics up to 3.4 kHz (telephone band), weighted by distance to the formants.
    const hmax = Math.min(24, Math.floor(3400 / f0));
    for (let h = 1; h <= hmax; h++) {
      const fh = h * f0;
      const w =
        1 / (1 + ((fh - f1) / 120) ** 2) + 0.6 / (1 + ((fh - f2) / 150) ** 2) + 0.25 / (1 + ((fh - f3) / 200) ** 2);
      voiced += (w / h ** 0.5) * Math.sin(2 * Math.PI * h * phase);
    }
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    const noise = rng / 4294967296 - 0.5;
    const sample = env * (0.45 * voiced + 0.08 * noise) + 0.002 * noise;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(sample * peak)));
  }
  return out;
}

/** A pre-encoded payload loop: `frames` consecutive 160-byte G.711 frames in one buffer. */
export interface PayloadLoop {
  readonly codec: MediaCodec;
  readonly data: Buffer;
  readonly frames: number;
  readonly frameBytes: number;
}

const loops = new Map<MediaCodec, PayloadLoop>();
let pcmCache: Int16Array | null = null;

/** The process-wide payload loop for `codec`, encoded on first use. */
export function payloadLoop(codec: MediaCodec): PayloadLoop {
  let loop = loops.get(codec);
  if (!loop) {
    let encoded: Uint8Array;
    if (codec === "G722") encoded = new G722Encoder().encode(generateSpeechLike(LOOP_SECONDS, G722_SAMPLE_RATE));
    else {
      pcmCache ??= generateSpeechLike(LOOP_SECONDS);
      encoded = encodeG711(codec === "PCMU" ? "ulaw" : "alaw", pcmCache);
    }
    const data = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    loop = { codec, data, frames: Math.floor(data.length / FRAME_SAMPLES), frameBytes: FRAME_SAMPLES };
    loops.set(codec, loop);
  }
  return loop;
}

/** Copy frame `index` (mod loop length) into `target` at `offset`; returns bytes written. */
export function copyFrame(loop: PayloadLoop, index: number, target: Buffer, offset: number): number {
  const start = (index % loop.frames) * loop.frameBytes;
  return loop.data.copy(target, offset, start, start + loop.frameBytes);
}
