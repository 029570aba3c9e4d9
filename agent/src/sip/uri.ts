/**
 * SIP/SIPS URIs (RFC 3261 §19.1):  sip:user:password@host:port;uri-parameters?headers
 * Parsed with indexOf scans (no regexes): user part ends at the first '@' (which may contain
 * '?', ';' and ',' — RFC 4475 §3.1.1.2 and §3.1.1.9), params at ';', headers at '?'.
 * Other schemes (tel:, http:, unknown ones — RFC 4475 §3.3.2-3.3.4) are kept opaque.
 */
export interface SipUri {
  scheme: "sip" | "sips";
  user: string | null;
  password: string | null;
  host: string;
  port: number | null;
  /** Names lower-cased; a parameter without value maps to null. Insertion order kept. */
  params: Record<string, string | null>;
  headers: Record<string, string>;
}

export interface OpaqueUri {
  scheme: string;
  opaque: string;
}

const isSchemeChar = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;

/** Characters that never occur unescaped in a SIP URI (whitespace, controls, <>"). */
function hasIllegalChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22) return true;
  }
  return false;
}

/** Scheme of any URI (lower-cased), or null when there is no valid "scheme:" prefix. */
export function uriScheme(s: string): string | null {
  const colon = s.indexOf(":");
  if (colon <= 0) return null;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 0x61 && c0 <= 0x7a) || (c0 >= 0x41 && c0 <= 0x5a))) return null;
  for (let i = 1; i < colon; i++) if (!isSchemeChar(s.charCodeAt(i))) return null;
  return s.slice(0, colon).toLowerCase();
}

function parseParams(s: string, into: Record<string, string | null>): boolean {
  // s starts after the first ';'
  let start = 0;
  while (start <= s.length) {
    let end = s.indexOf(";", start);
    if (end < 0) end = s.length;
    const p = s.slice(start, end);
    if (p.length === 0) return false;
    const eq = p.indexOf("=");
    if (eq === 0) return false;
    if (eq < 0) into[p.toLowerCase()] = null;
    else into[p.slice(0, eq).toLowerCase()] = p.slice(eq + 1);
    start = end + 1;
    if (end === s.length) break;
  }
  return true;
}

/** Parses a sip:/sips: URI; null when malformed or of another scheme. */
export function parseSipUri(s: string): SipUri | null {
  const scheme = uriScheme(s);
  if (scheme !== "sip" && scheme !== "sips") return null;
  if (hasIllegalChar(s)) return null;
  let rest = s.slice(scheme.length + 1);
  let user: string | null = null;
  let password: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    if (userinfo.length === 0) return null;
    const pc = userinfo.indexOf(":");
    if (pc >= 0) {
      user = userinfo.slice(0, pc);
      password = userinfo.slice(pc + 1);
    } else user = userinfo;
    rest = rest.slice(at + 1);
  }
  const headers: Record<string, string> = {};
  const q = rest.indexOf("?");
  if (q >= 0) {
    for (const h of rest.slice(q + 1).split("&")) {
      const eq = h.indexOf("=");
      if (eq <= 0) return null;
      headers[h.slice(0, eq)] = h.slice(eq + 1);
    }
    rest = rest.slice(0, q);
  }
  const params: Record<string, string | null> = {};
  const semi = rest.indexOf(";");
  let hostport = rest;
  if (semi >= 0) {
    if (!parseParams(rest.slice(semi + 1), params)) return null;
    hostport = rest.slice(0, semi);
  }
  let host: string;
  let port: number | null = null;
  if (hostport.charCodeAt(0) === 0x5b /* [ IPv6 reference */) {
    const close = hostport.indexOf("]");
    if (close < 0) return null;
    host = hostport.slice(0, close + 1);
    const after = hostport.slice(close + 1);
    if (after.length > 0) {
      if (after[0] !== ":") return null;
      port = parsePort(after.slice(1));
      if (port === null) return null;
    }
  } else {
    const colon = hostport.indexOf(":");
    host = colon >= 0 ? hostport.slice(0, colon) : hostport;
    if (colon >= 0) {
      port = parsePort(hostport.slice(colon + 1));
      if (port === null) return null;
    }
  }
  if (host.length === 0) return null;
  return { scheme, user, password, host, port, params, headers };
}

function parsePort(s: string): number | null {
  if (s.length === 0 || s.length > 5) return null;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return n <= 65535 ? n : null;
}

/** Any URI: sip/sips parsed, others opaque; null when there is no scheme or it contains LWS. */
export function parseUri(s: string): SipUri | OpaqueUri | null {
  const scheme = uriScheme(s);
  if (scheme === null) return null;
  if (scheme === "sip" || scheme === "sips") return parseSipUri(s);
  if (hasIllegalChar(s)) return null;
  return { scheme, opaque: s.slice(scheme.length + 1) };
}

export function isSipUri(u: SipUri | OpaqueUri | null): u is SipUri {
  return u !== null && (u.scheme === "sip" || u.scheme === "sips") && "host" in u;
}

export function formatUri(u: SipUri): string {
  let s = `${u.scheme}:`;
  if (u.user !== null) s += u.password !== null ? `${u.user}:${u.password}@` : `${u.user}@`;
  s += u.host;
  if (u.port !== null) s += `:${u.port}`;
  for (const k in u.params) {
    const v = u.params[k];
    s += v === null ? `;${k}` : `;${k}=${v}`;
  }
  let first = true;
  for (const k in u.headers) {
    s += `${first ? "?" : "&"}${k}=${u.headers[k]}`;
    first = false;
  }
  return s;
}

/** Convenience constructor for the URIs this stack builds itself. */
export function sipUri(host: string, opts: { user?: string | null; port?: number | null; params?: Record<string, string | null> } = {}): SipUri {
  return { scheme: "sip", user: opts.user ?? null, password: null, host, port: opts.port ?? null, params: opts.params ?? {}, headers: {} };
}
