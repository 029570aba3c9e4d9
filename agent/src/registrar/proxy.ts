/**
 * Proxy behaviour of the built-in server (RFC 3261 §16): route processing, request forwarding
 * with our Via (and Record-Route on INVITEs), stateful INVITE forwarding (100 Trying hop by hop,
 * responses relayed through the server transaction, CANCEL), stateless forwarding in dialogs.
 */
import { createHash } from "node:crypto";
import { formatVia } from "../sip/header-values.js";
import { SipRequest, type SipResponse } from "../sip/message.js";
import { cancelFor } from "../sip/transaction/build.js";
import type { InviteClientTransaction, ClientTransaction } from "../sip/transaction/client.js";
import { MAGIC_COOKIE } from "../sip/transaction/keys.js";
import { TransactionLayer } from "../sip/transaction/layer.js";
import type { InviteServerTransaction } from "../sip/transaction/server.js";
import type { Address } from "../sip/transport/transport.js";
import { buildResponse } from "../sip/ua/build.js";
import { uriAddress } from "../sip/ua/dialog.js";
import { newBranch } from "../sip/ua/ids.js";
import { parseSipUri } from "../sip/uri.js";

export interface ProxyIdentity {
  host: string;
  port: number;
}

/** Whether a URI designates this server (host and port, default 5060). */
export function isSelf(uri: string, me: ProxyIdentity): boolean {
  const u = parseSipUri(uri);
  return u !== null && u.host === me.host && (u.port ?? 5060) === me.port;
}

/**
 * §16.4: if the top Route is ours, remove it. Returns whether one was removed. (A strict-routing
 * previous hop, Request-URI = us with a Route, is not supported: all our UAs loose-route.)
 */
export function popOwnRoute(req: SipRequest, me: ProxyIdentity): boolean {
  const top = req.nameAddrs("route")[0];
  if (!top || !isSelf(top.uri, me)) return false;
  req.headers.removeFirstValue("route");
  req.touch();
  return true;
}

/** §16.6 steps 1-8 for one target: copy, new Request-URI, Max-Forwards - 1, Record-Route, our Via. */
export function forwardCopy(req: SipRequest, target: string, me: ProxyIdentity, opts: { recordRoute: boolean; branch: string }): SipRequest {
  const h = req.headers.clone();
  const mf = req.maxForwards;
  h.set("Max-Forwards", String(mf === null ? 70 : mf - 1));
  if (opts.recordRoute) h.prepend("Record-Route", `<sip:${me.host}:${me.port};lr>`);
  h.prepend("Via", formatVia({ transport: "UDP", host: me.host, port: me.port, params: { branch: opts.branch, rport: null } }));
  return new SipRequest(req.method, target, h, req.body);
}

/** §16.6 step 7 / §16.12: next hop is the first Route if any, else the Request-URI. */
export function nextHop(req: SipRequest): Address | null {
  const route = req.nameAddrs("route")[0];
  return uriAddress(route ? route.uri : req.uri);
}

/** Branch for stateless forwarding (§16.11): a function of the incoming branch, so retransmissions reuse it. */
export function statelessBranch(req: SipRequest): string {
  const v = req.topVia;
  const seed = `${v?.branch ?? ""}|${v?.host}|${v?.port}|${req.method === "ACK" ? "ACK" : ""}`;
  return MAGIC_COOKIE + createHash("md5").update(seed).digest("hex").slice(0, 20);
}

/** A response on its way back (§16.7 step 3, §18.2.2): drop our Via, send to the next one. */
export function relayResponse(res: SipResponse): { res: SipResponse; dest: Address } | null {
  res.headers.removeFirstValue("via");
  res.touch();
  const v = res.topVia;
  if (!v) return null;
  return { res, dest: { address: v.received ?? v.host, port: typeof v.rport === "number" ? v.rport : (v.port ?? 5060) } };
}

/** State of one proxied INVITE: the upstream server transaction and the downstream client one. */
export class ProxiedInvite {
  client: InviteClientTransaction | null = null;
  provisional = false;
  cancelled = false;
  private cancelSent = false;

  constructor(readonly server: InviteServerTransaction, private layer: TransactionLayer, private dest: Address) {}

  start(forwarded: SipRequest): void {
    const tx: ClientTransaction = this.layer.sendRequest(forwarded, this.dest, {
      onResponse: (res) => this.onResponse(res),
      onTimeout: () => {
        // §16.7 step 6 / §16.8: no answer downstream → 408 upstream.
        if (!this.server.finalSent) this.server.respond(buildResponse(this.server.request, 408, "Request Timeout"));
      },
    });
    if (tx.kind === "invite-client") this.client = tx;
  }

  private onResponse(res: SipResponse) {
    if (res.status === 100) return; // hop-by-hop (§16.7 step 3): we sent our own
    if (res.status < 200) this.provisional = true;
    if (this.cancelled && res.status < 200) this.sendCancel();
    const r = relayResponse(res);
    if (r) this.server.respond(r.res);
  }

  /** §16.10: CANCEL downstream once it sent a provisional response; otherwise as soon as it does. */
  cancel(): void {
    this.cancelled = true;
    if (this.provisional) this.sendCancel();
    else if (!this.server.finalSent) this.server.respond(buildResponse(this.server.request, 487, "Request Terminated"));
  }

  private sendCancel() {
    if (this.cancelSent || !this.client) return;
    this.cancelSent = true;
    this.layer.sendRequest(cancelFor(this.client.request), this.dest, { onResponse() {}, onTimeout() {} });
  }
}

export { newBranch };
