import { describe, expect, it } from "vitest";
import { formatCrypto, generateSdesKey, parseCrypto, SrtpTransform, type SdesKey } from "./srtp.js";

// Known-answer vectors of libsrtp's test/srtp_driver.c (also used by webrtc-rs/srtp): master key
// E1F97A0D…, salt 0EC675AD…, SSRC 0xcafebabe, seq 0x1234, ROC 0.
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const KEY = hex("e1f97a0d3e018be0d64fa32c06de4139");
const SALT = hex("0ec675ad498afeebb6960b3aabe6");
const RTP_PLAIN = hex("800f1234decafbadcafebabe" + "ab".repeat(16));
const SRTP_80 = hex("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb");
const SRTP_32 = hex("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc");
const RTCP_PLAIN = hex("81c8000bcafebabe" + "ab".repeat(16));
const SRTCP_80 = hex("81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798");

const k = (suite: SdesKey["suite"]): SdesKey => ({ suite, key: KEY, salt: SALT });

describe("SrtpTransform (werift) against libsrtp vectors", () => {
  it("AES_CM_128_HMAC_SHA1_80 protects and unprotects RTP and RTCP", () => {
    const t = new SrtpTransform(k("AES_CM_128_HMAC_SHA1_80"), k("AES_CM_128_HMAC_SHA1_80"));
    expect(t.protectRtp(RTP_PLAIN).toString("hex")).toBe(SRTP_80.toString("hex"));
    expect(t.protectRtcp(RTCP_PLAIN).toString("hex")).toBe(SRTCP_80.toString("hex"));
    const r = new SrtpTransform(k("AES_CM_128_HMAC_SHA1_80"), k("AES_CM_128_HMAC_SHA1_80"));
    expect(r.unprotectRtp(SRTP_80)?.toString("hex")).toBe(RTP_PLAIN.toString("hex"));
    expect(r.unprotectRtcp(SRTCP_80)?.toString("hex")).toBe(RTCP_PLAIN.toString("hex"));
    expect(r.failures).toBe(0);
  });

  it("AES_CM_128_HMAC_SHA1_32: 4-octet tag = leftmost 32 bits of the _80 tag (RFC 3711 §4.2)", () => {
    const t = new SrtpTransform(k("AES_CM_128_HMAC_SHA1_32"), k("AES_CM_128_HMAC_SHA1_32"));
    expect(t.rtpOverhead).toBe(4);
    expect(t.protectRtp(RTP_PLAIN).toString("hex")).toBe(SRTP_32.toString("hex"));
    const r = new SrtpTransform(k("AES_CM_128_HMAC_SHA1_32"), k("AES_CM_128_HMAC_SHA1_32"));
    const bad = Buffer.from(SRTP_32);
    bad[bad.length - 1]! ^= 1;
    expect(r.unprotectRtp(bad)).toBeNull(); // rejected without disturbing the ROC state
    expect(r.unprotectRtp(SRTP_32)?.toString("hex")).toBe(RTP_PLAIN.toString("hex"));
    expect(r.failures).toBe(1);
  });

  it("AEAD_AES_128_GCM round-trips; tampering, truncation and junk count as failures", () => {
    const a = generateSdesKey("AEAD_AES_128_GCM");
    const b = generateSdesKey("AEAD_AES_128_GCM");
    expect(a.salt.length).toBe(12);
    const tx = new SrtpTransform(a, b);
    const rx = new SrtpTransform(b, a);
    const wire = tx.protectRtp(RTP_PLAIN);
    expect(wire.length).toBe(RTP_PLAIN.length + 16);
    expect(wire.subarray(12, 28).equals(RTP_PLAIN.subarray(12))).toBe(false);
    expect(rx.unprotectRtp(wire)?.equals(RTP_PLAIN)).toBe(true);
    expect(rx.unprotectRtcp(tx.protectRtcp(RTCP_PLAIN))?.equals(RTCP_PLAIN)).toBe(true);
    const tampered = Buffer.from(tx.protectRtp(RTP_PLAIN));
    tampered[20]! ^= 0x40;
    for (const junk of [tampered, Buffer.alloc(0), Buffer.from([0x80, 0]), Buffer.alloc(40, 0xff), wire.subarray(0, 20)]) {
      expect(rx.unprotectRtp(junk)).toBeNull();
      expect(rx.unprotectRtcp(junk)).toBeNull();
    }
    expect(rx.failures).toBe(10);
  });

  it("a wrong key fails authentication, not with an exception", () => {
    const tx = new SrtpTransform(generateSdesKey("AES_CM_128_HMAC_SHA1_80"), generateSdesKey("AES_CM_128_HMAC_SHA1_80"));
    const rx = new SrtpTransform(generateSdesKey("AES_CM_128_HMAC_SHA1_80"), generateSdesKey("AES_CM_128_HMAC_SHA1_80"));
    expect(rx.unprotectRtp(tx.protectRtp(RTP_PLAIN))).toBeNull();
    expect(rx.failures).toBe(1);
  });
});

