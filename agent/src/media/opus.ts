/**
 * Opus (RFC 6716) for the media engine: libopus 1.4 compiled to WebAssembly, from the opusscript
 * package (MIT, no install scripts). We drive its emscripten module directly, not its OpusScript
 * class:
 *  - the wasm is read from the file imported `with { type: "file" }`, so `bun build --compile`
 *    embeds it and the compiled agent loads it from inside the binary (opusscript's own loader reads
 *    it from beside its .js on disk, which a compiled binary does not have; vitest gets the same
 *    import through test/support/bun-file-loader.ts);
 *  - OpusScript.decode returns a new Buffer per packet, and the typed-array views it takes when
 *    constructed are detached once the wasm memory grows (every decoder mallocs; after a few hundred
 *    instances the first one's encode throws "detached ArrayBuffer"). Here every call reads the
 *    module's current HEAP views and decodes into a buffer we own: nothing allocated per packet.
 * One module instance per thread (each media worker has its own), compiled on first use.
 *
 * opusscript's handler passes 16-bit PCM as one byte per 16-bit element (low byte, then high byte),
 * in both directions; `encodeOpusFrames` and `OpusDecoder` hide that.
 */
import { readFileSync } from "node:fs";
import factory, { type OpusNativeModule, type OpusScriptHandler } from "opusscript/build/opusscript_native_wasm.js";
import wasmFile from "opusscript/build/opusscript_native_wasm.wasm" with { type: "file" };

/** RFC 7587 §4.1: the RTP clock is 48 kHz whatever the audio bandwidth. */
export const OPUS_CLOCK_RATE = 48000;
/** opus_defines.h OPUS_APPLICATION_VOIP. */
export const OPUS_APPLICATION_VOIP = 2048;
/** Sample rates libopus encodes from and decodes to (RFC 6716 §2: 8, 12, 16, 24 or 48 kHz). */
export const OPUS_PCM_RATES = [8000, 12000, 16000, 24000, 48000] as const;
export type OpusPcmRate = (typeof OPUS_PCM_RATES)[number];
/** Largest packet opusscript accepts (3 × 1275-byte frames, RFC 6716 §3.2.1). */
export const OPUS_MAX_PACKET_BYTES = 1276 * 3;
/** 120 ms at 48 kHz: the longest packet (RFC 6716 §3.2.5), and what opus_decode is allowed to write. */
const MAX_DECODE_SAMPLES = 5760;
const OPUS_SET_BITRATE = 4002;
const OPUS_SET_COMPLEXITY = 4010;

let native: OpusNativeModule | null = null;

/** The thread's libopus module (instantiated synchronously on first use, ~20 ms). */
function lib(): OpusNativeModule {
  native ??= factory({ wasmBinary: readFileSync(wasmFile) });
  return native;
}

function handler(rate: OpusPcmRate): OpusScriptHandler {
  if (!OPUS_PCM_RATES.includes(rate)) throw new RangeError(`Opus cannot run at ${rate} Hz`);
  return new (lib().OpusScriptHandler)(rate, 1, OPUS_APPLICATION_VOIP);
}

export interface OpusEncodeOptions {
  /** Target bitrate (OPUS_SET_BITRATE), bit/s. */
  bitrate: number;
  /** Frame length in ms (2.5, 5, 10, 20, 40 or 60; RFC 6716 §2.1.4). Default 20. */
  frameMs?: number;
  /** OPUS_SET_COMPLEXITY 0–10 (default libopus's). */
  complexity?: number;
}

/** Opus packets back to back: packet i is `data[offsets[i] .. offsets[i + 1])`. */
export interface OpusFrames {
  data: Buffer;
  offsets: Uint32Array;
  frames: number;
}

