/**
 * Header field names: compact forms (RFC 3261 §7.3.3 and later RFCs' registrations) expanded,
 * lookup keys lower-cased long names, and the canonical spelling used when we serialise.
 */
const COMPACT: Record<string, string> = {
  i: "call-id", m: "contact", v: "via", f: "from", t: "to", l: "content-length", c: "content-type",
  k: "supported", s: "subject", e: "content-encoding", o: "event", r: "refer-to", b: "referred-by",
  u: "allow-events", x: "session-expires", a: "accept-contact", j: "reject-contact", d: "request-disposition",
  y: "identity", n: "identity-info",
};

const CANONICAL: Record<string, string> = {
  "call-id": "Call-ID", cseq: "CSeq", "www-authenticate": "WWW-Authenticate", "mime-version": "MIME-Version",
  "rack": "RAck", "rseq": "RSeq",
};

/**
 * Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1): their values may be split
 * on commas outside quotes and <>. Authorization-type headers are deliberately absent: their
 * commas separate auth-params of one value.
 */
const LIST_HEADERS = new Set([
  "via", "contact", "route", "record-route", "allow", "supported", "require", "proxy-require", "unsupported",
  "accept", "accept-encoding", "accept-language", "content-encoding", "allow-events", "call-info", "alert-info",
  "error-info", "in-reply-to", "path", "service-route", "p-asserted-identity", "reason", "accept-contact",
  "reject-contact", "request-disposition", "history-info",
]);

/** Headers that may appear at most once (RFC 3261 §7.3 / §20); a repeat makes the message invalid (RFC 4475 §3.3.8-3.3.9). */
export const SINGLE_HEADERS = ["call-id", "cseq", "from", "to", "max-forwards", "content-length", "content-type"] as const;

/** Names as written repeat across messages ("Via", "CSeq"…): remember their keys. Bounded against junk. */
const keyCache = new Map<string, string>();

/** Lower-cased long name of a (possibly compact, any-case) header name. */
export function headerKey(name: string): string {
  const hit = keyCache.get(name);
  if (hit !== undefined) return hit;
  const lower = name.toLowerCase();
  const key = lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
  if (keyCache.size < 4096) keyCache.set(name, key);
  return key;
}

/** The spelling we emit for a key: "content-length" → "Content-Length". */
export function canonicalName(key: string): string {
  const c = CANONICAL[key];
  if (c) return c;
  let out = "";
  let up = true;
  for (let i = 0; i < key.length; i++) {
    const ch = key[i];
    out += up ? ch.toUpperCase() : ch;
    up = ch === "-";
  }
  return out;
}

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}
