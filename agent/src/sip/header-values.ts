/**
 * Parsers for the structured header values a SIP endpoint needs (RFC 3261 §20 and §25.1):
 * comma-list splitting, generic params, name-addr / addr-spec, Via, CSeq, Contact, and the
 * digest challenge / credentials syntax (RFC 2617 §3.2, RFC 8760). Each returns null when the
 * value is malformed; none throws.
 */
const isWs = (c: number) => c === 0x20 || c === 0x09;
/** token characters of RFC 3261 §25.1: alphanumerics and -.!%*_+`'~ (a table: this runs per header). */
const TOKEN = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** Splits a list header value on commas outside "quoted strings" and <angle brackets>; null on an unbalanced quote. */
export function splitList(value: string): string[] | null {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c) i++; // quoted-pair
      else if (c === 0x22) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x3c) inAngle = true;
    else if (c === 0x3e) inAngle = false;
    else if (c === 0x2c && !inAngle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inQuote) return null;
  out.push(value.slice(start).trim());
  return out;
}

export type Params = Record<string, string | null>;

/**
 * Generic header params: `;name[=value]` repeated, LWS allowed around ';' and '=' (RFC 3261 §25.1).
 * Values may be quoted strings (kept with quotes unescaped off). Empty params (";;") are invalid
 * (RFC 4475 §3.1.2.1).
 */
export function parseParams(s: string, from = 0): Params | null {
  const params: Params = {};
  let i = from;
  const n = s.length;
  while (i < n) {
    while (i < n && isWs(s.charCodeAt(i))) i++;
    if (i >= n) break;
    if (s.charCodeAt(i) !== 0x3b) return null;
    i++;
    while (i < n && isWs(s.charCodeAt(i))) i++;
    let j = i;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c === 0x3d || c === 0x3b || isWs(c)) break;
      j++;
    }
    let name = knownParam(s, i, j);
    if (name === undefined) {
      name = s.slice(i, j);
      if (!isToken(name)) return null;
      name = name.toLowerCase();
    }
    i = j;
    while (i < n && isWs(s.charCodeAt(i))) i++;
    let value: string | null = null;
    if (i < n && s.charCodeAt(i) === 0x3d) {
      i++;
      while (i < n && isWs(s.charCodeAt(i))) i++;
      if (i < n && s.charCodeAt(i) === 0x22) {
        const end = quotedEnd(s, i);
        if (end < 0) return null;
        value = s.slice(i, end + 1);
        i = end + 1;
      } else {
        j = i;
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c === 0x3b || isWs(c)) break;
          j++;
        }
        value = s.slice(i, j);
        if (value.length === 0) return null;
        i = j;
      }
    }
    params[name] = value;
  }
  return params;
}

/**
 * The params every Via / From / To / Contact carries (RFC 3261 §20.42, §19.3, RFC 3581), matched
 * in place when written in lower case: no substring, token check or lower-casing for them.
 */
const KNOWN_PARAMS: Record<string, string[]> = {};
for (const n of ["branch", "rport", "received", "tag", "expires", "transport", "lr", "maddr", "ttl", "q"]) (KNOWN_PARAMS[n[0]] ??= []).push(n);

function knownParam(s: string, i: number, j: number): string | undefined {
  const list = KNOWN_PARAMS[s[i]];
  if (list === undefined) return undefined;
  for (const n of list) if (n.length === j - i && s.startsWith(n, i)) return n;
  return undefined;
}

/** Index of the closing quote of a quoted-string starting at `start`, or -1. */
export function quotedEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

export function unquote(s: string): string {
  if (s.length >= 2 && s.charCodeAt(0) === 0x22 && s.charCodeAt(s.length - 1) === 0x22) {
    const inner = s.slice(1, -1);
    return inner.indexOf("\\") < 0 ? inner : inner.replace(/\\(.)/g, "$1");
  }
  return s;
}

export interface NameAddr {
  /** Display name without quotes, or null. */
  displayName: string | null;
  /** The URI as it appeared (between <> if any). */
  uri: string;
  params: Params;
  /** Shortcut for params.tag. */
  tag: string | null;
}

