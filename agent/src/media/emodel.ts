/**
 * ITU-T G.107 (06/2015) E-model, narrowband: R = Ro − Is − Id − Ie,eff + A (§7.1, eq. 7-1), and the
 * R → MOS conversion of Annex B (eq. B-4).
 *
 * All parameters default to G.107 Table 3; with those, R = 93.2. Loss enters through
 * Ie,eff = Ie + (95 − Ie)·Ppl/(Ppl/BurstR + Bpl) (eq. 7-29). For G.711, Ie = 0 (G.113 Appendix I).
 * Bpl defaults to 4.3, the G.113 Appendix I value for G.711 with random loss and no concealment
 * (G.711 Appendix I PLC is listed with Bpl = 25.1): we do not know the far end's concealment, so
 * the conservative figure is the default; pass `bpl` to change it.
 *
 * Delay: G.107 uses T (mean one-way delay of the echo path), Tr (round-trip delay of a 4-wire
 * loop) and Ta (absolute mouth-to-ear delay). `rFactor()` takes one mouth-to-ear estimate and
 * sets T = Ta = d, Tr = 2d, as is usual for a VoIP path (`mouthToEarMs()` builds d from RTT/2,
 * jitter buffer and codec/packetisation delay).
 */

export interface EModelParams {
  /** Send / receive loudness ratings (dB). */
  SLR: number;
  RLR: number;
  /** Sidetone masking rating, listener sidetone rating (dB). */
  STMR: number;
  LSTR: number;
  /** D-value of telephone, send / receive side. */
  Ds: number;
  Dr: number;
  /** Talker echo loudness rating (dB), weighted echo path loss (dB). */
  TELR: number;
  WEPL: number;
  /** Mean one-way delay of the echo path, round-trip delay in a 4-wire loop, absolute delay (ms). */
  T: number;
  Tr: number;
  Ta: number;
  /** Number of quantisation distortion units. */
  qdu: number;
  /** Equipment impairment factor and packet-loss robustness factor. */
  Ie: number;
  Bpl: number;
  /** Random packet-loss probability in %. */
  Ppl: number;
  /** Burst ratio (1 = random loss). */
  BurstR: number;
  /** Circuit noise (dBm0p), noise floor at receive side (dBmp), room noise send/receive (dB(A)). */
  Nc: number;
  Nfor: number;
  Ps: number;
  Pr: number;
  /** Advantage factor. */
  A: number;
  /** Idd shape: mT (ms) and sT (G.107 §7.4, eq. 7-26 with defaults mT = 100, sT = 1). */
  mT: number;
  sT: number;
}

/** G.107 Table 3 default values. */
export const G107_DEFAULTS: Readonly<EModelParams> = {
  SLR: 8, RLR: 2, STMR: 15, LSTR: 18, Ds: 3, Dr: 3, TELR: 65, WEPL: 110,
  T: 0, Tr: 0, Ta: 0, qdu: 1, Ie: 0, Bpl: 4.3, Ppl: 0, BurstR: 1,
  Nc: -70, Nfor: -64, Ps: 35, Pr: 35, A: 0, mT: 100, sT: 1,
};

const lg = Math.log10;

export interface EModelTerms {
  R: number;
  Ro: number;
  Is: number;
  Id: number;
  IeEff: number;
  A: number;
}

/** The full E-model with every term (for tests and tooltips). */
export function eModel(overrides: Partial<EModelParams> = {}): EModelTerms {
  const p: EModelParams = { ...G107_DEFAULTS, ...overrides };
  // §7.2 Basic signal-to-noise ratio Ro.
  const OLR = p.SLR + p.RLR;
  const Nos = p.Ps - p.SLR - p.Ds - 100 + 0.004 * (p.Ps - OLR - p.Ds - 14) ** 2;
  const Pre = p.Pr + 10 * lg(1 + 10 ** ((10 - p.LSTR) / 10));
  const Nor = p.RLR - 121 + Pre + 0.008 * (Pre - 35) ** 2;
  const Nfo = p.Nfor + p.RLR;
  const No = 10 * lg(10 ** (p.Nc / 10) + 10 ** (Nos / 10) + 10 ** (Nor / 10) + 10 ** (Nfo / 10));
  const Ro = 15 - 1.5 * (p.SLR + No);

  // §7.3 Simultaneous impairment factor Is = Iolr + Ist + Iq.
  const Xolr = OLR + 0.2 * (64 + No - p.RLR);
  const Iolr = 20 * ((1 + (Xolr / 8) ** 8) ** (1 / 8) - Xolr / 8);
  const STMRo = -10 * lg(10 ** (-p.STMR / 10) + Math.exp(-p.T / 4) * 10 ** (-p.TELR / 10));
  const Ist =
    12 * (1 + ((STMRo - 13) / 6) ** 8) ** (1 / 8) -
    28 * (1 + ((STMRo + 1) / 19.4) ** 35) ** (1 / 35) -
    13 * (1 + ((STMRo - 3) / 33) ** 13) ** (1 / 13) +
    29;
  const Q = 37 - 15 * lg(p.qdu);
  const G = 1.07 + 0.258 * Q + 0.0602 * Q * Q;
  const Z = 46 / 30 - G / 40;
  const Y = (Ro - 100) / 15 + 46 / 8.4 - G / 9;
  const Iq = 15 * lg(1 + 10 ** Y + 10 ** Z);
  const Is = Iolr + Ist + Iq;

  // §7.4 Delay impairment factor Id = Idte + Idle + Idd.
  let TERV = p.TELR - 40 * lg((1 + p.T / 10) / (1 + p.T / 150)) + 6 * Math.exp(-0.3 * p.T * p.T);
  if (p.STMR < 9) TERV += Ist / 2;
  const Roe = -1.5 * (No - p.RLR);
  const Re = 80 + 2.5 * (TERV - 14);
  const Idte = ((Roe - Re) / 2 + Math.sqrt((Roe - Re) ** 2 / 4 + 100) - 1) * (1 - Math.exp(-p.T));
  const Rle = 10.5 * (p.WEPL + 7) * (p.Tr + 1) ** -0.25;
  const Idle = (Ro - Rle) / 2 + Math.sqrt((Ro - Rle) ** 2 / 4 + 169);
  let Idd = 0;
  if (p.Ta > p.mT) {
    const X = lg(p.Ta / p.mT) / lg(2);
    const s6 = 6 * p.sT;
    Idd = 25 * ((1 + X ** s6) ** (1 / s6) - 3 * (1 + (X / 3) ** s6) ** (1 / s6) + 2);
  }
  const Id = Idte + Idle + Idd;

  // §7.5 Effective equipment impairment factor (eq. 7-29).
  const IeEff = p.Ie + ((95 - p.Ie) * p.Ppl) / (p.Ppl / p.BurstR + p.Bpl);

  return { R: Ro - Is - Id - IeEff + p.A, Ro, Is, Id, IeEff, A: p.A };
}

