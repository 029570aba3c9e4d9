/**
 * Identifiers: Via branches with the RFC 3261 §8.1.1.7 magic cookie, tags (§19.3) and Call-IDs
 * (§8.1.1.4). A random per-process prefix plus a counter: unique, cheap, no crypto per call.
 */
import { randomBytes } from "node:crypto";
import { randomHex } from "../random-hex.js";
import { MAGIC_COOKIE } from "../transaction/keys.js";

const prefix = randomBytes(6).toString("hex");
let counter = 0;

const next = () => (++counter).toString(36) + randomHex(6);

export const newBranch = () => `${MAGIC_COOKIE}${prefix}${next()}`;
export const newTag = () => `${prefix.slice(0, 6)}${next()}`;
export const newCallId = (host: string) => `${prefix}${next()}@${host}`;
