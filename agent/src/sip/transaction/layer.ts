/**
 * The transaction layer (RFC 3261 §17): owns the client and server transaction tables, matches
 * incoming messages to them (§17.1.3, §17.2.3) and hands everything else to the transaction user
 * (the UA core or the proxy core).
 */
import { formatVia } from "../header-values.js";
import type { SipMessage, SipRequest, SipResponse } from "../message.js";
import { DEFAULT_TIMERS, type TimerBase, type TimerValues, timerValues } from "../timers.js";
import type { Address, Transport } from "../transport/transport.js";
import { type ClientTransaction, type ClientTransactionHandlers, InviteClientTransaction, NonInviteClientTransaction } from "./client.js";
import { clientKey, clientKeyOfResponse, serverKey } from "./keys.js";
import { InviteServerTransaction, NonInviteServerTransaction, type ServerTransaction } from "./server.js";

export interface TransactionUser {
  /** A request that starts a server transaction (`tx`), or an ACK that matched none (`tx` null: 2xx ACKs). */
  onRequest(req: SipRequest, tx: ServerTransaction | null, src: Address): void;
  /** A response that matched no client transaction (e.g. a 2xx retransmission after Timer M). */
  onStrayResponse?(res: SipResponse, src: Address): void;
}

export class TransactionLayer {
  readonly timers: TimerValues;
  private clients = new Map<string, ClientTransaction>();
  private servers = new Map<string, ServerTransaction>();
  private tu: TransactionUser | null = null;

  constructor(readonly transport: Transport, base: TimerBase = DEFAULT_TIMERS) {
    this.timers = timerValues(base, transport.reliable);
    transport.onMessage((msg, src) => this.receive(msg, src));
    transport.onTransportError?.((dest, reason) => this.transportError(dest, reason));
  }

  /** Client transactions whose destination could not be reached over a connection fail at once. */
  private transportError(dest: Address, reason: string): void {
    for (const tx of [...this.clients.values()]) {
      const d = tx.dest;
      if (d.address === dest.address && d.port === dest.port) tx.transportError(reason);
    }
  }

  setUser(tu: TransactionUser): void {
    this.tu = tu;
  }

  get counts(): { clients: number; servers: number } {
    return { clients: this.clients.size, servers: this.servers.size };
  }

  /** Starts a client transaction for `req` towards `dest`; INVITE or non-INVITE by method. ACK must use sendStateless. */
  sendRequest(req: SipRequest, dest: Address, handlers: ClientTransactionHandlers): ClientTransaction {
    const branch = req.topVia?.branch;
    if (!branch) throw new Error("request without a Via branch");
    const key = clientKey(branch, req.method);
    const env = {
      send: (m: SipRequest) => this.transport.send(m, dest),
      timers: this.timers,
      reliable: this.transport.reliable,
      done: () => this.clients.delete(key),
      dest,
    };
    const tx: ClientTransaction =
      req.method === "INVITE" ? new InviteClientTransaction(key, req, env, handlers) : new NonInviteClientTransaction(key, req, env, handlers);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** Sends outside any transaction: ACK for 2xx (§13.2.2.4), stateless proxying. */
  sendStateless(msg: SipMessage, dest: Address): void {
    this.transport.send(msg, dest);
  }

  /** The INVITE server transaction a CANCEL refers to (§9.2: same branch, sent-by, method INVITE). */
  findInviteForCancel(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = serverKey(cancel, "INVITE");
    const tx = key ? this.servers.get(key) : undefined;
    return tx?.kind === "invite-server" ? tx : undefined;
  }

  /**
   * Where responses to a request go (RFC 3261 §18.2.2 with RFC 3581 §4): the `received` address
   * if present, else sent-by; the `rport` port if present, else the sent-by port, else 5060.
   */
  static responseDestination(req: SipRequest): Address | null {
    const v = req.topVia;
    if (!v) return null;
    return { address: v.received ?? v.host, port: typeof v.rport === "number" ? v.rport : (v.port ?? 5060) };
  }

  /**
   * Where responses to a request received from `src` go: over a reliable transport the connection
   * the request came on (RFC 3261 §18.2.2), else the Via rules of responseDestination().
   */
  responseDest(req: SipRequest, src: Address): Address {
    return this.transport.reliable ? src : (TransactionLayer.responseDestination(req) ?? src);
  }

  private receive(msg: SipMessage, src: Address): void {
    if (msg.type === "response") {
      const key = clientKeyOfResponse(msg);
      const tx = key ? this.clients.get(key) : undefined;
      if (tx) tx.receive(msg);
      else this.tu?.onStrayResponse?.(msg, src);
      return;
    }
    stampVia(msg, src);
    const key = serverKey(msg);
    if (!key) return;
    const existing = this.servers.get(key);
    if (existing) {
      if (existing.receive(msg)) this.tu?.onRequest(msg, null, src);
      return;
    }
    if (msg.method === "ACK") {
      this.tu?.onRequest(msg, null, src);
      return;
    }
    const dest = this.responseDest(msg, src);
    const env = {
      send: (r: SipResponse) => this.transport.send(r, dest),
      timers: this.timers,
      reliable: this.transport.reliable,
      done: () => this.servers.delete(key),
    };
    const tx = msg.method === "INVITE" ? new InviteServerTransaction(key, msg, env) : new NonInviteServerTransaction(key, msg, env);
    this.servers.set(key, tx);
    tx.start();
    if (this.tu) this.tu.onRequest(msg, tx, src);
  }

  /** Terminates every transaction (their timers stop); used on shutdown. */
  close(): void {
    for (const tx of [...this.clients.values()]) tx.terminate();
    for (const tx of [...this.servers.values()]) tx.terminate();
  }
}

/**
 * RFC 3261 §18.2.1: add `received` when the sent-by host differs from the packet's source;
 * RFC 3581 §4: fill an empty `rport` with the source port (and then always add `received`).
 */
function stampVia(req: SipRequest, src: Address): void {
  const v = req.topVia;
  if (!v) return;
  const needReceived = v.host !== src.address;
  const needRport = v.rport === null;
  if (!needReceived && !needRport) return;
  const params = { ...v.params };
  if (needRport) params.rport = String(src.port);
  if (needReceived || needRport) params.received = src.address;
  req.headers.removeFirstValue("via");
  req.headers.prepend("Via", formatVia({ transport: v.transport, host: v.host, port: v.port, params }));
  req.touch();
}
