/**
 * Dialog state (RFC 3261 §12): identifiers, CSeq counters, remote target and route set, and
 * construction of in-dialog requests with loose or strict routing (§12.2.1.1).
 */
import { formatVia } from "../header-values.js";
import type { SipRequest, SipResponse } from "../message.js";
import type { Address } from "../transport/transport.js";
import { parseSipUri } from "../uri.js";
import { buildRequest } from "./build.js";
import { newBranch } from "./ids.js";

export interface DialogInit {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From/To values as they appear in our requests (with tags). */
  localHeader: string;
  remoteHeader: string;
  remoteTarget: string;
  /** Route set, in the order Route headers are to be sent. */
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | null;
}

export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  localHeader: string;
  remoteHeader: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | null;

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localHeader = init.localHeader;
    this.remoteHeader = init.remoteHeader;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /** UAC side, from the 2xx (§12.1.2): route set = Record-Route reversed, target = Contact. */
  static asUac(invite: SipRequest, res: SipResponse): Dialog | null {
    const remoteTag = res.to?.tag;
    const localTag = invite.from?.tag;
    if (!remoteTag || !localTag) return null;
    return new Dialog({
      callId: invite.callId,
      localTag,
      remoteTag,
      localHeader: invite.headers.get("from") ?? "",
      remoteHeader: res.headers.get("to") ?? "",
      remoteTarget: res.contact?.uri ?? invite.uri,
      routeSet: res.headers.getAll("record-route").reverse(),
      localSeq: invite.cseq?.seq ?? 1,
      remoteSeq: null,
    });
  }

  /** UAS side, from the INVITE (§12.1.1): route set = Record-Route in order, target = Contact. */
  static asUas(invite: SipRequest, localTag: string): Dialog | null {
    const remoteTag = invite.from?.tag;
    if (!remoteTag) return null;
    return new Dialog({
      callId: invite.callId,
      localTag,
      remoteTag,
      localHeader: `${invite.headers.get("to") ?? ""};tag=${localTag}`,
      remoteHeader: invite.headers.get("from") ?? "",
      remoteTarget: invite.contact?.uri ?? "",
      routeSet: invite.headers.getAll("record-route"),
      localSeq: 0,
      remoteSeq: invite.cseq?.seq ?? null,
    });
  }

  /**
   * An in-dialog request (§12.2.1.1). With a loose first route (";lr") the Request-URI is the
   * remote target and Route the route set; with a strict one the first route becomes the
   * Request-URI and the remote target is appended as the last Route.
   */
  request(method: string, via: { host: string; port: number; transport?: string }, opts: { cseq?: number; body?: string; contentType?: string; contact?: string; extra?: [string, string][] } = {}): SipRequest {
    const seq = opts.cseq ?? ++this.localSeq;
    let uri = this.remoteTarget;
    let routes = this.routeSet;
    const first = routes[0];
    if (first !== undefined && !isLoose(first)) {
      uri = stripAngles(first);
      routes = [...routes.slice(1), `<${this.remoteTarget}>`];
    }
    return buildRequest({
      method,
      uri,
      via: formatVia({ transport: via.transport ?? "UDP", host: via.host, port: via.port, params: { branch: newBranch(), rport: null } }),
      from: this.localHeader,
      to: this.remoteHeader,
      callId: this.callId,
      cseq: seq,
      routes,
      contact: opts.contact,
      extra: opts.extra,
      body: opts.body,
      contentType: opts.contentType,
    });
  }

  /** Where an in-dialog request goes: the first Route, else the remote target (§8.1.2). */
  destination(): Address | null {
    const first = this.routeSet[0];
    return uriAddress(first !== undefined ? stripAngles(first) : this.remoteTarget);
  }
}

export const dialogKey = (callId: string, localTag: string, remoteTag: string) => `${callId}|${localTag}|${remoteTag}`;

function stripAngles(v: string): string {
  const lt = v.indexOf("<");
  const gt = v.indexOf(">", lt + 1);
  return lt >= 0 && gt > lt ? v.slice(lt + 1, gt) : v.trim();
}

function isLoose(route: string): boolean {
  const u = parseSipUri(stripAngles(route));
  return u !== null && "lr" in u.params;
}

/** host:port of a SIP URI (maddr wins, §19.1.1); 5060 by default. No DNS SRV: hosts are used as given. */
export function uriAddress(uri: string): Address | null {
  const u = parseSipUri(stripAngles(uri));
  if (!u) return null;
  const host = u.params.maddr ?? u.host;
  return { address: host.startsWith("[") ? host.slice(1, -1) : host, port: u.port ?? (u.scheme === "sips" ? 5061 : 5060) };
}
