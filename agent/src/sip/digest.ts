/**
 * HTTP Digest for SIP (RFC 3261 §22.4 on RFC 2617; SHA-256 per RFC 8760 / RFC 7616):
 * client credentials for a 401 (Authorization) or 407 (Proxy-Authorization) challenge, with
 * qop=auth (cnonce + nonce-count) or without qop, and server-side challenge/verification.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { randomHex } from "./random-hex.js";
import { parseAuth } from "./header-values.js";

export type DigestAlgorithm = "MD5" | "SHA-256";

export interface Challenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  algorithm: DigestAlgorithm;
  /** "auth" when offered (we do not implement auth-int), else null (RFC 2069 compatibility). */
  qop: "auth" | null;
  stale: boolean;
}

/** Bun's one-call hashers (no hasher object per hash: about a fifth of createHash's cost there). */
interface BunHashers {
  MD5: { hash(s: string, enc: "hex"): string };
  SHA256: { hash(s: string, enc: "hex"): string };
}
const bunHash = (globalThis as { Bun?: Partial<BunHashers> }).Bun;
const bunMd5 = bunHash?.MD5, bunSha256 = bunHash?.SHA256;

/** H(s) as lower-case hex of the UTF-8 bytes of `s` (RFC 2617 §3.2.1, RFC 7616 §3.4.1). */
const hash =
  bunMd5 && bunSha256
    ? (alg: DigestAlgorithm, s: string) => (alg === "MD5" ? bunMd5 : bunSha256).hash(s, "hex")
    : (alg: DigestAlgorithm, s: string) => createHash(alg === "MD5" ? "md5" : "sha256").update(s).digest("hex");

/**
 * HA1 = H(username:realm:password) (RFC 2617 §3.2.2.2) is the same for every request of an
 * account: remember it (bounded) instead of hashing it again per REGISTER / INVITE.
 */
const ha1Cache = new Map<string, string>();
function cachedHa1(alg: DigestAlgorithm, a1: string): string {
  const key = `${alg}\n${a1}`;
  let v = ha1Cache.get(key);
  if (v === undefined) {
    v = hash(alg, a1);
    if (ha1Cache.size >= 10_000) ha1Cache.clear();
    ha1Cache.set(key, v);
  }
  return v;
}

/** Parses one WWW-/Proxy-Authenticate value; null when not a usable Digest challenge. */
export function parseChallenge(value: string): Challenge | null {
  const a = parseAuth(value);
  if (!a || a.scheme.toLowerCase() !== "digest") return null;
  const p = a.params;
  if (p.realm === undefined || p.nonce === undefined) return null;
  const alg = (p.algorithm ?? "MD5").toUpperCase();
  if (alg !== "MD5" && alg !== "SHA-256") return null; // -sess variants and SHA-512-256 unsupported
  let qop: "auth" | null = null;
  if (p.qop !== undefined) {
    if (!p.qop.split(",").some((q) => q.trim().toLowerCase() === "auth")) return null; // auth-int only
    qop = "auth";
  }
  return { realm: p.realm, nonce: p.nonce, opaque: p.opaque ?? null, algorithm: alg, qop, stale: (p.stale ?? "").toLowerCase() === "true" };
}

/**
 * Picks the challenge to answer among several header values: the strongest algorithm we support
 * (RFC 8760 §2.4: SHA-256 before MD5), preferring the configured realm when one is set.
 */
