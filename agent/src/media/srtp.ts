/**
 * SRTP keyed by SDES (RFC 4568): the `a=crypto` attribute (format, parse, keys) and a per-call
 * transform that protects outgoing RTP/RTCP and unprotects incoming packets with werift's
 * SrtpSession / SrtcpSession. No cryptography is written here.
 *
 * Suites (RFC 4568 §6.2; AEAD_AES_128_GCM for SDES from RFC 7714):
 *  - AES_CM_128_HMAC_SHA1_80 — werift profile 1 (the default).
 *  - AES_CM_128_HMAC_SHA1_32 — werift has no such profile, but the suite differs from _80 only in the
 *    SRTP tag length (RFC 4568 §6.2.2: SRTP tag 32 bits, SRTCP tag still 80 bits), and RFC 3711 §4.2
 *    defines the n-bit tag as the leftmost n bits of the same HMAC-SHA1. So we run profile 1, cut an
 *    outgoing tag to its first 4 octets, and check an incoming 4-octet tag against the first 4 octets
 *    of the tag werift computes for that packet before handing werift the packet with the full tag.
 *  - AEAD_AES_128_GCM — werift profile 7 (RFC 7714; 16-octet tag, 12-octet salt).
 *
 * Not supported (an `a=crypto` line using them is skipped, so negotiation may fail with a reason):
 * MKI (RFC 4568 §6.1: the MKI would be carried in every packet; werift has none), several keys per
 * line, session parameters other than WSH (UNENCRYPTED_*, UNAUTHENTICATED_SRTP, KDR ≠ 0, FEC_*).
 * werift keeps no replay list, so this transform does (RFC 3711 §3.3.2): a sliding window of
 * REPLAY_WINDOW packet indices (ROC·2^16 + SEQ, the ROC as werift estimated it) per SSRC, updated
 * only after a packet authenticated; a packet at or below the window's left edge, or already
 * marked in it, is dropped and counted in `replayed` (a network duplicate looks the same).
 *
 * Failures never throw out of `unprotect*`: they return null and count in `failures`.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtcpSession, SrtpSession } from "werift";

export const SRTP_SUITES = ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM"] as const;
export type SrtpSuite = (typeof SRTP_SUITES)[number];
/** What we offer when SDES is on and no list is given: _80 first (the most widely supported suite). */
export const DEFAULT_SRTP_SUITES: readonly SrtpSuite[] = SRTP_SUITES;

interface SuiteInfo {
  /** werift protection profile. */
  profile: number;
  keyLength: number;
  saltLength: number;
  /** Octets of SRTP authentication tag on the wire. */
  srtpTag: number;
  /** Octets werift appends (its profile's own tag). */
  weriftTag: number;
}

/** RFC 4568 §6.2.1–6.2.2 (CM, 128-bit key, 112-bit salt) and RFC 7714 (GCM, 96-bit salt). */
const SUITE_INFO: Readonly<Record<SrtpSuite, SuiteInfo>> = {
  AES_CM_128_HMAC_SHA1_80: { profile: ProtectionProfileAes128CmHmacSha1_80, keyLength: 16, saltLength: 14, srtpTag: 10, weriftTag: 10 },
  AES_CM_128_HMAC_SHA1_32: { profile: ProtectionProfileAes128CmHmacSha1_80, keyLength: 16, saltLength: 14, srtpTag: 4, weriftTag: 10 },
  AEAD_AES_128_GCM: { profile: ProtectionProfileAeadAes128Gcm, keyLength: 16, saltLength: 12, srtpTag: 16, weriftTag: 16 },
};

export function isSrtpSuite(s: string): s is SrtpSuite {
  return (SRTP_SUITES as readonly string[]).includes(s);
}

/** One side's master key and salt for a suite. */
export interface SdesKey {
  suite: SrtpSuite;
  key: Buffer;
  salt: Buffer;
}

/** A parsed, usable `a=crypto` attribute. */
export interface CryptoAttribute extends SdesKey {
  /** The tag (RFC 4568 §9.1: 1–9 digits) that the answer must echo. */
  tag: number;
}

/** A fresh random master key and salt (in SDES each side announces the key it sends with). */
export function generateSdesKey(suite: SrtpSuite): SdesKey {
  const i = SUITE_INFO[suite];
  const raw = randomBytes(i.keyLength + i.saltLength);
  return { suite, key: raw.subarray(0, i.keyLength), salt: raw.subarray(i.keyLength) };
}

