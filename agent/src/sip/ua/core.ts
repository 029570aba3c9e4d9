/**
 * The UA core (RFC 3261 §8, §12-§15): builds requests, answers digest challenges (re-using the
 * nonce with a counting nc, retrying `stale=true`), routes incoming requests to dialogs / new
 * calls, sends out-of-dialog requests (OPTIONS, MESSAGE…), and answers what no one else handles
 * (OPTIONS 200, INFO or an unknown dialog 481, an unknown required extension 420, a too short
 * Session-Expires 422, unsupported methods 405).
 */
import { type Challenge, pickChallenge, digestAuthorization } from "../digest.js";
import type { SipRequest, SipResponse } from "../message.js";
import { DEFAULT_TIMERS } from "../timers.js";
import type { ClientTransaction } from "../transaction/client.js";
import { TransactionLayer, type TransactionUser } from "../transaction/layer.js";
import type { ServerTransaction } from "../transaction/server.js";
import { StreamTransport } from "../transport/stream.js";
import type { Address, Transport } from "../transport/transport.js";
import { UdpTransport } from "../transport/udp.js";
import { ALLOW, SUPPORTED, buildRequest, buildResponse, ourVia, reasonFor, reissue, requestResult } from "./build.js";
import { dialogKey, uriAddress } from "./dialog.js";
import { newCallId, newTag } from "./ids.js";
import { IncomingCallImpl } from "./incoming-call.js";
import { OutgoingCallImpl } from "./outgoing-call.js";
import { Registration } from "./registration.js";
import { negotiateAsUas, sessionConfig } from "./session-timer.js";
import type {
  IncomingCall, InviteOptions, OutgoingCall, OutOfDialogOptions, RegisterOptions, RegisterResult, RegistrationState, RequestResult, UserAgent, UserAgentOptions,
} from "./types.js";

/** Challenge rounds per request: one fresh challenge plus `stale=true` re-challenges (bounded). */
export const MAX_AUTH_ROUNDS = 3;

/** Option tags a peer may Require of us (RFC 3262, RFC 4028). */
const KNOWN_EXTENSIONS = new Set(["100rel", "timer"]);

type AuthHeader = "Authorization" | "Proxy-Authorization";

export interface AuthedHandlers {
  /** Every request actually sent (the original and re-sent ones with credentials). */
  onSent?(req: SipRequest, tx: ClientTransaction): void;
  onProvisional?(res: SipResponse): void;
  onFinal(res: SipResponse): void;
  /** Timer B/F: no final response; or the transport could not deliver it (with the reason). */
  onTimeout(transportError?: string): void;
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
  private reg: Registration;
  /** The last challenge answered per credentials header and its nonce count (RFC 2617 §3.2.2). */
  private nonces = new Map<AuthHeader, { challenge: Challenge; nc: number }>();
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
    this.reg = new Registration(this);
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

  /**
   * REGISTER (§10.2) asking for `expires` seconds (default 3600). With `refresh` (default true) the
   * binding is refreshed before the granted lifetime runs out (see registerRefreshDelayMs) until
   * unregister() or close().
   */
  register(opts?: RegisterOptions | number): Promise<RegisterResult> {
    const o = typeof opts === "number" ? { expires: opts } : (opts ?? {});
    return this.reg.register(o.expires ?? 3600, o.refresh ?? true);
  }

  /** De-registers our Contact with `Expires: 0` (§10.2.2) and stops refreshing. */
  unregister(): Promise<RegisterResult> {
    return this.reg.unregister();
  }

  get registration(): RegistrationState {
    return this.reg.state;
  }

