/**
 * ITU-T G.722 (09/2012) 7 kHz audio coding within 64 kbit/s: sub-band ADPCM, 64 kbit/s mode
 * (mode 1: 6 bits for the lower sub-band, 2 for the higher), in the integer arithmetic of the
 * Recommendation's computational details, block by block under its block names (encoder and
 * decoder principles in its clauses 3 and 4, computational details after them; table and clause
 * numbers are not repeated below, the block names are the stable reference):
 *
 *  - Transmit QMF: 24-tap quadrature mirror filter pair splits the 16 kHz input into a lower
 *    and a higher sub-band at 8 kHz each (coefficients h0…h11, the other twelve by symmetry).
 *  - Lower sub-band ADPCM: SUBTRA, QUANTL (60-level quantiser, 6 bits), INVQAL (the
 *    4-bit "core" inverse quantiser feeding the predictor, so 56/48 kbit/s decoders stay in step),
 *    LOGSCL/SCALEL (log-domain scale factor), and block 4 (adaptive predictor: two poles, six zeros;
 *    RECONS, PARREC, UPPOL1/2, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC).
 *  - Higher sub-band ADPCM: SUBTRA, QUANTH (4 levels, 2 bits), INVQAH, LOGSCH/SCALEH,
 *    block 4.
 *  - Decoder: INVQBL (6-bit inverse quantiser for the output), RECONS and LIMIT per band, the
 *    same adaptation as the encoder, receive QMF.
 *
 * A code octet is `ihigh << 6 | ilow` (I_H in the two most significant bits), and
 * RTP carries the octets in order (RFC 3551 §4.5.2). Two input samples (16 kHz) make one octet; a
 * 20 ms frame is 320 samples → 160 octets, and the RTP clock runs at 8000 Hz although the audio is
 * sampled at 16000 Hz (RFC 3551 §4.5.2: an error in RFC 1890, kept for compatibility).
 *
 * Samples are 16-bit; the codec works on 14 bits (the Recommendation's input range), so the
 * encoder shifts the QMF output down and the decoder's output saturates to 16 bits.
 */

/** RTP clock rate of G.722 (RFC 3551 §4.5.2) and its real sampling rate. */
export const G722_CLOCK_RATE = 8000;
export const G722_SAMPLE_RATE = 16000;

/** QMF coefficients h0…h11 (the other 12 by symmetry), as scaled integers. */
const QMF = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];

/** QUANTL decision levels (×det/4096), for magnitude classes 1…29. */
const Q6 = [0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0];
/** 6-bit lower-band codes for negative / positive differences by magnitude class. */
const ILN = [0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0];
const ILP = [0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0];
/** Log scale factor multipliers W_L for the 4-bit core and its code mapping RIL → index. */
const WL = [-60, -30, 58, 172, 334, 538, 1198, 3042];
const RL42 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
/** Inverse log base-2 table for SCALEL/SCALEH. */
const ILB = [
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
  3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];
/** 4-bit core inverse quantiser outputs QQ4. */
const QM4 = [0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0];
/** 6-bit inverse quantiser outputs QQ6 for the decoder's output in mode 1. */
const QM6 = [
  -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944,
  -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576,
  7856, 7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
];
/** Higher band: QUANTH codes, QQ2 outputs, W_H multipliers and mapping. */
const IHN = [0, 1, 0];
const IHP = [0, 3, 2];
const QM2 = [-7408, -1616, 7408, 1616];
const WH = [0, -214, 798];
const RH2 = [2, 1, 2, 1];

const sat16 = (x: number): number => (x > 32767 ? 32767 : x < -32768 ? -32768 : x);

/** The state of one sub-band's adaptive predictor and scale factor. */
class Band {
  /** Predictor output s, zero-section output sz, pole-section output sp. */
  s = 0;
  sz = 0;
  sp = 0;
  /** Log scale factor nb and linear scale factor det. */
  nb = 0;
  det: number;
  /** Reconstructed signals r, partial reconstructed p, quantised differences d (index 0 = newest). */
  readonly r = [0, 0, 0];
  readonly p = [0, 0, 0];
  readonly d = [0, 0, 0, 0, 0, 0, 0];
  /** Pole coefficients a1, a2 and zero coefficients b1…b6 (index 0 unused). */
  readonly a = [0, 0, 0];
  readonly b = [0, 0, 0, 0, 0, 0, 0];
  private readonly ap = [0, 0, 0];
  private readonly bp = [0, 0, 0, 0, 0, 0, 0];

