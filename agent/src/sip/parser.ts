/**
 * Datagram → SipMessage (RFC 3261 §7, §18.3). Never throws: malformed input yields a typed
 * error with the status a server would answer (400, or 505 for an unknown version).
 * Work done eagerly is only what framing and transaction matching need and what RFC 4475's
 * torture cases require us to reject; everything else is parsed lazily by SipMessage getters.
 */
import { headerKey, SINGLE_HEADERS } from "./header-names.js";
import { isToken, toUint } from "./header-values.js";
import { SipHeaders, SipRequest, SipResponse, type SipMessage } from "./message.js";
import { parseSipUri, uriScheme } from "./uri.js";

export type ParseErrorCode =
  | "empty"
  | "no-header-end"
  | "bad-start-line"
  | "bad-version"
  | "bad-request-uri"
  | "bad-status"
  | "bad-header"
  | "missing-header"
  | "duplicate-header"
  | "bad-content-length"
  | "truncated-body"
  | "cseq-mismatch";

export interface SipParseError {
  code: ParseErrorCode;
  message: string;
  /** What a UAS/proxy would answer to a request this malformed (RFC 3261 §8.2, §21.5.26). */
  statusCode: 400 | 505;
}

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: SipParseError };

const fail = (code: ParseErrorCode, message: string, statusCode: 400 | 505 = 400): ParseResult => ({
  ok: false,
  error: { code, message, statusCode },
});

const REQUIRED = ["via", "from", "to", "call-id", "cseq"] as const;

/** One bit per key that is required or single-instance (RFC 3261 §7.3, §8.1.1, §20). */
const KEY_BITS = new Map<string, number>();
for (const k of [...REQUIRED, ...SINGLE_HEADERS]) if (!KEY_BITS.has(k)) KEY_BITS.set(k, 1 << KEY_BITS.size);
const bitOf = (k: string) => KEY_BITS.get(k) as number;
const REQUIRED_BITS = REQUIRED.map(bitOf);
const SINGLE_MASK = SINGLE_HEADERS.reduce((m, k) => m | bitOf(k), 0);

/** Header names as written that are valid tokens → their lookup key (names repeat across messages). */
const NAME_KEYS = new Map<string, string>();

/**
 * Field names as the usual peers spell them (Kamailio, Asterisk, FreeSWITCH, SIPp, ours), grouped
 * by first character and matched in place: the common case needs no substring or hash lookup.
 */
const KNOWN_NAMES: Record<string, string[]> = {};
for (const n of [
  "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type", "Max-Forwards", "Expires",
  "WWW-Authenticate", "Proxy-Authenticate", "Authorization", "Proxy-Authorization", "Server", "User-Agent", "Allow",
  "Supported", "Require", "Record-Route", "Route", "RSeq", "RAck", "Session-Expires", "Min-SE", "Call-Id",
  "v", "f", "t", "i", "m", "l", "c", "k",
]) (KNOWN_NAMES[n[0]] ??= []).push(n);

function knownName(s: string, from: number, to: number): string | undefined {
  const list = KNOWN_NAMES[s[from]];
  if (list === undefined) return undefined;
  for (const n of list) if (n.length === to - from && s.startsWith(n, from)) return n;
  return undefined;
}

/** The blank line after the header fields, as bytes once (a string needle is encoded per search). */
const CRLFCRLF = Buffer.from("\r\n\r\n");
const LFLF = Buffer.from("\n\n");

const isTrimmable = (c: number) => c <= 0x20 || c >= 0x7f;

/**
 * `s.slice(from, to).trim()` without the intermediate string in the common case (edges are SP /
 * HTAB or none); anything else at an edge (CR, other controls, Unicode spaces) goes through
 * String.prototype.trim so the result is exactly the same.
 */
function trimmed(s: string, from: number, to: number): string {
  while (from < to && (s.charCodeAt(from) === 0x20 || s.charCodeAt(from) === 0x09)) from++;
  while (to > from && (s.charCodeAt(to - 1) === 0x20 || s.charCodeAt(to - 1) === 0x09)) to--;
  if (to > from && (isTrimmable(s.charCodeAt(from)) || isTrimmable(s.charCodeAt(to - 1)))) return s.slice(from, to).trim();
  return s.slice(from, to);
}

export interface ParseOptions {
  /**
   * Validate From/To/Via/Contact syntax at parse time (default true). Turn off on paths that
   * only relay, where the getters' null results are handled anyway.
   */
  strict?: boolean;
}

