import { describe, expect, it } from "vitest";
import { encodeOpusFrames, OPUS_MAX_PACKET_BYTES, OpusDecoder } from "./opus.js";

function sine(rate: number, seconds: number, hz: number, amplitude: number): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

function dbfs(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (x[i]! / 32768) ** 2;
  return 10 * Math.log10(s / (to - from));
}

describe("Opus (libopus via opusscript's wasm)", () => {
  it("encodes 20 ms frames at ~24 kbit/s and decodes them back at the same level", () => {
    const pcm = sine(16000, 1, 440, 8000); // −15.2 dBFS
    const enc = encodeOpusFrames(pcm, 16000, { bitrate: 24000 });
    expect(enc.frames).toBe(50);
    expect(enc.offsets[50]).toBe(enc.data.length);
    const kbps = (enc.data.length * 8) / 1000;
    expect(kbps).toBeGreaterThan(12);
    expect(kbps).toBeLessThan(32);
    const dec = new OpusDecoder(16000);
    const out: number[] = [];
    for (let i = 0; i < enc.frames; i++) {
      const n = dec.decode(enc.data, enc.offsets[i]!, enc.offsets[i + 1]! - enc.offsets[i]!);
      expect(n).toBe(320);
      out.push(...dec.pcm.subarray(0, n));
    }
    dec.close();
    // Skip the first 100 ms (codec start-up and look-ahead).
    expect(Math.abs(dbfs(out, 1600) - dbfs(pcm, 1600))).toBeLessThan(1.5);
  });

  it("decodes at any output rate (RFC 6716 §2): 48 kHz gives 960 samples per 20 ms", () => {
    const enc = encodeOpusFrames(sine(48000, 0.2, 300, 6000), 48000, { bitrate: 24000 });
    const dec = new OpusDecoder(48000);
    expect(dec.decode(enc.data, 0, enc.offsets[1]!)).toBe(960);
    dec.close();
  });

  it("never throws on bad input: invalid, empty, oversized or out-of-range packets return −1", () => {
    const dec = new OpusDecoder(16000);
    // TOC code 3 (arbitrary frame count) with a frame count byte of 0: invalid (RFC 6716 §3.2.5, R5).
    expect(dec.decode(Buffer.from([0x03, 0x00]), 0, 2)).toBe(-1);
    expect(dec.decode(Buffer.from([0xfc]), 0, 0)).toBe(-1);
    expect(dec.decode(Buffer.alloc(OPUS_MAX_PACKET_BYTES + 1), 0, OPUS_MAX_PACKET_BYTES + 1)).toBe(-1);
    expect(dec.decode(Buffer.from([0xfc, 1, 2]), 2, 5)).toBe(-1);
    dec.close();
    dec.close();
    expect(dec.decode(Buffer.from([0xf8, 0xff, 0xfe]), 0, 3)).toBe(-1);
  });

  it("keeps working after the wasm memory grew (hundreds of decoders)", () => {
    const enc = encodeOpusFrames(sine(16000, 0.1, 500, 5000), 16000, { bitrate: 24000 });
    const first = new OpusDecoder(16000);
    const many = Array.from({ length: 300 }, () => new OpusDecoder(16000));
    expect(first.decode(enc.data, 0, enc.offsets[1]!)).toBe(320);
    for (const d of many) d.close();
    first.close();
  });
});