  constructor(det: number) {
    this.det = det;
  }

  /** LOGSCL/LOGSCH then SCALEL/SCALEH: `limit` 18432 / 22528, `shift` 8 / 10. */
  scale(w: number, limit: number, shift: number): void {
    let nb = ((this.nb * 127) >> 7) + w;
    if (nb < 0) nb = 0;
    else if (nb > limit) nb = limit;
    this.nb = nb;
    const wd1 = (nb >> 6) & 31;
    const wd2 = shift - (nb >> 11);
    const wd3 = wd2 < 0 ? ILB[wd1]! << -wd2 : ILB[wd1]! >> wd2;
    this.det = wd3 << 2;
  }

  /** Block 4: reconstruct, adapt the predictor with difference `d`, predict the next sample. */
  adapt(dq: number): void {
    const { r, p, d, a, b, ap, bp } = this;
    // RECONS, PARREC
    d[0] = dq;
    r[0] = sat16(this.s + dq);
    p[0] = sat16(this.sz + dq);
    // UPPOL2: a2 update (sign agreements of p(n), p(n−1), p(n−2)).
    const sg0 = p[0]! >> 15;
    const sg1 = p[1]! >> 15;
    const sg2 = p[2]! >> 15;
    const wd1 = sat16(a[1]! << 2);
    let wd2 = sg0 === sg1 ? -wd1 : wd1;
    if (wd2 > 32767) wd2 = 32767;
    let wd3 = (wd2 >> 7) + (sg0 === sg2 ? 128 : -128);
    wd3 += (a[2]! * 32512) >> 15;
    ap[2] = wd3 > 12288 ? 12288 : wd3 < -12288 ? -12288 : wd3;
    // UPPOL1: a1 update, limited by 15360 − a2 for stability.
    ap[1] = sat16((sg0 === sg1 ? 192 : -192) + ((a[1]! * 32640) >> 15));
    const lim = sat16(15360 - ap[2]!);
    if (ap[1]! > lim) ap[1] = lim;
    else if (ap[1]! < -lim) ap[1] = -lim;
    // UPZERO: b1…b6 sign-sign update with leakage.
    const step = dq === 0 ? 0 : 128;
    const sgd = dq >> 15;
    for (let i = 1; i < 7; i++) {
      const w = (d[i]! >> 15) === sgd ? step : -step;
      bp[i] = sat16(w + ((b[i]! * 32640) >> 15));
    }
    // DELAYA
    for (let i = 6; i > 0; i--) {
      d[i] = d[i - 1]!;
      b[i] = bp[i]!;
    }
    for (let i = 2; i > 0; i--) {
      r[i] = r[i - 1]!;
      p[i] = p[i - 1]!;
      a[i] = ap[i]!;
    }
    // FILTEP: pole section on r(n−1), r(n−2).
    const f1 = (a[1]! * sat16(r[1]! + r[1]!)) >> 15;
    const f2 = (a[2]! * sat16(r[2]! + r[2]!)) >> 15;
    this.sp = sat16(f1 + f2);
    // FILTEZ: zero section on d(n−1)…d(n−6).
    let sz = 0;
    for (let i = 6; i > 0; i--) sz += (b[i]! * sat16(d[i]! + d[i]!)) >> 15;
    this.sz = sat16(sz);
    // PREDIC
    this.s = sat16(this.sp + this.sz);
  }
}

/** G.722 encoder, 64 kbit/s. Keeps state across calls (one per stream). */
export class G722Encoder {
  private readonly low = new Band(32);
  private readonly high = new Band(8);
  /** Transmit QMF delay line (24 samples). */
  private readonly x = new Int32Array(24);

