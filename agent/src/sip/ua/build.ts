/** Message builders for the UA core (RFC 3261 §8.1.1 requests, §8.2.6 responses). */
import { formatVia } from "../header-values.js";
import { SipHeaders, SipRequest, SipResponse } from "../message.js";
import { newBranch } from "./ids.js";
import type { RequestResult } from "./types.js";

/** A final response as the API reports it. */
export function requestResult(res: SipResponse): RequestResult {
  return { ok: res.status >= 200 && res.status < 300, statusCode: res.status, reason: res.reason, headers: res.headers, body: res.body };
}

export const ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK";
/** Extensions we implement: reliable provisionals (RFC 3262) and session timers (RFC 4028). */
export const SUPPORTED = "100rel, timer";

/** Whether a Supported / Require value (comma list of option tags) names `tag` (RFC 3261 §20.37, §20.32). */
export function hasOptionTag(values: string[], tag: string): boolean {
  for (const v of values) for (const t of v.split(",")) if (t.trim().toLowerCase() === tag) return true;
  return false;
}

/** Top Via for a request we originate: our sent-by, a fresh branch, rport (RFC 3581 §3). */
export function ourVia(host: string, port: number, transport = "UDP"): string {
  return formatVia({ transport, host, port, params: { branch: newBranch(), rport: null } });
}

export interface RequestFields {
  method: string;
  uri: string;
  via: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  contact?: string;
  routes?: string[];
  extra?: [string, string][];
  body?: string;
  contentType?: string;
  userAgent?: string;
}

/** A request with the mandatory header fields of §8.1.1 in the conventional order. */
export function buildRequest(f: RequestFields): SipRequest {
  const h = new SipHeaders();
  h.append("Via", f.via);
  h.append("Max-Forwards", "70");
  for (const r of f.routes ?? []) h.append("Route", r);
  h.append("From", f.from);
  h.append("To", f.to);
  h.append("Call-ID", f.callId);
  h.append("CSeq", `${f.cseq} ${f.method}`);
  if (f.contact) h.append("Contact", f.contact);
  if (f.userAgent) h.append("User-Agent", f.userAgent);
  for (const [n, v] of f.extra ?? []) h.append(n, v);
  if (f.body) h.append("Content-Type", f.contentType ?? "application/sdp");
  return new SipRequest(f.method, f.uri, h, f.body ?? "");
}

/** The same request re-sent as a new transaction: fresh branch, CSeq + 1, optional credentials (§22.2). */
export function reissue(req: SipRequest, host: string, port: number, auth?: { header: string; value: string }): SipRequest {
  const h = req.headers.clone();
  // Our requests carry exactly one Via; set() keeps its position. Same transport as before.
  h.set("Via", ourVia(host, port, req.topVia?.transport ?? "UDP"));
  const seq = (req.cseq?.seq ?? 1) + 1;
  h.set("CSeq", `${seq} ${req.method}`);
  if (auth) h.set(auth.header, auth.value);
  return new SipRequest(req.method, req.uri, h, req.body);
}

export interface ResponseOptions {
  toTag?: string;
  contact?: string;
  body?: string;
  contentType?: string;
  extra?: [string, string][];
  /** Copy Record-Route (dialog-creating responses, §12.1.1). */
  recordRoute?: boolean;
}

/** §8.2.6.2: Via, From, To, Call-ID, CSeq copied; To tag added when we have one. */
export function buildResponse(req: SipRequest, status: number, reason: string, o: ResponseOptions = {}): SipResponse {
  const h = new SipHeaders();
  for (const v of req.headers.getAll("via")) h.append("Via", v);
  if (o.recordRoute) for (const r of req.headers.getAll("record-route")) h.append("Record-Route", r);
  h.append("From", req.headers.get("from") ?? "");
  const to = req.headers.get("to") ?? "";
  h.append("To", o.toTag && req.to?.tag == null ? `${to};tag=${o.toTag}` : to);
  h.append("Call-ID", req.callId);
  h.append("CSeq", req.headers.get("cseq") ?? "");
  if (o.contact) h.append("Contact", o.contact);
  for (const [n, v] of o.extra ?? []) h.append(n, v);
  if (o.body) h.append("Content-Type", o.contentType ?? "application/sdp");
  return new SipResponse(status, reason, h, o.body ?? "");
}

export const REASONS: Record<number, string> = {
  100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued", 183: "Session Progress",
  200: "OK", 202: "Accepted", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  407: "Proxy Authentication Required", 408: "Request Timeout", 420: "Bad Extension", 422: "Session Interval Too Small", 480: "Temporarily Unavailable",
  481: "Call/Transaction Does Not Exist", 483: "Too Many Hops", 486: "Busy Here", 487: "Request Terminated", 491: "Request Pending",
  488: "Not Acceptable Here", 500: "Server Internal Error", 501: "Not Implemented", 503: "Service Unavailable",
  603: "Decline",
};

export const reasonFor = (code: number) => REASONS[code] ?? (code < 300 ? "OK" : "Error");
