/**
 * The UA core (RFC 3261 §8, §12-§15): builds requests, answers digest challenges, routes incoming
 * requests to dialogs / new calls, and answers what no one else handles (OPTIONS 200, unknown
 * dialog 481, unsupported methods 405).
 */
import { pickChallenge, digestAuthorization } from "../digest.js";
import type { SipRequest, SipResponse } from "../message.js";
import { DEFAULT_TIMERS } from "../timers.js";
import type { ClientTransaction } from "../transaction/client.js";
import { TransactionLayer, type TransactionUser } from "../transaction/layer.js";
import type { ServerTransaction } from "../transaction/server.js";
import { StreamTransport } from "../transport/stream.js";
import type { Address, Transport } from "../transport/transport.js";
import { UdpTransport } from "../transport/udp.js";
import { ALLOW, buildResponse, reasonFor, reissue } from "./build.js";
import { dialogKey } from "./dialog.js";
import { IncomingCallImpl } from "./incoming-call.js";
import { OutgoingCallImpl } from "./outgoing-call.js";
import { Registration } from "./registration.js";
import type { IncomingCall, InviteOptions, OutgoingCall, RegisterResult, UserAgent, UserAgentOptions } from "./types.js";

export interface AuthedHandlers {
  /** Every request actually sent (the original and re-sent ones with credentials). */
  onSent?(req: SipRequest, tx: ClientTransaction): void;
  onProvisional?(res: SipResponse): void;
  onFinal(res: SipResponse): void;
  /** Timer B/F: no final response. */
  onTimeout(): void;
}

/** What dialogs need from the core to receive their in-dialog requests and stray 2xx. */
export interface DialogUser {
  onRequest(req: SipRequest, tx: ServerTransaction | null): void;
  onStrayResponse?(res: SipResponse): void;
}

export class UserAgentCore implements UserAgent, TransactionUser {
  readonly layer: TransactionLayer;
  readonly aor: string;
  readonly contact: string;
  readonly server: Address;
  private dialogs = new Map<string, DialogUser>();
  private incomingHandler: ((call: IncomingCall) => void) | null = null;
  private registration: Registration;
  private closed = false;
  /** Requests awaiting a final response: told "timeout" on close(). */
  private pending = new Set<() => void>();
  /** Pending INVITE server transactions → their call, so CANCEL can find the call. */
  readonly pendingIncoming = new Map<ServerTransaction, IncomingCallImpl>();

  constructor(readonly transport: Transport, readonly opts: UserAgentOptions) {
    this.layer = new TransactionLayer(transport, { ...DEFAULT_TIMERS, ...opts.timers });
    this.layer.setUser(this);
    if (opts.onTrace) transport.onTrace(opts.onTrace);
    this.aor = `sip:${opts.account.username}@${opts.domain}`;
    // §18.1.1 / RFC 3263: a Contact reachable over TCP/TLS says so, or the peer would answer over UDP.
    const tp = transport.protocol === "UDP" ? "" : `;transport=${transport.protocol.toLowerCase()}`;
    this.contact = `<sip:${opts.account.username}@${this.host}:${this.port}${tp}>`;
    this.server = { address: opts.server.host, port: opts.server.port };
    this.registration = new Registration(this);
  }

  get host(): string {
    return this.transport.localAddress;
  }
  get port(): number {
    return this.transport.localPort;
  }
  /** Our Via sent-by and transport (§18.1.1: the Via names the transport the request goes over). */
  get sentBy(): { host: string; port: number; transport: string } {
    return { host: this.host, port: this.port, transport: this.transport.protocol };
  }
  get localAddress(): string {
    return this.transport.localAddress;
  }
  get localPort(): number {
    return this.transport.localPort;
  }
  get stats() {
    return this.transport.stats;
  }

  /** Our From/To display form: "Name" <sip:user@domain>. */
  get identity(): string {
    const dn = this.opts.account.displayName;
    return dn ? `"${dn.replace(/"/g, "")}" <${this.aor}>` : `<${this.aor}>`;
  }

  register(opts?: { expires?: number } | number): Promise<RegisterResult> {
    const expires = typeof opts === "number" ? opts : (opts?.expires ?? 3600);
    return this.registration.send(expires);
  }

  unregister(): Promise<RegisterResult> {
    return this.registration.send(0);
  }

  invite(target: string, sdp: string, opts: InviteOptions = {}): OutgoingCall {
    const uri = target.includes(":") ? target : `sip:${target}@${this.opts.domain}`;
    return new OutgoingCallImpl(this, uri, sdp, opts);
  }

  onIncomingCall(cb: (call: IncomingCall) => void): void {
    this.incomingHandler = cb;
  }

  addDialog(key: string, user: DialogUser): void {
    this.dialogs.set(key, user);
  }

  removeDialog(key: string): void {
    this.dialogs.delete(key);
  }

