/**
 * SipMessage → wire text. Content-Length is always (re)computed from the body's UTF-8 byte
 * length (RFC 3261 §20.14), so builders never have to keep it in sync.
 */
import type { SipMessage } from "./message.js";

export function serialize(msg: SipMessage): string {
  let s = msg.type === "request" ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  for (const [name, value] of msg.headers.entries()) {
    if (name.length === 14 || name.length === 1) {
      const l = name.toLowerCase();
      if (l === "content-length" || l === "l") continue;
    }
    s += `${name}: ${value}\r\n`;
  }
  const len = msg.body.length === 0 ? 0 : Buffer.byteLength(msg.body, "utf8");
  s += `Content-Length: ${len}\r\n\r\n`;
  return len === 0 ? s : s + msg.body;
}