export function pickChallenge(values: string[], realm: string | null): Challenge | null {
  const all = values.map(parseChallenge).filter((c): c is Challenge => c !== null);
  const inRealm = realm ? all.filter((c) => c.realm === realm) : [];
  const pool = inRealm.length > 0 ? inRealm : all;
  return pool.find((c) => c.algorithm === "SHA-256") ?? pool[0] ?? null;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

export interface DigestRequest {
  method: string;
  uri: string;
}

/** Builds the credentials header value (RFC 2617 §3.2.2). `nc` is the nonce count for this nonce (1-based). */
export function digestAuthorization(ch: Challenge, cred: DigestCredentials, req: DigestRequest, nc = 1, cnonce?: string): string {
  const ha1 = cachedHa1(ch.algorithm, `${cred.username}:${ch.realm}:${cred.password}`);
  const ha2 = hash(ch.algorithm, `${req.method}:${req.uri}`);
  // quoted-string (RFC 3261 §25.1): escape \ and " (rare: skip the two regex passes when absent).
  const q = (s: string) => (s.indexOf("\\") < 0 && s.indexOf('"') < 0 ? `"${s}"` : `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);
  let v = `Digest username=${q(cred.username)}, realm=${q(ch.realm)}, nonce=${q(ch.nonce)}, uri=${q(req.uri)}`;
  if (ch.qop === "auth") {
    const cn = cnonce ?? randomHex(16);
    const ncHex = nc.toString(16).padStart(8, "0");
    const response = hash(ch.algorithm, `${ha1}:${ch.nonce}:${ncHex}:${cn}:auth:${ha2}`);
    v += `, response=${q(response)}, algorithm=${ch.algorithm}, cnonce=${q(cn)}, qop=auth, nc=${ncHex}`;
  } else {
    v += `, response=${q(hash(ch.algorithm, `${ha1}:${ch.nonce}:${ha2}`))}, algorithm=${ch.algorithm}`;
  }
  if (ch.opaque !== null) v += `, opaque=${q(ch.opaque)}`;
  return v;
}

// ---- server side (the built-in registrar) ------------------------------------------------------

export interface NonceIssuer {
  /** A fresh nonce: timestamp + HMAC, so no per-nonce state is kept. */
  issue(): string;
  /** "ok", "stale" (well-formed, ours, too old) or "bad". */
  check(nonce: string): "ok" | "stale" | "bad";
}

export function nonceIssuer(lifetimeMs = 300_000, secret: Buffer = randomBytes(16), now: () => number = Date.now): NonceIssuer {
  const mac = (ts: string) => createHmac("sha256", secret).update(ts).digest("base64url").slice(0, 22);
  return {
    issue() {
      const ts = now().toString(36);
      return `${ts}.${mac(ts)}`;
    },
    check(nonce) {
      const dot = nonce.indexOf(".");
      if (dot <= 0) return "bad";
      const ts = nonce.slice(0, dot);
      const a = Buffer.from(nonce.slice(dot + 1));
      const b = Buffer.from(mac(ts));
      if (a.length !== b.length || !timingSafeEqual(a, b)) return "bad";
      return now() - parseInt(ts, 36) > lifetimeMs ? "stale" : "ok";
    },
  };
}

export function challengeHeader(realm: string, nonce: string, opts: { algorithm?: DigestAlgorithm; stale?: boolean; qop?: boolean } = {}): string {
  let v = `Digest realm="${realm}", nonce="${nonce}", algorithm=${opts.algorithm ?? "MD5"}`;
  if (opts.qop !== false) v += `, qop="auth"`;
  if (opts.stale) v += ", stale=true";
  return v;
}

export interface ParsedCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  qop: string | null;
  nc: string | null;
  cnonce: string | null;
}

export function parseCredentials(value: string): ParsedCredentials | null {
  const a = parseAuth(value);
  if (!a || a.scheme.toLowerCase() !== "digest") return null;
  const p = a.params;
  if (!p.username || p.realm === undefined || !p.nonce || !p.uri || !p.response) return null;
  const alg = (p.algorithm ?? "MD5").toUpperCase();
  if (alg !== "MD5" && alg !== "SHA-256") return null;
  return {
    username: p.username, realm: p.realm, nonce: p.nonce, uri: p.uri, response: p.response.toLowerCase(), algorithm: alg,
    qop: p.qop ?? null, nc: p.nc ?? null, cnonce: p.cnonce ?? null,
  };
}

/** Recomputes the expected response for the credentials with the given password (RFC 2617 §3.2.2.1). */
export function verifyDigest(c: ParsedCredentials, method: string, password: string): boolean {
  const ha1 = hash(c.algorithm, `${c.username}:${c.realm}:${password}`);
  const ha2 = hash(c.algorithm, `${method}:${c.uri}`);
  let expected: string;
  if (c.qop !== null) {
    if (c.qop.toLowerCase() !== "auth" || c.nc === null || c.cnonce === null) return false;
    expected = hash(c.algorithm, `${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:${c.qop}:${ha2}`);
  } else expected = hash(c.algorithm, `${ha1}:${c.nonce}:${ha2}`);
  const a = Buffer.from(expected);
  const b = Buffer.from(c.response);
  return a.length === b.length && timingSafeEqual(a, b);
}
