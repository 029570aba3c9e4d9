import { describe, expect, it } from "vitest";
import { ulawDecode } from "./g711.js";
import { OpusDecoder } from "./opus.js";
import { FRAME_SAMPLES, OPUS_INPUT_RATE, copyFrame, frameBytes, generateSpeechLike, payloadLoop } from "./source.js";

function rms(a: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / (to - from));
}

describe("speech-like source", () => {
  const pcm = generateSpeechLike(4);
  it("is 8 kHz, deterministic, and within int16 with headroom", () => {
    expect(pcm.length).toBe(32000);
    expect(generateSpeechLike(4)).toEqual(pcm);
    let peak = 0;
    for (const x of pcm) peak = Math.max(peak, Math.abs(x));
    expect(peak).toBeGreaterThan(3000);
    expect(peak).toBeLessThan(32767);
  });
  it("has talk spurts and pauses (syllable envelope), not a constant tone", () => {
    const frames: number[] = [];
    for (let f = 0; f + FRAME_SAMPLES <= pcm.length; f += FRAME_SAMPLES) frames.push(rms(pcm, f, f + FRAME_SAMPLES));
    const loud = frames.filter((r) => r > 500).length;
    const quiet = frames.filter((r) => r < 50).length;
    expect(loud).toBeGreaterThan(frames.length * 0.3);
    expect(quiet).toBeGreaterThan(frames.length * 0.15); // pauses between phrases and syllables
  });
  it("is not a single sinusoid: zero-crossing rate varies between frames", () => {
    const zcr: number[] = [];
    for (let f = 0; f + FRAME_SAMPLES <= 12800; f += FRAME_SAMPLES) {
      if (rms(pcm, f, f + FRAME_SAMPLES) < 500) continue;
      let z = 0;
      for (let i = f + 1; i < f + FRAME_SAMPLES; i++) if ((pcm[i - 1]! < 0) !== (pcm[i]! < 0)) z++;
      zcr.push(z);
    }
    expect(Math.max(...zcr) - Math.min(...zcr)).toBeGreaterThan(3);
  });
  it("pre-encodes a loop once per codec and copies frames", () => {
    const loop = payloadLoop("PCMU");
    expect(payloadLoop("PCMU")).toBe(loop);
    expect(loop.frames).toBe(200);
    const buf = Buffer.alloc(172);
    expect(copyFrame(loop, 205, buf, 12)).toBe(160);
    expect(buf.subarray(12).equals(loop.data.subarray(5 * 160, 6 * 160))).toBe(true);
    // decodes back close to the PCM
    const i = 5 * 160 + 40;
    expect(Math.abs(ulawDecode(buf[12 + 40]!) - pcm[i]!)).toBeLessThan(Math.abs(pcm[i]!) / 16 + 16);
    expect(payloadLoop("PCMA").data.equals(loop.data)).toBe(false);
  });

  it("pre-encodes Opus once: 200 variable-size 20 ms mono frames at ~24 kbit/s that decode back to the signal's level", () => {
    const loop = payloadLoop("OPUS");
    expect(payloadLoop("OPUS")).toBe(loop);
    expect(loop.frames).toBe(200);
    expect(loop.offsets[200]).toBe(loop.data.length);
    const sizes = Array.from({ length: 200 }, (_, i) => frameBytes(loop, i));
    expect(new Set(sizes).size).toBeGreaterThan(5); // VBR
    expect(loop.maxFrameBytes).toBe(Math.max(...sizes));
    const kbps = (loop.data.length * 8) / 4 / 1000;
    expect(kbps).toBeGreaterThan(15);
    expect(kbps).toBeLessThan(30);
    // RFC 6716 §3.1 TOC: mono (s = 0) and 20 ms per packet (code 0, one frame of a 20 ms config).
    for (let i = 0; i < 200; i++) {
      const toc = loop.data[loop.offsets[i]!]!;
      expect(toc & 0x07).toBe(0);
    }
    // copyFrame copies exactly one frame, wrapping around the loop.
    const buf = Buffer.alloc(12 + loop.maxFrameBytes);
    expect(copyFrame(loop, 203, buf, 12)).toBe(sizes[3]);
    expect(buf.subarray(12, 12 + sizes[3]!).equals(loop.data.subarray(loop.offsets[3], loop.offsets[4]))).toBe(true);
    // Decoded twice through (the second pass past the decoder's start-up), every frame is 20 ms and
    // the loop's level is the source's within a dB or two.
    const src = generateSpeechLike(4, OPUS_INPUT_RATE);
    const dec = new OpusDecoder(16000);
    let sum = 0;
    let n = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 200; i++) {
        const k = dec.decode(loop.data, loop.offsets[i]!, sizes[i]!);
        expect(k).toBe(320);
        if (pass === 1) for (let j = 0; j < k; j++) (sum += (dec.pcm[j]! / 32768) ** 2), n++;
      }
    }
    dec.close();
    const decodedDb = 10 * Math.log10(sum / n);
    const srcDb = 20 * Math.log10(rms(src, 0, src.length) / 32768);
    expect(decodedDb).toBeGreaterThan(-40);
    expect(Math.abs(decodedDb - srcDb)).toBeLessThan(2);
  });
});
