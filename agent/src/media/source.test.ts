import { describe, expect, it } from "vitest";
import { ulawDecode } from "./g711.js";
import { FRAME_SAMPLES, copyFrame, generateSpeechLike, payloadLoop } from "./source.js";

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
});