/** Parses one SIP message from a datagram (Buffer) or text. */
export function parseMessage(data: Buffer | string, opts: ParseOptions = {}): ParseResult {
  try {
    return parseInner(typeof data === "string" ? Buffer.from(data, "utf8") : data, opts.strict !== false);
  } catch (e) {
    // Defensive: a parser bug must never take the transport down.
    return fail("bad-header", `parser error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseInner(buf: Buffer, strict: boolean): ParseResult {
  // RFC 3261 §7.5: implementations should ignore CRLFs before the start line (keep-alives).
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  if (start >= buf.length) return fail("empty", "empty datagram");
  let headEnd = buf.indexOf(CRLFCRLF, start);
  let sepLen = 4;
  if (headEnd < 0) {
    headEnd = buf.indexOf(LFLF, start);
    sepLen = 2;
    if (headEnd < 0) {
      // Tolerate a datagram that ends right after the last header's CRLF (no body, no blank line).
      if (buf.length >= 2 && buf[buf.length - 2] === 0x0d && buf[buf.length - 1] === 0x0a) {
        headEnd = buf.length - 2;
        sepLen = 2;
      } else return fail("no-header-end", "no blank line after the header fields");
    }
  }
  const head = buf.toString("utf8", start, headEnd);
  // Lines end in CRLF, or in bare LF when the message has no CRLF at all (tolerated): one scan
  // over the head by index, without splitting it into an array of line strings.
  const crlf = head.indexOf("\r\n") >= 0;
  const sepLen2 = crlf ? 2 : 1;
  const sep = crlf ? "\r\n" : "\n";
  let lineEnd = head.indexOf(sep);
  if (lineEnd < 0) lineEnd = head.length;
  const first = head.slice(0, lineEnd);

  let msg: SipMessage;
  if (first.startsWith("SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2)
    const sp1 = first.indexOf(" ");
    if (sp1 < 0) return fail("bad-start-line", "status line without status code");
    const version = first.slice(0, sp1);
    if (version !== "SIP/2.0") return fail("bad-version", `unsupported version ${version}`, 505);
    const sp2 = first.indexOf(" ", sp1 + 1);
    const codeText = sp2 < 0 ? first.slice(sp1 + 1) : first.slice(sp1 + 1, sp2);
    if (codeText.length !== 3) return fail("bad-status", `status code "${codeText.slice(0, 20)}" is not 3 digits`);
    const status = Number(codeText);
    if (!Number.isInteger(status) || status < 100 || status > 699) return fail("bad-status", `status code ${codeText} out of range`);
    msg = new SipResponse(status, sp2 < 0 ? "" : first.slice(sp2 + 1));
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version (exactly one SP each: RFC 4475 §3.1.2.8-3.1.2.10)
    const sp1 = first.indexOf(" ");
    const sp2 = sp1 < 0 ? -1 : first.indexOf(" ", sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || first.indexOf(" ", sp2 + 1) >= 0) return fail("bad-start-line", "request line is not Method SP Request-URI SP Version");
    const method = first.slice(0, sp1);
    const uri = first.slice(sp1 + 1, sp2);
    const version = first.slice(sp2 + 1);
    if (!isToken(method)) return fail("bad-start-line", "method is not a token");
    if (!version.startsWith("SIP/")) return fail("bad-start-line", "no SIP version in request line");
    if (version !== "SIP/2.0") return fail("bad-version", `unsupported version ${version}`, 505);
    const err = checkRequestUri(uri);
    if (err) return fail("bad-request-uri", err);
    msg = new SipRequest(method, uri);
  }

  // Header fields, unfolding continuation lines (RFC 3261 §7.3.1). Which required fields were seen
  // and the first repeated single-instance field are noted on the way (bits per key), instead of
  // looking each up again afterwards.
  const headers = msg.headers;
  let pendingKey: string | null = null;
  let pendingName = "";
  let pendingValue = "";
  let folded = false;
  let seen = 0;
  let repeated: string | undefined;
  for (;;) {
    // The next line: a continuation of the pending field, a new field, or the end of the head.
    const atEnd = lineEnd >= head.length;
    let ls = 0;
    if (!atEnd) {
      ls = lineEnd + sepLen2;
      lineEnd = head.indexOf(sep, ls);
      if (lineEnd < 0) lineEnd = head.length;
      const c0 = head.charCodeAt(ls);
      if (c0 === 0x20 || c0 === 0x09) {
        if (pendingKey === null) return fail("bad-header", "continuation line before any header");
        pendingValue += " " + head.slice(ls, lineEnd).trim();
        folded = true;
        continue;
      }
    }
    if (pendingKey !== null) {
      const bits = KEY_BITS.get(pendingKey);
      if (bits !== undefined) {
        if (bits & SINGLE_MASK && seen & bits && repeated === undefined) repeated = pendingKey;
        seen |= bits;
      }
      headers.appendParsed(pendingKey, pendingName, folded ? pendingValue.trim() : pendingValue);
    }
    if (atEnd) break;
    const colon = head.indexOf(":", ls);
    if (colon <= ls || colon >= lineEnd) {
      const line = head.slice(ls, lineEnd);
      return fail("bad-header", `header line without name: "${line.slice(0, 40)}"`);
    }
    const known = knownName(head, ls, colon);
    const rawName = known ?? head.slice(ls, colon);
    let key = known !== undefined ? headerKey(known) : NAME_KEYS.get(rawName);
    if (key === undefined) {
      const name = rawName.trim();
      if (!isToken(name)) return fail("bad-header", `invalid header name "${name.slice(0, 40)}"`);
      key = headerKey(name);
      pendingName = name;
      // Only names that were whole tokens as written are remembered (so a hit needs no trim).
      if (name === rawName && NAME_KEYS.size < 1024) NAME_KEYS.set(rawName, key);
    } else pendingName = rawName;
    pendingKey = key;
    pendingValue = trimmed(head, colon + 1, lineEnd);
    folded = false;
  }

  for (let i = 0; i < REQUIRED.length; i++) if ((seen & REQUIRED_BITS[i]) === 0) return fail("missing-header", `missing ${REQUIRED[i]} header`);
  if (repeated !== undefined) return fail("duplicate-header", `more than one ${repeated} header`);

  // Content-Length framing (RFC 3261 §18.3): over UDP it may be absent (body = rest of datagram);
  // a value larger than what arrived means a truncated message, which is discarded.
  const bodyStart = headEnd + sepLen;
  const clText = headers.get("content-length");
  let bodyEnd = buf.length;
  if (clText !== undefined) {
    const cl = toUint(clText);
    if (cl === null) return fail("bad-content-length", `invalid Content-Length "${clText.slice(0, 20)}"`);
    if (bodyStart + cl > buf.length) return fail("truncated-body", `Content-Length ${cl} exceeds the ${buf.length - bodyStart} bytes received`);
    bodyEnd = bodyStart + cl;
  }
  msg.body = bodyEnd > bodyStart ? buf.toString("utf8", bodyStart, bodyEnd) : "";

  // Through the message's cached getters, so what we validate here is not parsed again later.
  const cseq = msg.cseq;
  if (cseq === null) return fail("bad-header", "malformed CSeq");
  if (msg.type === "request" && cseq.method !== msg.method) return fail("cseq-mismatch", `CSeq method ${cseq.method} differs from ${msg.method}`);
  if (headers.has("max-forwards")) {
    const n = msg.maxForwards;
    if (n === null || n > 255) return fail("bad-header", "malformed Max-Forwards");
  }
  if (msg.callId.length === 0) return fail("bad-header", "empty Call-ID");
  if (strict) {
    if (msg.from === null) return fail("bad-header", "malformed From");
    if (msg.to === null) return fail("bad-header", "malformed To");
    if (msg.vias === null || msg.vias.length === 0) return fail("bad-header", "malformed Via");
    if (headers.has("contact") && msg.contacts === null) return fail("bad-header", "malformed Contact");
  } else if (msg.topVia === null) return fail("bad-header", "malformed Via");
  return { ok: true, message: msg };
}

/**
 * Request-URI: an absolute URI, not enclosed in <> (RFC 4475 §3.1.2.7); a SIP URI must parse and
 * carry no headers (RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI; RFC 4475 §3.1.2.11).
 */
function checkRequestUri(uri: string): string | null {
  const scheme = uriScheme(uri);
  if (scheme === null) return "Request-URI has no scheme";
  if (scheme === "sip" || scheme === "sips") {
    const u = parseSipUri(uri);
    if (u === null) return "malformed SIP Request-URI";
    for (const _ in u.headers) return "headers are not allowed in a Request-URI";
  } else {
    for (let i = 0; i < uri.length; i++) {
      const c = uri.charCodeAt(i);
      if (c <= 0x20 || c === 0x3c || c === 0x3e || c === 0x22) return "malformed Request-URI";
    }
  }
  return null;
}