  /**
   * Sends a request in a client transaction and answers one 401/407 challenge per nonce with
   * Authorization / Proxy-Authorization (RFC 3261 §22.2-22.3); a second challenge that is not
   * `stale` is final (wrong credentials).
   */
  sendAuthed(req: SipRequest, dest: Address, h: AuthedHandlers, attempt = 0): void {
    if (this.closed) return h.onTimeout();
    // Whoever awaits this request must hear back even if the UA is closed meanwhile.
    const abort = () => h.onTimeout();
    this.pending.add(abort);
    const tx = this.layer.sendRequest(req, dest, {
      onResponse: (res) => {
        if (res.status < 200) return h.onProvisional?.(res);
        this.pending.delete(abort);
        if ((res.status === 401 || res.status === 407) && attempt < 2) {
          const proxy = res.status === 407;
          const ch = pickChallenge(res.headers.getAll(proxy ? "proxy-authenticate" : "www-authenticate"), this.opts.account.realm ?? null);
          if (ch && (attempt === 0 || ch.stale)) {
            const value = digestAuthorization(
              ch,
              { username: this.opts.account.authUsername || this.opts.account.username, password: this.opts.account.password },
              { method: req.method, uri: req.uri },
            );
            const next = reissue(req, this.host, this.port, { header: proxy ? "Proxy-Authorization" : "Authorization", value });
            return this.sendAuthed(next, dest, h, attempt + 1);
          }
        }
        h.onFinal(res);
      },
      onTimeout: () => {
        this.pending.delete(abort);
        h.onTimeout();
      },
    });
    h.onSent?.(req, tx);
  }

  // ---- TransactionUser ----------------------------------------------------------------------

  onRequest(req: SipRequest, tx: ServerTransaction | null, src: Address): void {
    if (this.closed) return;
    const toTag = req.to?.tag;
    const fromTag = req.from?.tag ?? "";
    if (req.method === "CANCEL" && tx) return this.onCancel(req, tx);
    if (toTag) {
      const d = this.dialogs.get(dialogKey(req.callId, toTag, fromTag));
      if (d) return d.onRequest(req, tx);
      // §12.2.2: a request for a dialog we do not know → 481 (ACKs are just dropped).
      if (tx) tx.respond(buildResponse(req, 481, reasonFor(481)));
      return;
    }
    if (!tx) return; // stray ACK
    switch (req.method) {
      case "INVITE": {
        if (!this.incomingHandler) return tx.respond(buildResponse(req, 480, reasonFor(480)));
        const call = new IncomingCallImpl(this, req, tx, src);
        this.incomingHandler(call);
        return;
      }
      case "OPTIONS":
        // §11.2: capabilities.
        return tx.respond(buildResponse(req, 200, "OK", { extra: [["Allow", ALLOW], ["Accept", "application/sdp"]] }));
      case "BYE":
        return tx.respond(buildResponse(req, 481, reasonFor(481)));
      default:
        return tx.respond(buildResponse(req, 405, reasonFor(405), { extra: [["Allow", ALLOW]] }));
    }
  }

  /** §9.2: 200 to the CANCEL, 487 to the INVITE if it has no final response yet; 481 if no match. */
  private onCancel(req: SipRequest, tx: ServerTransaction): void {
    const inv = this.layer.findInviteForCancel(req);
    if (!inv) return tx.respond(buildResponse(req, 481, reasonFor(481)));
    tx.respond(buildResponse(req, 200, "OK"));
    const call = this.pendingIncoming.get(inv);
    if (call) call.cancelledByRemote();
  }

  onStrayResponse(res: SipResponse, _src: Address): void {
    // 2xx retransmissions that outlived the client transaction still need an ACK (§13.2.2.4).
    if (res.cseq?.method !== "INVITE" || res.status < 200 || res.status >= 300) return;
    const d = this.dialogs.get(dialogKey(res.callId, res.from?.tag ?? "", res.to?.tag ?? ""));
    d?.onStrayResponse?.(res);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const abort of [...this.pending]) abort();
    this.pending.clear();
    this.layer.close();
    await this.transport.close();
  }
}

/**
 * A user agent on its own transport: UDP (default), TCP or TLS as `server.transport` says. Over
 * TCP/TLS it listens on localAddress:localPort (our Via sent-by and Contact) and keeps one
 * connection per remote; `tls` sets certificate verification and an optional client certificate.
 */
export async function createUserAgent(opts: UserAgentOptions): Promise<UserAgent> {
  const address = opts.localAddress ?? "127.0.0.1";
  const port = opts.localPort ?? 0;
  const proto = opts.server.transport ?? "UDP";
  let transport: Transport;
  if (proto === "UDP") transport = await UdpTransport.open({ address, port });
  else if (proto === "TCP" || proto === "TLS") transport = await StreamTransport.open({ protocol: proto, address, port, tls: opts.tls });
  else throw new Error(`unknown SIP transport ${String(proto)}`);
  return new UserAgentCore(transport, opts);
}
