import { describe, expect, it } from "vitest";
import { G722Decoder, G722Encoder } from "./g722.js";
import { generateSpeechLike } from "./source.js";

/** Transmit + receive QMF delay of the codec, in 16 kHz samples (measured on a 300 Hz tone, unambiguous there). */
const CODEC_DELAY = 22;

function snrDb(ref: Int16Array, out: Int16Array, delay: number, from: number): number {
  let sig = 0;
  let err = 0;
  for (let i = from; i + delay < out.length; i++) {
    sig += ref[i]! ** 2;
    err += (ref[i]! - out[i + delay]!) ** 2;
  }
  return 10 * Math.log10(sig / err);
}

const sine = (f: number, amp: number, n = 16000) => Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * f * i) / 16000)));

describe("G.722 SB-ADPCM, 64 kbit/s", () => {
  it("round-trips sines across both sub-bands with SNR > 20 dB at the codec delay", () => {
    const got: Record<number, number> = {};
    for (const f of [300, 1000, 3000, 5000, 6500]) {
      const pcm = sine(f, 8000);
      const codes = new G722Encoder().encode(pcm);
      expect(codes.length).toBe(8000); // 2 samples per octet: 64 kbit/s
      got[f] = snrDb(pcm, new G722Decoder().decode(codes), CODEC_DELAY, 2000);
    }
    // Lower band (6 bits) ≈ 40–60 dB; the higher band has only 2 bits, so ≈ 20–26 dB there.
    expect(got[300]).toBeGreaterThan(40);
    expect(got[1000]).toBeGreaterThan(40);
    expect(got[3000]).toBeGreaterThan(30);
    expect(got[5000]).toBeGreaterThan(20);
    expect(got[6500]).toBeGreaterThan(20);
  });

  it("round-trips the speech-like source (16 kHz) with SNR > 20 dB", () => {
    const pcm = generateSpeechLike(2, 16000);
    const out = new G722Decoder().decode(new G722Encoder().encode(pcm));
    expect(snrDb(pcm, out, CODEC_DELAY, 1000)).toBeGreaterThan(20);
  });

  it("keeps state across calls: 20 ms frames encode/decode exactly like one block", () => {
    const pcm = generateSpeechLike(1, 16000);
    const whole = new G722Encoder().encode(pcm);
    const enc = new G722Encoder();
    const dec = new G722Decoder();
    const framed = new Uint8Array(whole.length);
    const decoded = new Int16Array(pcm.length);
    for (let k = 0; k < pcm.length / 320; k++) {
      const codes = enc.encode(pcm.subarray(k * 320, (k + 1) * 320));
      framed.set(codes, k * 160);
      decoded.set(dec.decode(codes), k * 320);
    }
    expect(framed).toEqual(whole);
    expect(decoded).toEqual(new G722Decoder().decode(whole));
  });

  it("silence stays silent; full-scale input and arbitrary codes never leave 16 bits", () => {
    const out = new G722Decoder().decode(new G722Encoder().encode(new Int16Array(3200)));
    expect(Math.max(...out.map(Math.abs))).toBeLessThan(8);
    const loud = Int16Array.from({ length: 3200 }, (_, i) => (i % 7 < 3 ? 32767 : -32768));
    const codes = new G722Encoder().encode(loud);
    const junk = Uint8Array.from({ length: 4000 }, (_, i) => (i * 97 + 13) & 0xff);
    for (const c of [codes, junk]) {
      const o = new G722Decoder().decode(c);
      expect(o.every((v) => v >= -32768 && v <= 32767)).toBe(true);
    }
  });
});
