/**
 * TCP and TLS transports over node:net / node:tls (RFC 3261 §18): a listener on the local
 * address/port (the sent-by of our Via and the port of our Contact) plus one connection per
 * remote address:port, whoever opened it (connection reuse, §18.1.1, §18.2.2). Messages are
 * framed by Content-Length (§18.3, see framer.ts); an unframeable stream drops its connection
 * and is counted. TLS is 1.2 or later; the server certificate is verified against the system
 * CAs (default), a given CA PEM, or not at all; an optional certificate + key serves both as
 * the client certificate (mTLS) and as our listener's certificate.
 */
import { createServer, connect as netConnect, isIP, type Server, type Socket } from "node:net";
import { checkServerIdentity as defaultCheck, connect as tlsConnect, createServer as tlsCreateServer, type ConnectionOptions, type TLSSocket } from "node:tls";
import type { SipMessage } from "../message.js";
import { serialize } from "../serializer.js";
import { StreamFramer } from "./framer.js";
import { type Address, type TraceEvent, type Transport, type TransportStats, deliverMessage, formatAddress } from "./transport.js";

export interface TlsOptions {
  /** Server certificate verification: system CAs (default), the `ca` PEM, or none. */
  verify?: "system" | "custom" | "skip";
  /** CA certificate(s), PEM; required for verify "custom". */
  ca?: string;
  /** Our certificate (PEM) and key: the client certificate for mTLS and the listener's certificate. */
  cert?: string;
  key?: string;
  /** Name to send as SNI and to verify the certificate against (default: the destination host). */
  serverName?: string;
}

export interface StreamTransportOptions {
  protocol: "TCP" | "TLS";
  /** Address to bind, default 127.0.0.1. */
  address?: string;
  /** Listening port, 0 (default) = ephemeral. */
  port?: number;
  tls?: TlsOptions;
  /** A connection that is not established (TLS: handshake done) in this time is dropped. Default 10 s. */
  connectTimeoutMs?: number;
}

interface Conn {
  key: string;
  socket: Socket;
  framer: StreamFramer;
  outgoing: boolean;
  ready: boolean;
}

const unmap = (a: string | undefined) => (a && a.startsWith("::ffff:") ? a.slice(7) : (a ?? ""));

export class StreamTransport implements Transport {
  readonly reliable = true;
  readonly stats: TransportStats = { received: 0, sent: 0, malformed: 0, sendErrors: 0, droppedConnections: 0 };
  /** The last connection or TLS error (e.g. a certificate that did not verify), for diagnostics. */
  lastError: string | null = null;
  private conns = new Map<string, Conn>();
  /** Every open socket, including one that lost its key to a newer connection to the same remote. */
  private sockets = new Set<Socket>();
  private handler: ((msg: SipMessage, src: Address) => void) | null = null;
  private trace: ((e: TraceEvent) => void) | null = null;
  private errorHandler: ((dest: Address, reason: string) => void) | null = null;
  private closed = false;

  private constructor(
    readonly protocol: "TCP" | "TLS",
    private server: Server,
    readonly localAddress: string,
    readonly localPort: number,
    private opts: StreamTransportOptions,
  ) {
    server.on("connection", (s: Socket) => {
      if (protocol === "TCP") this.adopt(s);
    });
    server.on("secureConnection", (s: TLSSocket) => this.adopt(s));
    server.on("tlsClientError", (err) => {
      this.lastError = `inbound TLS: ${err.message}`;
    });
    server.on("error", () => this.stats.sendErrors++);
  }

