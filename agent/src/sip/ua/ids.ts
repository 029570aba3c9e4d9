/**
 * Identifiers: Via branches with the RFC 3261 §8.1.1.7 magic cookie, tags (§19.3) and Call-IDs
 * (§8.1.1.4). A random per-process prefix plus a counter: unique, cheap, no crypto per call.
 */
import { randomBytes } from "node:crypto";
import { MAGIC_COOKIE } from "../transaction/keys.js";

const prefix = randomBytes(6).toString("hex");
let counter = 0;

/** Random hex drawn from a pooled buffer: one crypto call per 1,365 ids instead of one per id. */
const POOL_BYTES = 4095;
let pool = randomBytes(POOL_BYTES).toString("hex");
let offset = 0;
function randomHex6(): string {
  if (offset + 6 > pool.length) {
    pool = randomBytes(POOL_BYTES).toString("hex");
    offset = 0;
  }
  const s = pool.slice(offset, offset + 6);
  offset += 6;
  return s;
}

const next = () => (++counter).toString(36) + randomHex6();

export const newBranch = () => `${MAGIC_COOKIE}${prefix}${next()}`;
export const newTag = () => `${prefix.slice(0, 6)}${next()}`;
export const newCallId = (host: string) => `${prefix}${next()}@${host}`;