/** The value of an `a=crypto:` line: `<tag> <suite> inline:<base64(key‖salt)>` (RFC 4568 §9.1). */
export function formatCrypto(tag: number, k: SdesKey): string {
  return `${tag} ${k.suite} inline:${Buffer.concat([k.key, k.salt]).toString("base64")}`;
}

/**
 * Parse the value of an `a=crypto:` line (everything after the colon). Returns null for a line we
 * cannot use (unknown suite, bad key length, MKI, several keys, unsupported session parameters).
 * Never throws.
 */
export function parseCrypto(value: string): CryptoAttribute | null {
  const parts = value.trim().split(/\s+/);
  if (parts.length < 3) return null;
  const [tagText, suite, keyParams, ...sessionParams] = parts as [string, string, string, ...string[]];
  if (!/^\d{1,9}$/.test(tagText) || !isSrtpSuite(suite)) return null;
  // RFC 4568 §9.1: several key-params are separated by ";" — only meaningful with MKIs, unsupported.
  if (keyParams.includes(";")) return null;
  // key-params = "inline:" key-salt ["|" lifetime] ["|" mki ":" mki-length]
  if (!keyParams.startsWith("inline:")) return null;
  const fields = keyParams.slice("inline:".length).split("|");
  const b64 = fields[0] ?? "";
  for (const f of fields.slice(1)) if (f.includes(":")) return null; // MKI:length (§6.1)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  for (const p of sessionParams) {
    // WSH (window size hint, §6.3) is only a hint; anything else changes the transform.
    if (!/^WSH=\d+$/.test(p)) return null;
  }
  const info = SUITE_INFO[suite];
  const raw = Buffer.from(b64, "base64");
  if (raw.length !== info.keyLength + info.saltLength) return null;
  return { tag: Number(tagText), suite, key: raw.subarray(0, info.keyLength), salt: raw.subarray(info.keyLength) };
}

/** RFC 3711 §3.3.2: the replay window must hold at least 64 indices. */
export const REPLAY_WINDOW = 64;
/** SSRCs whose replay state is kept (a bound against a peer cycling SSRCs). */
const MAX_REPLAY_SSRCS = 16;

/** werift's CM cipher exposes the HMAC it uses; typed structurally because the class is not exported. */
interface TagCipher {
  generateSrtpAuthTag(roc: number, ...buffers: Buffer[]): Buffer;
}
interface RocState {
  ssrc: number;
  rolloverCounter: number;
  lastSequenceNumber: number;
  rolloverHasProcessed?: boolean;
}

/**
 * Protect/unprotect for one call: our key encrypts what we send, the peer's key decrypts what we
 * receive (RFC 4568: each side's `a=crypto` carries the key that side sends with).
 */
export class SrtpTransform {
  readonly suite: SrtpSuite;
  private readonly info: SuiteInfo;
  private readonly srtp: SrtpSession;
  private readonly srtcp: SrtcpSession;
  /** Packets that failed authentication or decryption (RTP and RTCP). */
  failures = 0;
  /** Authenticated RTP packets dropped as replays (§3.3.2). */
  replayed = 0;
  /** Per SSRC: highest index accepted, and slot k holds the last accepted index ≡ k (mod window). */
  private readonly replay = new Map<number, { top: number; seen: Float64Array }>();

  constructor(local: SdesKey, remote: SdesKey) {
    if (local.suite !== remote.suite) throw new Error(`SRTP suites differ: ${local.suite} / ${remote.suite}`);
    this.suite = local.suite;
    this.info = SUITE_INFO[local.suite];
    const config = {
      keys: { localMasterKey: local.key, localMasterSalt: local.salt, remoteMasterKey: remote.key, remoteMasterSalt: remote.salt },
      profile: this.info.profile,
    };
    this.srtp = new SrtpSession(config);
    this.srtcp = new SrtcpSession(config);
  }

  /** Extra octets SRTP adds to an RTP packet (its authentication tag). */
  get rtpOverhead(): number {
    return this.info.srtpTag;
  }

  /**
   * Octets SRTCP adds to an RTCP compound: the E flag + SRTCP index word and the SRTCP tag
   * (RFC 3711 §3.4; 80 bits for both CM suites, RFC 4568 §6.2.2; 128 bits for GCM, RFC 7714 §9.2).
   */
  get rtcpOverhead(): number {
    return 4 + this.info.weriftTag;
  }

