/**
 * Password hashing for people signing in to the dashboard: PBKDF2-SHA256 via WebCrypto, so the
 * Worker and Node share this module. Stored as `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`.
 *
 * Workers cap PBKDF2 at 100,000 iterations (a larger count throws NotSupportedError), so that is
 * the count we use; it is stored with each hash, so it can be raised later without a migration.
 */
export const PBKDF2_ITERATIONS = 100_000;
/** Bytes of random salt per password. */
export const SALT_BYTES = 16;
/** Bytes of derived key (SHA-256's output size). */
export const HASH_BYTES = 32;
const SCHEME = "pbkdf2-sha256";

const b64 = (b: Uint8Array): string => btoa(String.fromCharCode(...b));
const unb64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, iterations: number, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
}

/** Hash a password with a fresh random salt. */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations, HASH_BYTES);
  return `${SCHEME}$${iterations}$${b64(salt)}$${b64(hash)}`;
}

/** Equal-length byte arrays compared without an early exit (no timing signal about where they differ). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

interface Parsed {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

export function parsePasswordHash(stored: string): Parsed | null {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return null;
  const iterations = Number(parts[1]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return null;
  try {
    const salt = unb64(parts[2]!);
    const hash = unb64(parts[3]!);
    if (salt.length === 0 || hash.length === 0) return null;
    return { iterations, salt, hash };
  } catch {
    return null;
  }
}

/** Whether `password` matches `stored`. A malformed or missing hash never matches. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const p = stored ? parsePasswordHash(stored) : null;
  if (!p) return false;
  return constantTimeEqual(await derive(password, p.salt, p.iterations, p.hash.length), p.hash);
}

/**
 * A stand-in hash for unknown emails: verifying against it costs the same PBKDF2 work as a real
 * one, so a login's timing does not tell whether the email exists.
 */
export const DUMMY_PASSWORD_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$${"A".repeat(22)}==$${"A".repeat(43)}=`;

/** A readable random password for generated accounts (local stack, bootstrap): 20 chars, ~119 bits. */
export function generatePassword(): string {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const out: string[] = [];
  const buf = new Uint8Array(1);
  while (out.length < 20) {
    crypto.getRandomValues(buf);
    // Rejection sampling: 57 letters; reject bytes ≥ 228 (4 × 57) to avoid modulo bias.
    if (buf[0]! < 228) out.push(alphabet[buf[0]! % alphabet.length]!);
  }
  return out.join("");
}
