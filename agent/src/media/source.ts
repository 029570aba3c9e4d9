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
 * from a loop buffer, never an encode. G.722 gets the same signal generated at 16 kHz (the model is
 * continuous in time) and encoded with g722.ts: 320 samples → 160 octets per 20 ms, so its frames
 * are 160 bytes too (RFC 3551 §4.5.2).
 *
 * Opus (opus.ts) is encoded from that same 16 kHz signal with the encoder's input at 16 kHz, VOIP
 * application, 24 kbit/s VBR, 20 ms frames. Not 48 kHz: the signal has nothing above 3.4 kHz but
 * a faint hiss, so a 48 kHz input would only triple the start-up cost (~0.7 s instead of ~0.2 s of
 * CPU, once per thread, while other calls are being paced) and make libopus spend bits on coding
 * that hiss as full band (hybrid mode); at 16 kHz it codes SILK wideband, what a wideband phone
 * sends. The RTP clock is 48 kHz all the same (RFC 7587 §4.1: the encoder's input rate does not
 * change the timestamp units). Payloads vary in size (VBR), so a loop keeps each frame's offset.
 * The 4 s loop wraps in a pause of the signal, so restarting the coded stream there is inaudible.
 */
import { encodeG711 } from "./g711.js";
import { G722Encoder, G722_SAMPLE_RATE } from "./g722.js";
import type { MediaCodec } from "./codecs.js";
import { encodeOpusFrames } from "./opus.js";

export type { G711Codec, MediaCodec } from "./codecs.js";

export const SAMPLE_RATE = 8000;
/** Samples of one 20 ms frame at SAMPLE_RATE (the G.711 frame size in octets). */
export const FRAME_SAMPLES = 160;
/** Length of the pre-encoded loop. */
export const LOOP_SECONDS = 4;
/** The Opus loop's encoder input rate and bitrate (see header). */
export const OPUS_INPUT_RATE = 16000;
export const OPUS_BITRATE = 24000;

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

/** A pre-encoded payload loop: `frames` consecutive 20 ms payloads in one buffer. */
export interface PayloadLoop {
  readonly codec: MediaCodec;
  readonly data: Buffer;
  readonly frames: number;
  /** Frame i is `data[offsets[i] .. offsets[i + 1])` (fixed 160-byte steps for G.711 and G.722). */
  readonly offsets: Uint32Array;
  /** The largest frame, bytes (what a packet buffer must hold beyond the RTP header). */
  readonly maxFrameBytes: number;
}

const loops = new Map<MediaCodec, PayloadLoop>();
const pcmByRate = new Map<number, Int16Array>();

/** The loop's signal at `rate`, generated once (G.722 and Opus share the 16 kHz one). */
function loopPcm(rate: number): Int16Array {
  let pcm = pcmByRate.get(rate);
  if (!pcm) {
    pcm = generateSpeechLike(LOOP_SECONDS, rate);
    pcmByRate.set(rate, pcm);
  }
  return pcm;
}

function fixedOffsets(frames: number, bytes: number): Uint32Array {
  const o = new Uint32Array(frames + 1);
  for (let i = 0; i <= frames; i++) o[i] = i * bytes;
  return o;
}

function encodeLoop(codec: MediaCodec): PayloadLoop {
  if (codec === "OPUS") {
    const { data, offsets, frames } = encodeOpusFrames(loopPcm(OPUS_INPUT_RATE), OPUS_INPUT_RATE, { bitrate: OPUS_BITRATE });
    let max = 0;
    for (let i = 0; i < frames; i++) max = Math.max(max, offsets[i + 1]! - offsets[i]!);
    return { codec, data, frames, offsets, maxFrameBytes: max };
  }
  let encoded: Uint8Array;
  if (codec === "G722") encoded = new G722Encoder().encode(loopPcm(G722_SAMPLE_RATE));
  else encoded = encodeG711(codec === "PCMU" ? "ulaw" : "alaw", loopPcm(SAMPLE_RATE));
  const data = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const frames = Math.floor(data.length / FRAME_SAMPLES);
  return { codec, data, frames, offsets: fixedOffsets(frames, FRAME_SAMPLES), maxFrameBytes: FRAME_SAMPLES };
}

/** The process-wide payload loop for `codec`, encoded on first use. */
export function payloadLoop(codec: MediaCodec): PayloadLoop {
  let loop = loops.get(codec);
  if (!loop) {
    loop = encodeLoop(codec);
    loops.set(codec, loop);
  }
  return loop;
}

/** Bytes of frame `index` (mod loop length). */
export function frameBytes(loop: PayloadLoop, index: number): number {
  const i = index % loop.frames;
  return loop.offsets[i + 1]! - loop.offsets[i]!;
}

/** Copy frame `index` (mod loop length) into `target` at `offset`; returns bytes written. */
export function copyFrame(loop: PayloadLoop, index: number, target: Buffer, offset: number): number {
  const i = index % loop.frames;
  return loop.data.copy(target, offset, loop.offsets[i]!, loop.offsets[i + 1]!);
}
