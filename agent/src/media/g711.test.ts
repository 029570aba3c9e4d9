import { describe, expect, it } from "vitest";
import { alawDecode, alawEncode, decodeG711, encodeG711, ulawDecode, ulawEncode } from "./g711.js";

describe("G.711 µ-law", () => {
  it("encodes known values", () => {
    expect(ulawEncode(0)).toBe(0xff);
    expect(ulawEncode(-1)).toBe(0x7f); // negative zero segment
    expect(ulawEncode(32767)).toBe(0x80);
    expect(ulawEncode(-32768)).toBe(0x00);
    expect(ulawEncode(100)).toBe(0xf2); // (100+132)=232 → seg 0, mantissa (232>>3)&15 = 13 → ~0x0d = 0xf2
  });
  it("decodes known values", () => {
    expect(ulawDecode(0xff)).toBe(0);
    expect(ulawDecode(0x7f)).toBe(0);
    expect(ulawDecode(0x80)).toBe(32124);
    expect(ulawDecode(0x00)).toBe(-32124);
  });
  it("round trip error is within half a quantisation step for every int16", () => {
    const bad: number[] = [];
    for (let x = -32768; x <= 32767; x++) {
      const y = ulawDecode(ulawEncode(x));
      const m = Math.min(Math.abs(x), 32635);
      // half step in segment e is 2^(e+2) ≤ (|x|+132)/32; clipping adds |x| − 32635.
      if (Math.abs(y - x) > (m + 132) / 32 + 1 + (Math.abs(x) - m)) bad.push(x);
      if (!(Math.sign(y) === Math.sign(x) || y === 0)) bad.push(x);
    }
    expect(bad).toEqual([]);
  });
  it("decode∘encode is the identity on codes (except the negative zero 0x7f)", () => {
    for (let c = 0; c < 256; c++) if (c !== 0x7f) expect(ulawEncode(ulawDecode(c))).toBe(c);
  });
});

describe("G.711 A-law", () => {
  it("encodes known values", () => {
    expect(alawEncode(0)).toBe(0xd5);
    expect(alawEncode(-1)).toBe(0x55);
    expect(alawEncode(32767)).toBe(0xaa);
    expect(alawEncode(-32768)).toBe(0x2a);
  });
  it("decodes known values", () => {
    expect(alawDecode(0xd5)).toBe(8);
    expect(alawDecode(0x55)).toBe(-8);
    expect(alawDecode(0xaa)).toBe(32256);
    expect(alawDecode(0x2a)).toBe(-32256);
  });
  it("round trip error is within half a step (+8) for every int16", () => {
    const bad: number[] = [];
    for (let x = -32768; x <= 32767; x++) {
      const y = alawDecode(alawEncode(x));
      if (Math.abs(y - x) > Math.abs(x) / 32 + 16) bad.push(x);
    }
    expect(bad).toEqual([]);
  });
  it("decode∘encode is the identity on codes", () => {
    for (let c = 0; c < 256; c++) expect(alawEncode(alawDecode(c))).toBe(c);
  });
});

describe("buffer helpers", () => {
  it("encode/decode arrays into preallocated buffers", () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32767]);
    const out = new Uint8Array(4);
    expect(encodeG711("ulaw", pcm, out)).toBe(out);
    expect([...out]).toEqual([...pcm].map(ulawEncode));
    const back = decodeG711("alaw", encodeG711("alaw", pcm));
    expect(back.length).toBe(4);
    expect(back[0]).toBe(8);
  });
});