  /**
   * Encode 16 kHz samples (an even count; an odd last sample is ignored) into one octet per pair.
   * Returns `out` (allocated when absent) holding `floor(pcm.length / 2)` octets.
   */
  encode(pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length >> 1)): Uint8Array {
    const x = this.x;
    const lo = this.low;
    const hi = this.high;
    const n = Math.min(pcm.length >> 1, out.length);
    for (let j = 0; j < n; j++) {
      // Transmit QMF: shift two samples in, keep every other output.
      x.copyWithin(0, 2);
      x[22] = pcm[2 * j]!;
      x[23] = pcm[2 * j + 1]!;
      let sumOdd = 0;
      let sumEven = 0;
      for (let i = 0; i < 12; i++) {
        sumOdd += x[2 * i]! * QMF[i]!;
        sumEven += x[2 * i + 1]! * QMF[11 - i]!;
      }
      const xlow = (sumEven + sumOdd) >> 14;
      const xhigh = (sumEven - sumOdd) >> 14;

      // Lower band. SUBTRA, QUANTL: find the magnitude class of el against det.
      const el = sat16(xlow - lo.s);
      const wdl = el >= 0 ? el : -(el + 1);
      let i = 1;
      for (; i < 30; i++) if (wdl < (Q6[i]! * lo.det) >> 12) break;
      const ilow = el < 0 ? ILN[i]! : ILP[i]!;
      // INVQAL with the 4-bit core (ilow >> 2), LOGSCL/SCALEL, block 4.
      const ril = ilow >> 2;
      const dlow = (lo.det * QM4[ril]!) >> 15;
      lo.scale(WL[RL42[ril]!]!, 18432, 8);
      lo.adapt(dlow);

      // Higher band. SUBTRA, QUANTH: two magnitude classes split at 564·det/4096.
      const eh = sat16(xhigh - hi.s);
      const wdh = eh >= 0 ? eh : -(eh + 1);
      const mih = wdh >= (564 * hi.det) >> 12 ? 2 : 1;
      const ihigh = eh < 0 ? IHN[mih]! : IHP[mih]!;
      const dhigh = (hi.det * QM2[ihigh]!) >> 15;
      hi.scale(WH[RH2[ihigh]!]!, 22528, 10);
      hi.adapt(dhigh);

      out[j] = ((ihigh << 6) | ilow) & 0xff;
    }
    return out;
  }
}

/** G.722 decoder, 64 kbit/s (mode 1). Keeps state across calls (one per stream). */
export class G722Decoder {
  private readonly low = new Band(32);
  private readonly high = new Band(8);
  /** Receive QMF delay line (24 samples). */
  private readonly x = new Int32Array(24);

  /** Decode octets into two 16 kHz samples each. Returns `out` (allocated when absent). */
  decode(codes: Uint8Array, out: Int16Array = new Int16Array(codes.length * 2)): Int16Array {
    const x = this.x;
    const lo = this.low;
    const hi = this.high;
    const n = Math.min(codes.length, out.length >> 1);
    for (let j = 0; j < n; j++) {
      const code = codes[j]!;
      const ilow = code & 0x3f;
      const ihigh = (code >> 6) & 0x03;

      // Lower band. INVQBL (6 bits) for the output, RECONS, LIMIT.
      let rlow = lo.s + ((lo.det * QM6[ilow]!) >> 15);
      if (rlow > 16383) rlow = 16383;
      else if (rlow < -16384) rlow = -16384;
      // INVQAL (4-bit core) for the predictor, exactly as the encoder did.
      const ril = ilow >> 2;
      const dlow = (lo.det * QM4[ril]!) >> 15;
      lo.scale(WL[RL42[ril]!]!, 18432, 8);
      lo.adapt(dlow);

      // Higher band. INVQAH, RECONS, LIMIT.
      const dhigh = (hi.det * QM2[ihigh]!) >> 15;
      let rhigh = dhigh + hi.s;
      if (rhigh > 16383) rhigh = 16383;
      else if (rhigh < -16384) rhigh = -16384;
      hi.scale(WH[RH2[ihigh]!]!, 22528, 10);
      hi.adapt(dhigh);

      // Receive QMF: two output samples per pair of sub-band samples.
      x.copyWithin(0, 2);
      x[22] = rlow + rhigh;
      x[23] = rlow - rhigh;
      let out1 = 0;
      let out2 = 0;
      for (let i = 0; i < 12; i++) {
        out2 += x[2 * i]! * QMF[i]!;
        out1 += x[2 * i + 1]! * QMF[11 - i]!;
      }
      out[2 * j] = sat16(out1 >> 11);
      out[2 * j + 1] = sat16(out2 >> 11);
    }
    return out;
  }
}
