/**
 * Random hex for identifiers and nonces, drawn from a pooled buffer: one crypto call per ~4 KB
 * of output instead of one per value (a REGISTER needs a branch, and a cnonce per challenge).
 */
import { randomBytes } from "node:crypto";

const POOL_BYTES = 4095;
let pool = randomBytes(POOL_BYTES).toString("hex");
let offset = 0;

/** `chars` random hex characters (at most 2 × POOL_BYTES). */
export function randomHex(chars: number): string {
  if (offset + chars > pool.length) {
    pool = randomBytes(POOL_BYTES).toString("hex");
    offset = 0;
  }
  const s = pool.slice(offset, offset + chars);
  offset += chars;
  return s;
}