/**
 * Equipment impairment Ie and packet-loss robustness Bpl per codec, on the narrowband (G.107)
 * scale this module computes.
 *  - G.711 (PCMU, PCMA): Ie = 0, Bpl = 4.3 — ITU-T G.113 Appendix I (G.711 without packet-loss
 *    concealment; see the header for why not the 25.1 listed with G.711 Appendix I PLC).
 *  - G.722 (64 kbit/s): G.113 Appendix I is narrowband and lists no G.722; its planning values are
 *    the wideband ones of G.113 Appendix IV (Ie,WB on the 0–129 scale of G.107.1), which do not
 *    transfer to this 0–100 scale. Until the wideband E-model (G.107.1) is implemented, G.722 is
 *    rated like G.711 (Ie = 0, Bpl = 4.3): a waveform codec without concealment in a narrowband
 *    model that cannot credit its extra bandwidth. Provisional; not taken from a G.113 table.
 *  - Opus (RFC 6716; we send ~24 kbit/s SILK wideband, peers may send anything up to full band):
 *    no edition of G.113 we cite lists Opus. Ie = 0: the IETF codec working group's summary of
 *    listening tests (draft-ietf-codec-results; Rämö & Toukomaa, Interspeech 2011, among them) has
 *    wideband Opus at ~20 kbit/s scoring with or above the established wideband codecs, so above
 *    narrowband G.711, and this narrowband scale has nothing below G.711's 0 to give it (the same
 *    limit as for G.722). The value therefore cannot rank Opus against G.711. Bpl = 25.1: every
 *    Opus decoder conceals lost packets (RFC 6716 §4.4, part of the reference decoder), unlike
 *    G.711, whose concealment is optional; 25.1 is G.113 Appendix I's figure for G.711 with its
 *    Appendix I concealment, the nearest listed case of "a good codec plus decoder PLC". In-band
 *    FEC (RFC 7587 §7.1 useinbandfec) is not credited: it depends on the sender's settings, which
 *    the receiver cannot see. Provisional, like G.722's, until G.107.1/G.107.2 values exist here.
 */
export const CODEC_IMPAIRMENT: Readonly<Record<"PCMU" | "PCMA" | "G722" | "OPUS", { ie: number; bpl: number; provisional: boolean }>> = {
  PCMU: { ie: 0, bpl: 4.3, provisional: false },
  PCMA: { ie: 0, bpl: 4.3, provisional: false },
  G722: { ie: 0, bpl: 4.3, provisional: true },
  OPUS: { ie: 0, bpl: 25.1, provisional: true },
};

export interface RFactorInput {
  /** Mouth-to-ear delay estimate in ms (T = Ta = d, Tr = 2d). */
  oneWayDelayMs: number;
  /** Packet loss in % (0–100). */
  packetLossPct: number;
  burstR?: number;
  ie?: number;
  bpl?: number;
}

/** R for a G.711 stream with the given delay and loss, other parameters at G.107 defaults. */
export function rFactor(i: RFactorInput): number {
  const d = Math.max(0, i.oneWayDelayMs);
  return eModel({
    T: d,
    Ta: d,
    Tr: 2 * d,
    Ppl: Math.min(100, Math.max(0, i.packetLossPct)),
    BurstR: i.burstR ?? 1,
    Ie: i.ie ?? 0,
    Bpl: i.bpl ?? 4.3,
  }).R;
}

/** G.107 Annex B (eq. B-4): estimated MOS (conversational quality) from R. */
export function mosFromR(R: number): number {
  if (R < 0) return 1;
  if (R > 100) return 4.5;
  return 1 + 0.035 * R + R * (R - 60) * (100 - R) * 7e-6;
}

/**
 * Mouth-to-ear delay estimate: network one-way (RTT/2), plus jitter-buffer delay, plus
 * codec/packetisation delay (one frame for G.711, which has no look-ahead). The buffer delay is
 * `jitterBufferMs` when a modelled buffer gives one (jitter-buffer.ts), else assumed 2 × jitter,
 * at least one packet.
 */
export function mouthToEarMs(rttMs: number, jitterMs: number, packetMs = 20, jitterBufferMs?: number): number {
  const buffer = jitterBufferMs ?? Math.max(packetMs, 2 * Math.max(0, jitterMs));
  return Math.max(0, rttMs) / 2 + Math.max(0, buffer) + packetMs;
}
