import { describe, expect, it } from "vitest";
import { AudioLevelMeter, FLOOR_DBOV } from "./audio-level.js";
import { encodeG711 } from "./g711.js";

const sine = (amp: number, n = 160, f = 1000) => Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * f * i) / 8000)));

describe("AudioLevelMeter (dBov)", () => {
  it("a sine at half scale reads −9.03 dBov (−6.02 − 3.01) within G.711 quantisation", () => {
    for (const law of ["PCMU", "PCMA"] as const) {
      const m = new AudioLevelMeter();
      const p = encodeG711(law === "PCMU" ? "ulaw" : "alaw", sine(16384, 800));
      for (let i = 0; i < 5; i++) m.onPayload(law, p, i * 160, 160);
      const l = m.take();
      expect(l.audio).toBeCloseTo(-9.03, 0);
      expect(l.speech).toBeCloseTo(-9.03, 0);
      expect(l.noise).toBe(FLOOR_DBOV);
    }
  });
  it("splits speech and noise frames; the overall level is the power mean", () => {
    const m = new AudioLevelMeter();
    const loud = encodeG711("ulaw", sine(3277)); // −23 dBov
    const quiet = encodeG711("ulaw", sine(33)); // ≈ −63 dBov
    m.onPayload("PCMU", loud, 0, 160);
    m.onPayload("PCMU", quiet, 0, 160);
    const l = m.take();
    expect(l.speech).toBeCloseTo(-23, 0);
    expect(l.noise).toBeLessThan(-55);
    expect(l.audio).toBeCloseTo(-26, 0); // half the power of the loud frame
    expect(m.take()).toEqual({ audio: FLOOR_DBOV, speech: FLOOR_DBOV, noise: FLOOR_DBOV });
  });
  it("ignores out-of-range slices", () => {
    const m = new AudioLevelMeter();
    m.onPayload("PCMA", new Uint8Array(10), 5, 10);
    expect(m.take().audio).toBe(FLOOR_DBOV);
  });
  it("decoded PCM (onPcm): the same dBov and speech/noise split as G.711 payloads", () => {
    const m = new AudioLevelMeter();
    m.onPcm(sine(16384, 320, 440), 320);
    m.onPcm(sine(33, 320, 440), 320);
    m.onPcm(sine(16384, 320, 440), 0); // nothing decoded: ignored
    const l = m.take();
    expect(l.speech).toBeCloseTo(-9.03, 1);
    expect(l.noise).toBeLessThan(-55);
    expect(l.audio).toBeCloseTo(-12.04, 1);
  });
});