/** Encode mono 16-bit `pcm` sampled at `rate` into Opus packets (VOIP application, VBR). */
export function encodeOpusFrames(pcm: Int16Array, rate: OpusPcmRate, o: OpusEncodeOptions): OpusFrames {
  const m = lib();
  const enc = handler(rate);
  const frameSamples = Math.round((rate * (o.frameMs ?? 20)) / 1000);
  const frames = Math.floor(pcm.length / frameSamples);
  // The handler compacts the byte-per-element input in place, reading up to 4 × bytes ahead.
  const inPtr = m._malloc(frameSamples * 8);
  const outPtr = m._malloc(OPUS_MAX_PACKET_BYTES);
  try {
    if (enc._encoder_ctl(OPUS_SET_BITRATE, o.bitrate) < 0) throw new Error(`Opus rejected bitrate ${o.bitrate}`);
    if (o.complexity !== undefined && enc._encoder_ctl(OPUS_SET_COMPLEXITY, o.complexity) < 0) throw new Error(`Opus rejected complexity ${o.complexity}`);
    const packets: Buffer[] = [];
    for (let f = 0; f < frames; f++) {
      const heap = m.HEAPU16;
      const base = inPtr >> 1;
      for (let i = 0; i < frameSamples; i++) {
        const s = pcm[f * frameSamples + i]! & 0xffff;
        heap[base + 2 * i] = s & 0xff;
        heap[base + 2 * i + 1] = s >>> 8;
      }
      const n = enc._encode(inPtr, frameSamples * 2, outPtr, frameSamples);
      if (n < 0) throw new Error(`opus_encode failed (${n})`);
      packets.push(Buffer.from(m.HEAPU8.subarray(outPtr, outPtr + n)));
    }
    const offsets = new Uint32Array(frames + 1);
    for (let i = 0; i < frames; i++) offsets[i + 1] = offsets[i]! + packets[i]!.length;
    return { data: Buffer.concat(packets), offsets, frames };
  } finally {
    m._free(inPtr);
    m._free(outPtr);
    m.OpusScriptHandler.destroy_handler(enc);
  }
}

/** Decode buffers shared by the thread's decoders (a decode is synchronous and read at once). */
interface Scratch {
  inPtr: number;
  outPtr: number;
  pcm: Int16Array;
}
let scratch: Scratch | null = null;

function decodeScratch(m: OpusNativeModule): Scratch {
  // Two 16-bit elements per output sample, for as many samples as opus_decode may write.
  scratch ??= { inPtr: m._malloc(OPUS_MAX_PACKET_BYTES), outPtr: m._malloc(MAX_DECODE_SAMPLES * 4), pcm: new Int16Array(MAX_DECODE_SAMPLES) };
  return scratch;
}

/**
 * One stream's Opus decoder (mono output: a stereo stream is downmixed by libopus). `decode` never
 * throws: a packet libopus rejects, an empty one (RFC 6716 §3.4 R1: at least one octet) or one
 * larger than OPUS_MAX_PACKET_BYTES returns −1. No allocation per packet. The packet and PCM
 * buffers are the thread's, shared by its decoders: a session costs only its libopus handler (~70 KB,
 * the encoder that opusscript's handler always creates beside the decoder included).
 */
export class OpusDecoder {
  readonly sampleRate: OpusPcmRate;
  private h: OpusScriptHandler | null;
  private readonly s: Scratch;

  /** `sampleRate`: the output rate (any of OPUS_PCM_RATES, whatever the stream's bandwidth, RFC 6716 §2). */
  constructor(sampleRate: OpusPcmRate) {
    this.sampleRate = sampleRate;
    const m = lib();
    this.h = handler(sampleRate);
    this.s = decodeScratch(m);
  }

  /** The samples of the last successful `decode` of any decoder on this thread (its return value says how many). */
  get pcm(): Int16Array {
    return this.s.pcm;
  }

  /** Decode `buf[off .. off + len)`; returns the number of samples in `pcm`, or −1. */
  decode(buf: Uint8Array, off: number, len: number): number {
    const h = this.h;
    if (!h || len <= 0 || len > OPUS_MAX_PACKET_BYTES || off < 0 || off + len > buf.length) return -1;
    const m = native!;
    const s = this.s;
    let n: number;
    try {
      const u8 = m.HEAPU8;
      const at = s.inPtr;
      for (let i = 0; i < len; i++) u8[at + i] = buf[off + i]!;
      n = h._decode(s.inPtr, len, s.outPtr);
    } catch {
      return -1; // a wasm trap must not leave the receive path
    }
    if (n <= 0) return -1;
    if (n > MAX_DECODE_SAMPLES) n = MAX_DECODE_SAMPLES;
    const heap = m.HEAPU16;
    const base = s.outPtr >> 1;
    const pcm = s.pcm;
    for (let i = 0; i < n; i++) pcm[i] = (heap[base + 2 * i]! | (heap[base + 2 * i + 1]! << 8)) << 16 >> 16;
    return n;
  }

  /** Free the decoder's wasm memory; `decode` returns −1 afterwards. Idempotent. */
  close(): void {
    if (!this.h) return;
    native!.OpusScriptHandler.destroy_handler(this.h);
    this.h = null;
  }
}