  onRegistrationRefresh(cb: (r: RegisterResult) => void): void {
    this.reg.onRefresh = cb;
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
   * Sends a request in a client transaction and answers 401/407 challenges with Authorization /
   * Proxy-Authorization (RFC 3261 §22.2-22.3). One fresh challenge is answered; a second one that
   * is not `stale` is final (wrong credentials). A `stale=true` challenge (RFC 2617 §3.2.1: the
   * credentials were right, the nonce expired) is retried with the new nonce without counting as a
   * failure, bounded by MAX_AUTH_ROUNDS. Credentials sent pre-emptively (see preemptiveAuth) do not
   * count either: if the registrar forgot the nonce we answer its fresh challenge once.
   */
  sendAuthed(req: SipRequest, dest: Address, h: AuthedHandlers, state: { rounds: number; fresh: boolean } = { rounds: 0, fresh: false }): void {
    if (this.closed) return h.onTimeout();
    // Whoever awaits this request must hear back even if the UA is closed meanwhile.
    const abort = () => h.onTimeout();
    this.pending.add(abort);
    const tx = this.layer.sendRequest(req, dest, {
      onResponse: (res) => {
        if (res.status < 200) return h.onProvisional?.(res);
        this.pending.delete(abort);
        if ((res.status === 401 || res.status === 407) && state.rounds < MAX_AUTH_ROUNDS) {
          const proxy = res.status === 407;
          const ch = pickChallenge(res.headers.getAll(proxy ? "proxy-authenticate" : "www-authenticate"), this.opts.account.realm ?? null);
          if (ch && (ch.stale || !state.fresh)) {
            const header = proxy ? "Proxy-Authorization" : "Authorization";
            const value = this.answerChallenge(header, ch, req.method, req.uri);
            const next = reissue(req, this.host, this.port, { header, value });
            return this.sendAuthed(next, dest, h, { rounds: state.rounds + 1, fresh: state.fresh || !ch.stale });
          }
        }
        h.onFinal(res);
      },
      onTimeout: (transportError) => {
        this.pending.delete(abort);
        h.onTimeout(transportError);
      },
    });
    h.onSent?.(req, tx);
  }

  /**
   * Credentials for a challenge, remembered per header kind so the nonce can be reused: the
   * nonce count goes up by one for every request sent with the same nonce (RFC 2617 §3.2.2,
   * RFC 8760 §2.1 keeps those rules for SHA-256), and starts again at 1 with a new nonce.
   */
  private answerChallenge(header: AuthHeader, ch: Challenge, method: string, uri: string): string {
    const prev = this.nonces.get(header);
    const nc = prev && prev.challenge.nonce === ch.nonce && prev.challenge.realm === ch.realm ? prev.nc + 1 : 1;
    this.nonces.set(header, { challenge: ch, nc });
    const cred = { username: this.opts.account.authUsername || this.opts.account.username, password: this.opts.account.password };
    return digestAuthorization(ch, cred, { method, uri }, nc);
  }

  /**
   * Credentials computed in advance from the last challenge of that kind (RFC 3261 §22.3 allows
   * re-using them "with future requests in the same protection space"), with the next nonce count
   * (qop=auth; without qop RFC 2617 §3.2.2 lets the client re-use the nonce as it is and the server
   * decide); null when none was seen yet. A registrar that no longer accepts the nonce answers 401
   * stale=true, or 401 with a fresh nonce, and sendAuthed answers that.
   */
  preemptiveAuth(header: AuthHeader, method: string, uri: string): { header: AuthHeader; value: string } | null {
    const prev = this.nonces.get(header);
    if (!prev) return null;
    return { header, value: this.answerChallenge(header, prev.challenge, method, uri) };
  }

  /** The nonce count last used with each kind of credentials (for tests and traces). */
  nonceCount(header: AuthHeader): number {
    return this.nonces.get(header)?.nc ?? 0;
  }

  /**
   * An out-of-dialog request (OPTIONS, INFO, MESSAGE…) to `target` through the server (or directly
   * to the target's host:port), answered by its final response; digest challenges are answered.
   */
  request(method: string, target: string, opts: OutOfDialogOptions = {}): Promise<RequestResult> {
    const uri = target.includes(":") ? target : `sip:${target}@${this.opts.domain}`;
    const req = buildRequest({
      method,
      uri,
      via: ourVia(this.host, this.port, this.transport.protocol),
      from: `${this.identity};tag=${newTag()}`,
      to: `<${uri}>`,
      callId: newCallId(this.host),
      cseq: 1,
      contact: this.contact,
      userAgent: this.opts.userAgent,
      extra: opts.headers,
      body: opts.body,
      contentType: opts.contentType,
    });
    const dest = opts.direct ? (uriAddress(uri) ?? this.server) : this.server;
    return new Promise((resolve) => {
      this.sendAuthed(req, dest, {
        onFinal: (res) => resolve(requestResult(res)),
        onTimeout: (transportError) =>
          resolve({ ok: false, statusCode: null, reason: transportError ? `${method} not sent: ${transportError}` : `no response to ${method} (timeout)`, headers: null, body: "" }),
      });
    });
  }

  options(target: string, opts: OutOfDialogOptions = {}): Promise<RequestResult> {
    return this.request("OPTIONS", target, opts);
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
        // §8.2.2.3: an extension we do not implement is required → 420 naming it.
        const unsupported = req.headers.getAll("require").flatMap((v) => v.split(",")).map((t) => t.trim().toLowerCase()).filter((t) => t && !KNOWN_EXTENSIONS.has(t));
        if (unsupported.length > 0) return tx.respond(buildResponse(req, 420, reasonFor(420), { extra: [["Unsupported", unsupported.join(", ")]] }));
        // RFC 4028 §9: a Session-Expires below our Min-SE → 422 naming our Min-SE.
        const minSE = sessionConfig(this.opts.sessionTimer).minSE;
        if (negotiateAsUas(req, minSE, null)?.tooSmall) return tx.respond(buildResponse(req, 422, reasonFor(422), { extra: [["Min-SE", String(minSE)]] }));
        if (!this.incomingHandler) return tx.respond(buildResponse(req, 480, reasonFor(480)));
        const call = new IncomingCallImpl(this, req, tx, src);
        this.incomingHandler(call);
        return;
      }
      case "OPTIONS":
        // §11.2: capabilities.
        return tx.respond(buildResponse(req, 200, "OK", { extra: [["Allow", ALLOW], ["Accept", "application/sdp"], ["Supported", SUPPORTED]] }));
      case "INFO":
        // RFC 6086 §4.2.2: INFO belongs to an INVITE dialog usage; one outside any dialog → 481.
        return tx.respond(buildResponse(req, 481, reasonFor(481)));
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
    this.reg.stop();
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