/**
 * name-addr / addr-spec with header params (From, To, Contact, Route, Record-Route — RFC 3261 §20.10,
 * §20.20, §20.39). An addr-spec without <> ends at the first ';' and must not contain ',' or '?'
 * (RFC 3261 §20, RFC 4475 §3.1.2.13). An unquoted display name must be tokens (RFC 4475 §3.1.2.15);
 * the URI inside <> must not contain whitespace (RFC 4475 §3.1.2.14).
 */
export function parseNameAddr(value: string): NameAddr | null {
  const s = value.trim();
  if (s.length === 0) return null;
  let displayName: string | null = null;
  let uri: string;
  let rest: number; // where the header params start in s
  let i = 0;
  if (s.charCodeAt(0) === 0x22) {
    const end = quotedEnd(s, 0);
    if (end < 0) return null;
    displayName = unquote(s.slice(0, end + 1));
    i = end + 1;
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x3c) return null;
  }
  const lt = s.indexOf("<", i);
  if (lt >= 0 && (displayName !== null || s.charCodeAt(i) === 0x3c || !hasSemicolonBefore(s, lt))) {
    if (displayName === null && lt > 0) {
      const dn = s.slice(0, lt).trim();
      for (const w of dn.split(/[ \t]+/)) if (!isToken(w)) return null;
      displayName = dn;
    }
    const gt = s.indexOf(">", lt);
    if (gt < 0) return null;
    uri = s.slice(lt + 1, gt);
    rest = gt + 1;
  } else {
    const semi = s.indexOf(";");
    uri = semi >= 0 ? s.slice(0, semi).trimEnd() : s;
    rest = semi >= 0 ? semi : s.length;
    if (uri.indexOf(",") >= 0 || uri.indexOf("?") >= 0) return null;
  }
  if (uri.length === 0 || !validUriText(uri)) return null;
  const params = parseParams(s, rest);
  if (params === null) return null;
  const tag = params.tag ?? null;
  return { displayName, uri, params, tag };
}

function hasSemicolonBefore(s: string, end: number): boolean {
  const i = s.indexOf(";");
  return i >= 0 && i < end;
}

/** A URI as text: a scheme, no whitespace, quotes or angle brackets. */
function validUriText(u: string): boolean {
  const colon = u.indexOf(":");
  if (colon <= 0) return false;
  for (let i = 0; i < u.length; i++) {
    const c = u.charCodeAt(i);
    if (c <= 0x20 || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x7f) return false;
  }
  return true;
}

export interface Via {
  protocol: string; // "SIP/2.0"
  transport: string; // upper-cased: UDP, TCP, TLS, SCTP, WS...
  host: string;
  port: number | null;
  params: Params;
  branch: string | null;
  /** RFC 3581: present without value in requests (null), with the source port once filled. */
  rport: number | null | undefined;
  received: string | null;
}

const COMMON_TRANSPORTS = ["UDP", "TCP", "TLS"];

/** One Via value: sent-protocol LWS sent-by *( ;via-params ) (RFC 3261 §20.42, LWS around '/' allowed). */
export function parseVia(value: string): Via | null {
  const s = value.trim();
  let i = 0;
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport
  let name = "", version = "", transport = "";
  // The spelling every peer uses, "SIP/2.0/UDP " (or TCP, TLS), is matched in place.
  const fast = s.startsWith("SIP/2.0/") && isWs(s.charCodeAt(11)) ? COMMON_TRANSPORTS.find((t) => s.startsWith(t, 8)) : undefined;
  if (fast !== undefined) {
    name = "SIP";
    version = "2.0";
    transport = fast;
    i = 11;
  }
  for (let k = fast === undefined ? 0 : 3; k < 3; k++) {
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
    let j = i;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 0x2f || isWs(c)) break;
      j++;
    }
    const tok = s.slice(i, j);
    if (!isToken(tok)) return null;
    if (k === 0) name = tok;
    else if (k === 1) version = tok;
    else transport = tok;
    i = j;
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
    if (k < 2) {
      if (s.charCodeAt(i) !== 0x2f) return null;
      i++;
    }
  }
  if (name !== "SIP" && name.toUpperCase() !== "SIP") return null;
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  let j = i;
  while (j < s.length && s.charCodeAt(j) !== 0x3b && !isWs(s.charCodeAt(j))) j++;
  const sentBy = s.slice(i, j);
  if (sentBy.length === 0) return null;
  let host = sentBy;
  let port: number | null = null;
  const close = sentBy.lastIndexOf("]");
  const colon = sentBy.lastIndexOf(":");
  if (colon > close && (sentBy[0] === "[" || sentBy.indexOf(":") === colon)) {
    host = sentBy.slice(0, colon);
    const p = Number(sentBy.slice(colon + 1));
    if (!Number.isInteger(p) || p < 0 || p > 65535 || colon === sentBy.length - 1) return null;
    port = p;
  }
  if (host.length === 0) return null;
  const params = parseParams(s, j);
  if (params === null) return null;
  let rport: number | null | undefined;
  if ("rport" in params) {
    const v = params.rport;
    rport = v === null ? null : Number(v);
    if (rport !== null && !Number.isInteger(rport)) return null;
  }
  return {
    protocol: name === "SIP" && version === "2.0" ? "SIP/2.0" : `${name}/${version}`,
    transport: transport === "UDP" ? "UDP" : transport.toUpperCase(),
    host,
    port,
    params,
    branch: params.branch ?? null,
    rport,
    received: params.received ?? null,
  };
}

