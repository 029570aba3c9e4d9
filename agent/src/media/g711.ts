/**
 * ITU-T G.711 companding: µ-law (PCMU, RTP PT 0) and A-law (PCMA, RTP PT 8), RFC 3551 §4.5.14.
 *
 * Encoders follow the segment/mantissa construction of G.711 §2 (µ-law: bias 0x84 = 132,
 * clip 32635; A-law: 13-bit magnitude, even bits inverted with 0x55). Decoders return the
 * mid-point of each quantisation interval. All four directions are table driven; the tables are
 * built once at module load (64 KiB per encoder, indexed by the sample's 16-bit two's complement
 * pattern; 256 entries per decoder).
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

/** Reference µ-law encoder for one 16-bit linear sample (G.711 Table 2a). */
function ulawEncodeSlow(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  // Exponent = position of the highest set bit above bit 7 (segment 0..7).
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Reference µ-law decoder (G.711 Table 2a), 16-bit linear output. */
function ulawDecodeSlow(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** Segment end points for A-law on the 13-bit magnitude (G.711 Table 1a). */
const ALAW_SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

/** Reference A-law encoder for one 16-bit linear sample (G.711 Table 1a). */
function alawEncodeSlow(sample: number): number {
  let v = sample >> 3; // 13-bit
  let mask: number;
  if (v >= 0) {
    mask = 0xd5; // sign bit set, even bits inverted
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  let seg = 0;
  while (seg < 8 && v > ALAW_SEG_END[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return aval ^ mask;
}

/** Reference A-law decoder (G.711 Table 1a), 16-bit linear output. */
function alawDecodeSlow(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

const ULAW_ENC = new Uint8Array(65536);
const ALAW_ENC = new Uint8Array(65536);
const ULAW_DEC = new Int16Array(256);
const ALAW_DEC = new Int16Array(256);
for (let i = 0; i < 65536; i++) {
  const s = i >= 32768 ? i - 65536 : i;
  ULAW_ENC[i] = ulawEncodeSlow(s);
  ALAW_ENC[i] = alawEncodeSlow(s);
}
for (let c = 0; c < 256; c++) {
  ULAW_DEC[c] = ulawDecodeSlow(c);
  ALAW_DEC[c] = alawDecodeSlow(c);
}

/** µ-law code of one 16-bit sample (values outside int16 are wrapped to 16 bits, as a cast would). */
export function ulawEncode(sample: number): number {
  return ULAW_ENC[sample & 0xffff]!;
}
export function ulawDecode(code: number): number {
  return ULAW_DEC[code & 0xff]!;
}
export function alawEncode(sample: number): number {
  return ALAW_ENC[sample & 0xffff]!;
}
export function alawDecode(code: number): number {
  return ALAW_DEC[code & 0xff]!;
}

export type G711Law = "ulaw" | "alaw";

/** Encode `pcm` into `out` (same length or longer); returns `out`. No allocation when `out` is given. */
export function encodeG711(law: G711Law, pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  const table = law === "ulaw" ? ULAW_ENC : ALAW_ENC;
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

/** Decode `codes` into `out`; returns `out`. */
export function decodeG711(law: G711Law, codes: Uint8Array, out: Int16Array = new Int16Array(codes.length)): Int16Array {
  const table = law === "ulaw" ? ULAW_DEC : ALAW_DEC;
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]!]!;
  return out;
}
