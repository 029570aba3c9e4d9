/**
 * The reference the media-truth test holds our MOS against: ITU-T G.107 (06/2015) written out a
 * second time, here, from the Recommendation (not imported from agent/src/media/emodel.ts), with
 * every parameter at its Table 3 default except delay and loss, for G.711 (Ie = 0) with
 * Bpl = 4.3 and random loss (BurstR = 1), as G.113 Appendix I lists for G.711 without PLC.
 *
 * Delay enters as the product defines its mouth-to-ear estimate (protocol/metrics.ts, emodel.ts):
 * d = RTT/2 + max(20 ms, 2 × jitter) + 20 ms, with T = Ta = d and Tr = 2d.
 */

const log10 = Math.log10;

/** G.107 §7: R for a one-way (mouth-to-ear) delay `d` ms and random packet loss `ppl` %. */
export function g107R(d: number, ppl: number, bpl = 4.3): number {
  // Table 3 defaults.
  const SLR = 8, RLR = 2, STMR = 15, LSTR = 18, Ds = 3, TELR = 65, WEPL = 110, qdu = 1;
  const Nc = -70, Nfor = -64, Ps = 35, Pr = 35, A = 0, Ie = 0, BurstR = 1, mT = 100, sT = 1;
  const T = d, Ta = d, Tr = 2 * d;

  // 7-3 … 7-8: noise and Ro.
  const OLR = SLR + RLR;
  const Nfo = Nfor + RLR;
  const Pre = Pr + 10 * log10(1 + 10 ** ((10 - LSTR) / 10));
  const Nor = RLR - 121 + Pre + 0.008 * (Pre - 35) ** 2;
  const Nos = Ps - SLR - Ds - 100 + 0.004 * (Ps - OLR - Ds - 14) ** 2;
  const No = 10 * log10(10 ** (Nc / 10) + 10 ** (Nos / 10) + 10 ** (Nor / 10) + 10 ** (Nfo / 10));
  const Ro = 15 - 1.5 * (SLR + No);

  // 7-9 … 7-19: Is = Iolr + Ist + Iq.
  const Q = 37 - 15 * log10(qdu);
  const G = 1.07 + 0.258 * Q + 0.0602 * Q ** 2;
  const Z = 46 / 30 - G / 40;
  const Y = (Ro - 100) / 15 + 46 / 8.4 - G / 9;
  const Iq = 15 * log10(1 + 10 ** Y + 10 ** Z);
  const STMRo = -10 * log10(10 ** (-STMR / 10) + Math.exp(-T / 4) * 10 ** (-TELR / 10));
  const Ist =
    12 * (1 + ((STMRo - 13) / 6) ** 8) ** (1 / 8) -
    28 * (1 + ((STMRo + 1) / 19.4) ** 35) ** (1 / 35) -
    13 * (1 + ((STMRo - 3) / 33) ** 13) ** (1 / 13) +
    29;
  const Xolr = OLR + 0.2 * (64 + No - RLR);
  const Iolr = 20 * ((1 + (Xolr / 8) ** 8) ** (1 / 8) - Xolr / 8);
  const Is = Iolr + Ist + Iq;

  // 7-20 … 7-28: Id = Idte + Idle + Idd (STMR ≥ 9, so TERV has no Ist/2 term).
  const TERV = TELR - 40 * log10((1 + T / 10) / (1 + T / 150)) + 6 * Math.exp(-0.3 * T ** 2);
  const Roe = -1.5 * (No - RLR);
  const Re = 80 + 2.5 * (TERV - 14);
  const Idte = ((Roe - Re) / 2 + Math.sqrt((Roe - Re) ** 2 / 4 + 100) - 1) * (1 - Math.exp(-T));
  const Rle = 10.5 * (WEPL + 7) * (Tr + 1) ** -0.25;
  const Idle = (Ro - Rle) / 2 + Math.sqrt((Ro - Rle) ** 2 / 4 + 169);
  let Idd = 0;
  if (Ta > mT) {
    const X = log10(Ta / mT) / log10(2);
    Idd = 25 * ((1 + X ** (6 * sT)) ** (1 / (6 * sT)) - 3 * (1 + (X / 3) ** (6 * sT)) ** (1 / (6 * sT)) + 2);
  }
  const Id = Idte + Idle + Idd;

  // 7-29: Ie,eff.
  const IeEff = Ie + ((95 - Ie) * ppl) / (ppl / BurstR + bpl);
  return Ro - Is - Id - IeEff + A;
}

/** G.107 Annex B, B-4. */
export function g107Mos(R: number): number {
  if (R < 0) return 1;
  if (R > 100) return 4.5;
  return 1 + 0.035 * R + R * (R - 60) * (100 - R) * 7e-6;
}

/** The product's mouth-to-ear estimate (see header). */
export function mouthToEar(rttMs: number, jitterMs: number): number {
  return rttMs / 2 + Math.max(20, 2 * jitterMs) + 20;
}

/** MOS the E-model gives for these network inputs. */
export function referenceMos(rttMs: number, jitterMs: number, lossPct: number): number {
  return g107Mos(g107R(mouthToEar(rttMs, jitterMs), lossPct));
}