  static async open(opts: StreamTransportOptions): Promise<StreamTransport> {
    const address = opts.address ?? "127.0.0.1";
    const t = opts.tls ?? {};
    if (opts.protocol === "TLS" && t.verify === "custom" && !t.ca) throw new Error("TLS verify \"custom\" needs a CA certificate (tls.ca)");
    if ((t.cert && !t.key) || (t.key && !t.cert)) throw new Error("TLS client certificate needs both cert and key");
    // Without a certificate our TLS listener cannot complete a handshake: it still holds the
    // port of our Via/Contact, and requests reach us over the connections we opened.
    const server =
      opts.protocol === "TLS"
        ? tlsCreateServer({ minVersion: "TLSv1.2", ...(t.cert && t.key ? { cert: t.cert, key: t.key } : {}) })
        : createServer();
    return await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, address, () => {
        server.off("error", reject);
        const port = (server.address() as { port: number }).port;
        resolve(new StreamTransport(opts.protocol, server, address, port, opts));
      });
    });
  }

  /** Open connections (for tests and diagnostics). */
  get connectionCount(): number {
    return this.conns.size;
  }

  /** A connection we accepted: keyed by its remote address:port, so replies and requests there reuse it. */
  private adopt(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    const remote = { address: unmap(socket.remoteAddress), port: socket.remotePort ?? 0 };
    const conn: Conn = { key: formatAddress(remote), socket, framer: new StreamFramer(), outgoing: false, ready: true };
    this.attach(conn, remote);
  }

  private attach(conn: Conn, remote: Address): void {
    const { socket } = conn;
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const previous = this.conns.get(conn.key);
    if (!previous || previous.socket.destroyed) this.conns.set(conn.key, conn);
    socket.on("data", (chunk: Buffer) => this.onData(conn, remote, chunk));
    socket.on("error", (err) => {
      this.lastError = `${conn.key}: ${err.message}`;
      if (conn.outgoing && !conn.ready) {
        this.stats.sendErrors++;
        this.errorHandler?.(remote, err.message);
      }
    });
    socket.on("close", () => {
      this.sockets.delete(socket);
      if (this.conns.get(conn.key) === conn) this.conns.delete(conn.key);
    });
  }

  private onData(conn: Conn, remote: Address, chunk: Buffer): void {
    const r = conn.framer.push(chunk);
    for (const m of r.messages) this.deliver(m, remote);
    if (r.pings > 0 && !conn.socket.destroyed) conn.socket.write("\r\n"); // RFC 5626 §4.4.1 pong
    if (r.error) {
      this.stats.malformed++;
      this.stats.droppedConnections = (this.stats.droppedConnections ?? 0) + 1;
      this.lastError = `${conn.key}: ${r.error}`;
      if (this.conns.get(conn.key) === conn) this.conns.delete(conn.key);
      conn.socket.destroy();
    }
  }

  /** Framed but not a valid message: counted; the stream itself is still in sync, so the connection stays. */
  private deliver(buf: Buffer, src: Address): void {
    deliverMessage(buf, src, this.stats, this.trace, this.handler);
  }

  private connect(dest: Address): Conn {
    const t = this.opts.tls ?? {};
    const wildcard = this.localAddress === "0.0.0.0" || this.localAddress === "::";
    const localAddress = wildcard ? undefined : this.localAddress;
    let socket: Socket;
    if (this.protocol === "TLS") {
      const verify = t.verify ?? "system";
      const servername = t.serverName ?? (isIP(dest.address) ? undefined : dest.address);
      // tls.connect passes socket.connect() options such as localAddress through (not in its typings).
      const o: ConnectionOptions & { localAddress?: string } = {
        host: dest.address,
        port: dest.port,
        localAddress,
        minVersion: "TLSv1.2",
        rejectUnauthorized: verify !== "skip",
        ...(servername ? { servername } : {}),
        ...(verify === "custom" && t.ca ? { ca: t.ca } : {}),
        ...(t.cert && t.key ? { cert: t.cert, key: t.key } : {}),
      };
      // A configured serverName is what the certificate must name, even when we dial an IP.
      if (t.serverName && verify !== "skip") {
        const name = t.serverName;
        o.checkServerIdentity = (_host, cert) => defaultCheck(name, cert);
      }
      socket = tlsConnect(o);
    } else {
      socket = netConnect({ host: dest.address, port: dest.port, localAddress });
    }
    const conn: Conn = { key: formatAddress(dest), socket, framer: new StreamFramer(), outgoing: true, ready: false };
    const timeout = setTimeout(() => {
      if (!conn.ready) socket.destroy(new Error(`connect to ${conn.key} timed out`));
    }, this.opts.connectTimeoutMs ?? 10_000);
    timeout.unref?.();
    socket.once(this.protocol === "TLS" ? "secureConnect" : "connect", () => {
      conn.ready = true;
      clearTimeout(timeout);
    });
    socket.once("close", () => clearTimeout(timeout));
    this.attach(conn, dest);
    this.conns.set(conn.key, conn);
    return conn;
  }

  send(msg: SipMessage, dest: Address): void {
    if (this.closed) return;
    const text = serialize(msg);
    const key = formatAddress(dest);
    if (this.trace) this.trace({ t: Date.now(), dir: "out", remote: key, text });
    let conn = this.conns.get(key);
    if (!conn || conn.socket.destroyed || !conn.socket.writable) conn = this.connect(dest);
    this.stats.sent++;
    // Writes before the connection (or TLS handshake) is up are buffered by the socket.
    conn.socket.write(text);
  }

  onMessage(cb: (msg: SipMessage, src: Address) => void): void {
    this.handler = cb;
  }

  onTrace(cb: ((e: TraceEvent) => void) | null): void {
    this.trace = cb;
  }

  /** A connection towards dest could not be established (refused, TLS verification, timeout). */
  onTransportError(cb: ((dest: Address, reason: string) => void) | null): void {
    this.errorHandler = cb;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.conns.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
