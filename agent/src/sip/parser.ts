/**
 * Datagram → SipMessage (RFC 3261 §7, §18.3). Never throws: malformed input yields a typed
 * error with the status a server would answer (400, or 505 for an unknown version).
 * Work done eagerly is only what framing and transaction matching need and what RFC 4475's
 * torture cases require us to reject; everything else is parsed lazily by SipMessage getters.
 */
import { SINGLE_HEADERS } from "./header-names.js";
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
  let headEnd = buf.indexOf("\r\n\r\n", start);
  let sepLen = 4;
  if (headEnd < 0) {
    headEnd = buf.indexOf("\n\n", start);
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
  const lines = head.split(head.indexOf("\r\n") >= 0 ? "\r\n" : "\n");
  const first = lines[0];

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

  // Header fields, unfolding continuation lines (RFC 3261 §7.3.1).
  const headers = msg.headers;
  let pendingName: string | null = null;
  let pendingValue = "";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const c0 = line.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      if (pendingName === null) return fail("bad-header", "continuation line before any header");
      pendingValue += " " + line.trim();
      continue;
    }
    if (pendingName !== null) headers.append(pendingName, pendingValue.trim());
    const colon = line.indexOf(":");
    if (colon <= 0) return fail("bad-header", `header line without name: "${line.slice(0, 40)}"`);
    const name = line.slice(0, colon).trim();
    if (!isToken(name)) return fail("bad-header", `invalid header name "${name.slice(0, 40)}"`);
    pendingName = name;
    pendingValue = line.slice(colon + 1);
  }
  if (pendingName !== null) headers.append(pendingName, pendingValue.trim());

  for (const h of REQUIRED) if (!headers.has(h)) return fail("missing-header", `missing ${h} header`);
  const repeated = headers.firstRepeated(SINGLE_HEADERS);
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
