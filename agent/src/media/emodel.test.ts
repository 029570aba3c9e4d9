import { describe, expect, it } from "vitest";
import { CODEC_IMPAIRMENT, eModel, mosFromR, mouthToEarMs, rFactor } from "./emodel.js";

describe("G.107 E-model", () => {
  it("default parameters give R ≈ 93.2 (G.107 §7, Table 3)", () => {
    const t = eModel();
    expect(t.Ro).toBeCloseTo(94.77, 1);
    expect(t.Is).toBeCloseTo(1.41, 1);
    expect(t.Id).toBeCloseTo(0.15, 1);
    expect(t.R).toBeCloseTo(93.2, 1);
  });
  it("MOS from R (Annex B)", () => {
    expect(mosFromR(93.2)).toBeCloseTo(4.41, 2);
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(101)).toBe(4.5);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(50)).toBeCloseTo(1 + 1.75 + 50 * -10 * 50 * 7e-6, 10);
  });
  it("loss: Ie,eff = (95)·Ppl/(Ppl + 4.3) for G.711 (Ie = 0, Bpl = 4.3, BurstR = 1)", () => {
    const r0 = eModel().R;
    for (const ppl of [1, 5]) {
      const ieEff = (95 * ppl) / (ppl / 1 + 4.3); // 1 % → 17.92; 5 % → 51.08
      expect(eModel({ Ppl: ppl }).IeEff).toBeCloseTo(ieEff, 10);
      expect(eModel({ Ppl: ppl }).R).toBeCloseTo(r0 - ieEff, 10);
    }
    expect(eModel({ Ppl: 1 }).R).toBeCloseTo(75.28, 1);
    expect(mosFromR(eModel({ Ppl: 1 }).R)).toBeCloseTo(3.79, 1);
    expect(eModel({ Ppl: 5 }).R).toBeCloseTo(42.12, 1);
    expect(mosFromR(eModel({ Ppl: 5 }).R)).toBeCloseTo(2.17, 1);
    // burstiness makes it worse
    expect(eModel({ Ppl: 5, BurstR: 2 }).R).toBeLessThan(eModel({ Ppl: 5 }).R);
  });
  it("delay lowers R, strongly past 150–200 ms", () => {
    const r = (d: number) => rFactor({ oneWayDelayMs: d, packetLossPct: 0 });
    expect(r(0)).toBeCloseTo(93.2, 1);
    expect(r(50)).toBeGreaterThan(91);
    expect(r(150)).toBeLessThan(r(50));
    expect(r(300)).toBeLessThan(r(150) - 10);
  });
  it("mouth-to-ear estimate", () => {
    expect(mouthToEarMs(0, 0)).toBe(40);
    expect(mouthToEarMs(100, 30)).toBe(50 + 60 + 20);
  });
  it("Opus (provisional Ie 0, Bpl 25.1): G.711's R without loss, concealment's robustness with it", () => {
    const opus = CODEC_IMPAIRMENT.OPUS;
    const g711 = CODEC_IMPAIRMENT.PCMU;
    expect(opus).toEqual({ ie: 0, bpl: 25.1, provisional: true });
    const r = (c: { ie: number; bpl: number }, loss: number) => rFactor({ oneWayDelayMs: 60, packetLossPct: loss, ie: c.ie, bpl: c.bpl });
    expect(r(opus, 0)).toBeCloseTo(r(g711, 0), 10);
    // eq. 7-29 at 5 % random loss: Ie,eff = 95·5/(5 + 25.1) ≈ 15.8 against 51.1 for G.711 without PLC.
    expect(r(opus, 0) - r(opus, 5)).toBeCloseTo((95 * 5) / (5 + 25.1), 6);
    expect(mosFromR(r(opus, 5))).toBeGreaterThan(3.8);
    expect(mosFromR(r(g711, 5))).toBeLessThan(2.5);
  });
});
