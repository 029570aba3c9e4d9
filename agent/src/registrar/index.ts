/**
 * The built-in registrar + proxy ("test without your own SIP server"), run as
 * `ringfleet-agent registrar`. One UDP socket; REGISTER with digest auth into an in-memory
 * location table; INVITEs from local users challenged (407) and proxied statefully to the
 * callee's registered contact with Record-Route; in-dialog requests loose-routed statelessly.
 */
import { nonceIssuer } from "../sip/digest.js";
import type { SipRequest, SipResponse } from "../sip/message.js";
import { TransactionLayer, type TransactionUser } from "../sip/transaction/layer.js";
import type { ServerTransaction, InviteServerTransaction } from "../sip/transaction/server.js";
import { DEFAULT_TIMERS, type TimerBase } from "../sip/timers.js";
import type { Address } from "../sip/transport/transport.js";
import { UdpTransport } from "../sip/transport/udp.js";
import { buildResponse } from "../sip/ua/build.js";
import { parseSipUri } from "../sip/uri.js";
import { LocationTable } from "./location.js";
import { ProxiedInvite, forwardCopy, isSelf, newBranch, nextHop, popOwnRoute, relayResponse, statelessBranch } from "./proxy.js";
import { authenticate, handleRegister, type AuthContext } from "./registrar.js";

export interface RegistrarOptions {
  host: string;
  port: number;
  domain: string;
  accounts: { username: string; password: string }[];
  /** Digest realm, default the domain. */
  realm?: string;
  timers?: Partial<TimerBase>;
}

export interface RegistrarStats {
  received: number;
  sent: number;
  malformed: number;
  /** Live bindings in the location table. */
  bindings: number;
  registered: number;
  authFailures: number;
  invitesProxied: number;
  notFound: number;
}

export interface RegistrarHandle {
  port: number;
  stop(): Promise<void>;
  readonly stats: RegistrarStats;
}

class RegistrarCore implements TransactionUser {
  readonly location = new LocationTable();
  readonly auth: AuthContext;
  readonly me: { host: string; port: number };
  private invites = new Map<InviteServerTransaction, ProxiedInvite>();
  counters = { registered: 0, authFailures: 0, invitesProxied: 0, notFound: 0 };

  constructor(private layer: TransactionLayer, private opts: RegistrarOptions) {
    this.me = { host: layer.transport.localAddress, port: layer.transport.localPort };
    this.auth = { realm: opts.realm ?? opts.domain, nonces: nonceIssuer(), passwords: new Map(opts.accounts.map((a) => [a.username, a.password])) };
  }

  /** A user of our domain: the Request-URI's host is the domain (any port) or this server. */
  private localUser(uri: string): string | null {
    const u = parseSipUri(uri);
    if (!u || u.user === null) return null;
    return u.host === this.opts.domain || isSelf(uri, this.me) ? u.user : null;
  }

  onRequest(req: SipRequest, tx: ServerTransaction | null, _src: Address): void {
    const reply = (code: number, reason: string) => tx?.respond(buildResponse(req, code, reason));
    const routed = popOwnRoute(req, this.me);
    // §16.3 step 3 / §16.6 step 3: Max-Forwards exhausted.
    if (req.maxForwards === 0 && req.method !== "ACK" && (routed || req.method !== "REGISTER")) return void reply(483, "Too Many Hops");

    if (req.method === "ACK") {
      // ACK for a 2xx (its own transaction) or in-dialog: forward statelessly along the route set.
      if (routed || req.to?.tag) this.forwardStateless(req);
      return;
    }
    if (!tx) return;
    if (req.method === "CANCEL") return this.onCancel(req, tx);
    if (routed || req.to?.tag) {
      // In-dialog request (§16.12 loose routing): on to the next Route or the Request-URI.
      return this.forwardStatefulNonInvite(req, tx);
    }
    if (req.method === "REGISTER") {
      const res = handleRegister(req, this.auth, this.location);
      if (res.status === 200) this.counters.registered++;
      else if (res.status === 403) this.counters.authFailures++;
      return tx.respond(res);
    }
    if (req.method === "OPTIONS" && (parseSipUri(req.uri)?.user ?? null) === null) {
      return tx.respond(buildResponse(req, 200, "OK", { extra: [["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER"]] }));
    }
    if (req.method === "INVITE") return this.onInvite(req, tx);
    // Other out-of-dialog requests for registered users are relayed; the rest is not ours.
    const target = this.lookupTarget(req);
    if (!target) return void reply(404, "Not Found");
    this.forwardStatefulNonInvite(req, tx, target);
  }

