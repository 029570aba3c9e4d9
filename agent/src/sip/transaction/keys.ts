/**
 * Transaction matching keys.
 *  - Responses → client transactions: top Via branch + CSeq method (RFC 3261 §17.1.3).
 *  - Requests → server transactions: branch + sent-by + method, with ACK matching the INVITE
 *    (RFC 3261 §17.2.3); requests without the magic cookie fall back to the RFC 2543 fields
 *    (Request-URI, tags, Call-ID, CSeq number, top Via).
 */
import type { SipRequest, SipResponse } from "../message.js";

export const MAGIC_COOKIE = "z9hG4bK";

export function clientKey(branch: string, method: string): string {
  return `${branch}|${method === "ACK" ? "INVITE" : method}`;
}

export function clientKeyOfResponse(res: SipResponse): string | null {
  const branch = res.topVia?.branch;
  const method = res.cseq?.method;
  if (!branch || !method) return null;
  return clientKey(branch, method);
}

/** Key of the server transaction a request belongs to; `asMethod` lets CANCEL look up its INVITE. */
export function serverKey(req: SipRequest, asMethod?: string): string | null {
  const via = req.topVia;
  const cseq = req.cseq;
  if (!via || !cseq) return null;
  const method = asMethod ?? (req.method === "ACK" ? "INVITE" : req.method);
  if (via.branch && via.branch.startsWith(MAGIC_COOKIE)) return `${via.branch}|${via.host}:${via.port ?? ""}|${method}`;
  // RFC 2543 fallback (§17.2.3): the ACK's To tag differs from the INVITE's, so it is left out.
  const fromTag = req.from?.tag ?? "";
  return `2543|${req.uri}|${fromTag}|${req.callId}|${cseq.seq}|${via.host}:${via.port ?? ""}|${via.branch ?? ""}|${method}`;
}
