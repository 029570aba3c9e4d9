/** Requests the transaction layer and the UA core derive from an INVITE. */
import { SipHeaders, SipRequest, type SipResponse } from "../message.js";

/**
 * ACK for a non-2xx final response (RFC 3261 §17.1.1.3): same Request-URI, Call-ID, From, CSeq
 * number and top Via as the INVITE, To from the response (with its tag), the INVITE's Route set.
 */
export function ackForNon2xx(invite: SipRequest, res: SipResponse): SipRequest {
  const h = new SipHeaders();
  const via = invite.headers.getAll("via")[0];
  if (via !== undefined) h.append("Via", via);
  for (const r of invite.headers.getAll("route")) h.append("Route", r);
  h.append("Max-Forwards", "70");
  h.append("From", invite.headers.get("from") ?? "");
  h.append("To", res.headers.get("to") ?? invite.headers.get("to") ?? "");
  h.append("Call-ID", invite.callId);
  h.append("CSeq", `${invite.cseq?.seq ?? 1} ACK`);
  return new SipRequest("ACK", invite.uri, h);
}

/**
 * CANCEL for a pending request (RFC 3261 §9.1): same Request-URI, Call-ID, From, To (no tag),
 * CSeq number and the same top Via (so it matches the INVITE's server transaction), same Route.
 */
export function cancelFor(invite: SipRequest): SipRequest {
  const h = new SipHeaders();
  const via = invite.headers.getAll("via")[0];
  if (via !== undefined) h.append("Via", via);
  for (const r of invite.headers.getAll("route")) h.append("Route", r);
  h.append("Max-Forwards", "70");
  h.append("From", invite.headers.get("from") ?? "");
  h.append("To", invite.headers.get("to") ?? "");
  h.append("Call-ID", invite.callId);
  h.append("CSeq", `${invite.cseq?.seq ?? 1} CANCEL`);
  return new SipRequest("CANCEL", invite.uri, h);
}
