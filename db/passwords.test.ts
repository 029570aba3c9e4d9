import { describe, expect, it } from "vitest";
import { DUMMY_PASSWORD_HASH, PBKDF2_ITERATIONS, constantTimeEqual, generatePassword, hashPassword, parsePasswordHash, verifyPassword } from "./passwords.js";

describe("password hashing (PBKDF2-SHA256)", () => {
  it("stores scheme, 100,000 iterations, a 16-byte salt and a 32-byte hash", async () => {
    const h = await hashPassword("correct horse");
    const [scheme, iter, salt, hash] = h.split("$");
    expect(scheme).toBe("pbkdf2-sha256");
    expect(Number(iter)).toBe(PBKDF2_ITERATIONS);
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    expect(atob(salt!).length).toBe(16);
    expect(atob(hash!).length).toBe(32);
  });
  it("verifies the right password and rejects a wrong one", async () => {
    const h = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", h)).toBe(true);
    expect(await verifyPassword("correct hors", h)).toBe(false);
    expect(await verifyPassword("", h)).toBe(false);
  });
  it("salts: the same password hashes differently twice", async () => {
    expect(await hashPassword("x")).not.toBe(await hashPassword("x"));
  });
  it("matches the RFC 7914 §11 PBKDF2-HMAC-SHA256 vector (first 8 bytes)", async () => {
    // RFC 7914 test vector: P="passwd", S="salt", c=1, dkLen=64 → 55 ac 04 6e 56 e3 08 9f …
    const stored = `pbkdf2-sha256$1$${btoa("salt")}$${btoa(String.fromCharCode(0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f))}`;
    expect(await verifyPassword("passwd", stored)).toBe(true);
    expect(await verifyPassword("passwe", stored)).toBe(false);
  });
  it("never matches malformed, missing or over-cap hashes", async () => {
    for (const bad of [null, undefined, "", "plain", "bcrypt$10$x$y", "pbkdf2-sha256$abc$AA==$AA==", "pbkdf2-sha256$200000$AA==$AA==", "pbkdf2-sha256$1$!!$AA=="])
      expect(await verifyPassword("x", bad)).toBe(false);
    expect(parsePasswordHash(DUMMY_PASSWORD_HASH)).not.toBeNull();
    expect(await verifyPassword("x", DUMMY_PASSWORD_HASH)).toBe(false);
  });
  it("compares in constant time over the whole length", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
  });
  it("generates 20-character passwords from an unambiguous alphabet", () => {
    const a = generatePassword();
    expect(a).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);
    expect(generatePassword()).not.toBe(a);
  });
});