  /** SRTP packet for the plaintext RTP packet `pkt[0, len)` (RFC 3711 §3.3). */
  protectRtp(pkt: Buffer, len = pkt.length): Buffer {
    const plain = pkt.subarray(0, len);
    const header = RtpHeader.deSerialize(plain);
    const out = this.srtp.encrypt(plain.subarray(header.payloadOffset), header);
    // _32: the leftmost 32 bits of the 80-bit HMAC tag werift appended (RFC 3711 §4.2).
    return this.info.srtpTag < this.info.weriftTag ? out.subarray(0, out.length - (this.info.weriftTag - this.info.srtpTag)) : out;
  }

  /** The plaintext RTP packet, or null (counted) when it does not authenticate or is malformed. */
  unprotectRtp(pkt: Buffer): Buffer | null {
    let plain: Buffer | null = null;
    try {
      const input = this.info.srtpTag < this.info.weriftTag ? this.expandShortTag(pkt) : pkt;
      if (input) plain = this.srtp.decrypt(input);
    } catch {
      /* SrtpAuthenticationError or a parse error: counted below */
    }
    if (!plain) {
      this.failures++;
      return null;
    }
    const ssrc = plain.readUInt32BE(8);
    const state = (this.srtp.remoteContext.srtpSSRCStates as Record<number, RocState | undefined>)[ssrc];
    const index = (state?.rolloverCounter ?? 0) * 65536 + plain.readUInt16BE(2);
    if (!this.acceptIndex(ssrc, index)) {
      this.replayed++;
      return null;
    }
    return plain;
  }

  /**
   * §3.3.2 replay check and window update for an authenticated packet: accepted if newer than the
   * highest index so far, or within REPLAY_WINDOW below it and not seen (its slot does not hold it;
   * a slot can only hold a newer index once this one has left the window).
   */
  private acceptIndex(ssrc: number, index: number): boolean {
    let w = this.replay.get(ssrc);
    if (!w) {
      if (this.replay.size >= MAX_REPLAY_SSRCS) this.replay.delete(this.replay.keys().next().value!);
      w = { top: index, seen: new Float64Array(REPLAY_WINDOW).fill(Number.NaN) };
      this.replay.set(ssrc, w);
    } else if (index <= w.top - REPLAY_WINDOW) return false; // too old to tell: treated as a replay
    const slot = index % REPLAY_WINDOW;
    if (w.seen[slot] === index) return false;
    w.seen[slot] = index;
    if (index > w.top) w.top = index;
    return true;
  }

  /** SRTCP compound for a plaintext RTCP compound (RFC 3711 §3.4; E flag set, 80-bit or GCM tag). */
  protectRtcp(pkt: Buffer): Buffer {
    return this.srtcp.encrypt(pkt);
  }

  unprotectRtcp(pkt: Buffer): Buffer | null {
    try {
      return this.srtcp.decrypt(pkt);
    } catch {
      this.failures++;
      return null;
    }
  }

  /**
   * For _32: verify the 4-octet tag against the leftmost 4 octets of werift's HMAC for this packet
   * and return the packet with werift's full 10-octet tag (which werift then verifies and decrypts),
   * or null when it does not match. The rollover counter is guessed on a copy of werift's state,
   * exactly as its decryptRtp does (RFC 3711 §3.3.1), so a rejected packet changes nothing.
   */
  private expandShortTag(pkt: Buffer): Buffer | null {
    const tagLen = this.info.srtpTag;
    if (pkt.length < 12 + tagLen) return null;
    const body = pkt.subarray(0, pkt.length - tagLen);
    const ctx = this.srtp.remoteContext;
    const ssrc = body.readUInt32BE(8);
    const seq = body.readUInt16BE(2);
    const existing = (ctx.srtpSSRCStates as Record<number, RocState | undefined>)[ssrc];
    const state: RocState = existing ? { ...existing } : { ssrc, rolloverCounter: 0, lastSequenceNumber: 0 };
    ctx.updateRolloverCount(seq, state);
    const full = (ctx.cipher as unknown as TagCipher).generateSrtpAuthTag(state.rolloverCounter, body);
    if (!timingSafeEqual(full.subarray(0, tagLen), pkt.subarray(pkt.length - tagLen))) return null;
    return Buffer.concat([body, full]);
  }
}