export function formatVia(v: { transport: string; host: string; port: number | null; params: Params }): string {
  let s = `SIP/2.0/${v.transport} ${v.host}${v.port !== null ? `:${v.port}` : ""}`;
  for (const k in v.params) {
    const p = v.params[k];
    s += p === null ? `;${k}` : `;${k}=${p}`;
  }
  return s;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** CSeq: 1*DIGIT LWS Method; the number must be < 2**31 (RFC 3261 §8.1.1.5, RFC 4475 §3.1.2.4). */
export function parseCSeq(value: string): CSeq | null {
  const s = value.trim();
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === 0 || i > 12) return null;
  const seq = Number(s.slice(0, i));
  if (seq > 0x7fffffff) return null;
  const method = s.slice(i).trim();
  if (!isWs(s.charCodeAt(i)) || !isToken(method)) return null;
  return { seq, method };
}

export type Contact = NameAddr & { expires: number | null; q: number | null };

/** Contact values (already comma-split): "*" is returned as the string "*". */
export function parseContact(value: string): Contact | "*" | null {
  if (value.trim() === "*") return "*";
  const na = parseNameAddr(value);
  if (na === null) return null;
  const e = na.params.expires;
  const q = na.params.q;
  const expires = e === undefined || e === null ? null : toUint(e);
  if (e !== undefined && e !== null && expires === null) return null;
  return { displayName: na.displayName, uri: na.uri, params: na.params, tag: na.tag, expires, q: q === undefined || q === null ? null : Number(q) };
}

/** Non-negative decimal integer (delta-seconds and the like), capped at 2**32-1 per RFC 3261 §25.1. */
export function toUint(s: string): number | null {
  const t = s.trim();
  if (t.length === 0 || t.length > 10) return null;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
  }
  const n = Number(t);
  return n <= 0xffffffff ? n : null;
}

export interface AuthParams {
  scheme: string;
  params: Record<string, string>;
}

/**
 * `Digest realm="x", nonce="y", qop="auth"` — challenge (WWW-/Proxy-Authenticate) or credentials
 * (Authorization / Proxy-Authorization) (RFC 2617 §3.2.1-3.2.2). Param names lower-cased, values unquoted.
 */
export function parseAuth(value: string): AuthParams | null {
  const s = value.trim();
  let i = 0;
  while (i < s.length && !isWs(s.charCodeAt(i))) i++;
  const scheme = s.slice(0, i);
  if (!isToken(scheme)) return null;
  const params: Record<string, string> = {};
  const n = s.length;
  while (i < n) {
    while (i < n && (isWs(s.charCodeAt(i)) || s.charCodeAt(i) === 0x2c)) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && s.charCodeAt(j) !== 0x3d && !isWs(s.charCodeAt(j))) j++;
    const name = s.slice(i, j).toLowerCase();
    i = j;
    while (i < n && isWs(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x3d) return null;
    i++;
    while (i < n && isWs(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) === 0x22) {
      const end = quotedEnd(s, i);
      if (end < 0) return null;
      params[name] = unquote(s.slice(i, end + 1));
      i = end + 1;
    } else {
      j = i;
      while (j < n && s.charCodeAt(j) !== 0x2c && !isWs(s.charCodeAt(j))) j++;
      params[name] = s.slice(i, j);
      i = j;
    }
  }
  return { scheme, params };
}