describe("a=crypto (RFC 4568 §9.1)", () => {
  it("formats and parses inline keys", () => {
    const key = k("AES_CM_128_HMAC_SHA1_80");
    const line = formatCrypto(1, key);
    expect(line).toBe("1 AES_CM_128_HMAC_SHA1_80 inline:4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqvm");
    expect(parseCrypto(line)).toEqual({ tag: 1, ...key });
    expect(parseCrypto("2 AES_CM_128_HMAC_SHA1_32 inline:4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqvm|2^31 WSH=64")).toMatchObject({ tag: 2, suite: "AES_CM_128_HMAC_SHA1_32" });
  });
  it("rejects what we cannot honour", () => {
    const b64 = "4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqvm";
    for (const bad of [
      `1 AES_256_CM_HMAC_SHA1_80 inline:${b64}`, // suite
      `1 AES_CM_128_HMAC_SHA1_80 inline:${b64}|2^20|1:4`, // MKI
      `1 AES_CM_128_HMAC_SHA1_80 inline:${b64};inline:${b64}`, // several keys
      `1 AES_CM_128_HMAC_SHA1_80 inline:${b64} UNENCRYPTED_SRTP`,
      `1 AEAD_AES_128_GCM inline:${b64}`, // 30 octets, GCM needs 28
      `x AES_CM_128_HMAC_SHA1_80 inline:${b64}`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:!!!`,
      "",
    ])
      expect(parseCrypto(bad)).toBeNull();
  });
});

describe("replay protection (RFC 3711 §3.3.2)", () => {
  const packet = (seq: number) => {
    const b = Buffer.from(RTP_PLAIN);
    b.writeUInt16BE(seq, 2);
    return b;
  };
  it("drops an authenticated packet seen before, and one older than the 64-packet window", () => {
    const a = generateSdesKey("AES_CM_128_HMAC_SHA1_80");
    const b = generateSdesKey("AES_CM_128_HMAC_SHA1_80");
    const tx = new SrtpTransform(a, b);
    const rx = new SrtpTransform(b, a);
    const wire = Array.from({ length: 200 }, (_, i) => tx.protectRtp(packet(65500 + i >= 65536 ? i - 36 : 65500 + i))); // crosses the wrap
    expect(rx.unprotectRtp(wire[0]!)).not.toBeNull();
    expect(rx.unprotectRtp(wire[2]!)).not.toBeNull();
    expect(rx.unprotectRtp(wire[1]!)).not.toBeNull(); // reordered, inside the window: fine
    expect(rx.unprotectRtp(wire[2]!)).toBeNull(); // replay
    for (let i = 3; i < 150; i++) expect(rx.unprotectRtp(wire[i]!)).not.toBeNull(); // across seq 65535 → 0 (ROC 1)
    expect(rx.unprotectRtp(wire[149]!)).toBeNull(); // replay after the wrap
    expect(rx.unprotectRtp(wire[60]!)).toBeNull(); // 89 behind: outside the window
    expect(rx.unprotectRtp(wire[100]!)).toBeNull(); // inside the window, already seen
    expect(rx.replayed).toBe(4);
    expect(rx.failures).toBe(0);
  });
});
