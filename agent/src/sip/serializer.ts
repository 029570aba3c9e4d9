/**
 * SipMessage → wire text. Content-Length is always (re)computed from the body's UTF-8 byte
 * length (RFC 3261 §20.14), so builders never have to keep it in sync.
 */
import type { SipMessage } from "./message.js";

export function serialize(msg: SipMessage): string {
  let s = msg.type === "request" ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  const h = msg.headers;
  for (let i = 0, n = h.size; i < n; i++) {
    if (h.keyAt(i) === "content-length") continue;
    s += h.nameAt(i) + ": " + h.valueAt(i) + "\r\n";
  }
  const len = msg.body.length === 0 ? 0 : Buffer.byteLength(msg.body, "utf8");
  s += `Content-Length: ${len}\r\n\r\n`;
  return len === 0 ? s : s + msg.body;
}