  private lookupTarget(req: SipRequest): string | null {
    const user = this.localUser(req.uri);
    if (user === null) return null;
    return this.location.lookup(user)[0]?.uri ?? null;
  }

  private onInvite(req: SipRequest, tx: ServerTransaction): void {
    if (tx.kind !== "invite-server") return;
    const from = req.from ? parseSipUri(req.from.uri) : null;
    // Local callers must authenticate (407); RFC 3261 §22.3.
    if (from && from.host === this.opts.domain) {
      const a = authenticate(req, this.auth, true);
      if (!a.ok) {
        if (a.response.status === 403) this.counters.authFailures++;
        return tx.respond(a.response);
      }
      if (from.user !== a.username) {
        this.counters.authFailures++;
        return tx.respond(buildResponse(req, 403, "Forbidden auth ID"));
      }
    }
    const target = this.lookupTarget(req);
    if (!target) {
      this.counters.notFound++;
      return tx.respond(buildResponse(req, 404, "Not Found"));
    }
    tx.respond(buildResponse(req, 100, "Trying"));
    const fwd = forwardCopy(req, target, this.me, { recordRoute: true, branch: newBranch() });
    // Credentials for our realm are consumed here, not forwarded (§22.3).
    fwd.headers.remove("proxy-authorization");
    const dest = nextHop(fwd);
    if (!dest) return tx.respond(buildResponse(req, 404, "Not Found"));
    const p = new ProxiedInvite(tx, this.layer, dest);
    this.invites.set(tx, p);
    // Forget the context once the upstream transaction is gone (Timer H/I/L).
    tx.onTerminated = () => this.invites.delete(tx);
    p.start(fwd);
    this.counters.invitesProxied++;
  }

  /** §16.10: CANCEL is answered here and a new one sent downstream for the matching INVITE. */
  private onCancel(req: SipRequest, tx: ServerTransaction): void {
    const inv = this.layer.findInviteForCancel(req);
    const p = inv ? this.invites.get(inv) : undefined;
    if (!inv || !p) return tx.respond(buildResponse(req, 481, "Call/Transaction Does Not Exist"));
    tx.respond(buildResponse(req, 200, "OK"));
    p.cancel();
  }

  /** BYE and other in-dialog requests: a client transaction downstream, responses relayed back. */
  private forwardStatefulNonInvite(req: SipRequest, tx: ServerTransaction, target?: string): void {
    const fwd = forwardCopy(req, target ?? req.uri, this.me, { recordRoute: false, branch: newBranch() });
    const dest = nextHop(fwd);
    // No next hop, or it would be us again (a loop): nothing to route to.
    if (!dest || (dest.address === this.me.host && dest.port === this.me.port)) return tx.respond(buildResponse(req, 404, "Not Found"));
    if (req.method === "INVITE") {
      // re-INVITE: same machinery as an initial INVITE, without auth and lookup.
      if (tx.kind !== "invite-server") return;
      const p = new ProxiedInvite(tx, this.layer, dest);
      this.invites.set(tx, p);
      tx.onTerminated = () => this.invites.delete(tx);
      p.start(fwd);
      return;
    }
    this.layer.sendRequest(fwd, dest, {
      onResponse: (res) => {
        const r = relayResponse(res);
        if (r) tx.respond(r.res);
      },
      onTimeout: () => tx.respond(buildResponse(req, 408, "Request Timeout")),
    });
  }

  private forwardStateless(req: SipRequest): void {
    const fwd = forwardCopy(req, req.uri, this.me, { recordRoute: false, branch: statelessBranch(req) });
    const dest = nextHop(fwd);
    if (dest) this.layer.sendStateless(fwd, dest);
  }

  /** Responses to statelessly forwarded requests, and 2xx retransmissions after our transaction ended. */
  onStrayResponse(res: SipResponse, _src: Address): void {
    const top = res.topVia;
    if (!top || top.host !== this.me.host || top.port !== this.me.port) return;
    const r = relayResponse(res);
    if (r) this.layer.sendStateless(r.res, r.dest);
  }
}

export async function startRegistrar(opts: RegistrarOptions): Promise<RegistrarHandle> {
  const transport = await UdpTransport.open({ address: opts.host, port: opts.port });
  const layer = new TransactionLayer(transport, { ...DEFAULT_TIMERS, ...opts.timers });
  const core = new RegistrarCore(layer, opts);
  layer.setUser(core);
  return {
    port: transport.localPort,
    get stats(): RegistrarStats {
      return {
        received: transport.stats.received,
        sent: transport.stats.sent,
        malformed: transport.stats.malformed,
        bindings: core.location.size,
        ...core.counters,
      };
    },
    async stop() {
      layer.close();
      await transport.close();
    },
  };
}
