/**
 * UDP transport (RFC 3261 §18): one socket per endpoint, messages are whole datagrams. Malformed
 * datagrams are counted and dropped; send errors are counted, not thrown, because UDP loss is
 * normal and the transaction layer's timers deal with it.
 *
 * Two socket backends behind one small interface: under Bun its native `Bun.udpSocket` (a
 * synchronous send of the string, no per-packet Buffer, callback or EventEmitter dispatch:
 * about half the CPU per datagram of Bun's node:dgram, which the agent sends hundreds of per
 * second per core), and node:dgram everywhere else (Node, vitest) and as the fallback.
 */
import { createSocket } from "node:dgram";
import { lookup } from "node:dns";
import { isIP, isIPv6 } from "node:net";
import type { SipMessage } from "../message.js";
import { serialize } from "../serializer.js";
import { deliverMessage, type Address, type TraceEvent, type Transport, type TransportStats } from "./transport.js";
import { bunUdp, preferBunUdp } from "../../net/bun-udp.js";

export interface UdpTransportOptions {
  /** Address to bind, default 127.0.0.1. */
  address?: string;
  /** Port to bind, 0 (default) = ephemeral. */
  port?: number;
  /**
   * Socket backend: "bun" (Bun.udpSocket, the default under Bun) or "dgram" (node:dgram, the
   * default elsewhere). RINGFLEET_UDP=dgram forces node:dgram under Bun too.
   */
  backend?: UdpBackend;
}

export type UdpBackend = "bun" | "dgram";

/** What the transport needs from a datagram socket. */
interface DatagramSocket {
  readonly port: number;
  /** The underlying socket object (a dgram.Socket for "dgram"), for test harnesses that watch it. */
  readonly raw: unknown;
  /** Sends one datagram to an IP literal; failures are reported through `onError`, never thrown. */
  send(text: string, port: number, address: string): void;
  close(): Promise<void>;
}

type OnDatagram = (buf: Buffer, src: Address) => void;

export class UdpTransport implements Transport {
  readonly protocol = "UDP" as const;
  readonly reliable = false;
  readonly stats: TransportStats = { received: 0, sent: 0, malformed: 0, sendErrors: 0 };
  private handler: ((msg: SipMessage, src: Address) => void) | null = null;
  private trace: ((e: TraceEvent) => void) | null = null;
  private closed = false;
  private socket!: DatagramSocket;
  /** Destination host → whether it is an IP literal (sends to names need a lookup first, as node:dgram does). */
  private literal = new Map<string, boolean>();

  private constructor(readonly localAddress: string, readonly backend: UdpBackend) {}

  get localPort(): number {
    return this.socket.port;
  }

  static async open(opts: UdpTransportOptions = {}): Promise<UdpTransport> {
    const address = opts.address ?? "127.0.0.1";
    const backend = opts.backend ?? defaultBackend();
    const t = new UdpTransport(address, backend);
    const onData: OnDatagram = (buf, src) => deliverMessage(buf, src, t.stats, t.trace, t.handler);
    // ICMP port unreachable and the like surface as socket errors on some platforms: count, keep going.
    const onError = () => t.stats.sendErrors++;
    t.socket = backend === "bun" ? await openBun(address, opts.port ?? 0, onData, onError) : await openDgram(address, opts.port ?? 0, onData, onError);
    return t;
  }

  send(msg: SipMessage, dest: Address): void {
    if (this.closed) return;
    const text = serialize(msg);
    if (this.trace) this.trace({ t: Date.now(), dir: "out", remote: `${dest.address}:${dest.port}`, text });
    this.stats.sent++;
    if (this.isLiteral(dest.address)) this.socket.send(text, dest.port, dest.address);
    else this.sendToName(text, dest);
  }

  private isLiteral(host: string): boolean {
    let v = this.literal.get(host);
    if (v === undefined) {
      v = isIP(host) !== 0;
      if (this.literal.size < 1024) this.literal.set(host, v);
    }
    return v;
  }

  /** A host name: resolve it in the socket's address family first (what node:dgram's send does). */
  private sendToName(text: string, dest: Address): void {
    lookup(dest.address, { family: isIPv6(this.localAddress) ? 6 : 4 }, (err, ip) => {
      if (err || this.closed) {
        if (err) this.stats.sendErrors++;
        return;
      }
      this.socket.send(text, dest.port, ip);
    });
  }

  onMessage(cb: (msg: SipMessage, src: Address) => void): void {
    this.handler = cb;
  }

  onTrace(cb: ((e: TraceEvent) => void) | null): void {
    this.trace = cb;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.socket.close();
  }
}


function defaultBackend(): UdpBackend {
  return preferBunUdp() ? "bun" : "dgram";
}

async function openBun(address: string, port: number, onData: OnDatagram, onError: () => void): Promise<DatagramSocket> {
  const api = bunUdp();
  if (!api) throw new Error("Bun.udpSocket is only available under Bun");
  const s = await api.udpSocket({
    hostname: address,
    port,
    binaryType: "buffer",
    socket: {
      data: (_s, buf, srcPort, srcAddress) => onData(buf, { address: srcAddress, port: srcPort }),
      error: () => onError(),
    },
  });
  return {
    port: s.port,
    raw: s,
    send(text, destPort, destAddress) {
      // Bun's send throws on a synchronous failure (EAFNOSUPPORT, EHOSTUNREACH…) and returns
      // false when the datagram could not be queued; both are a lost datagram to us.
      try {
        if (!s.send(text, destPort, destAddress)) onError();
      } catch {
        onError();
      }
    },
    close() {
      try {
        s.close();
      } catch {
        // already closed
      }
      return Promise.resolve();
    },
  };
}

function openDgram(address: string, port: number, onData: OnDatagram, onError: () => void): Promise<DatagramSocket> {
  const socket = createSocket({ type: isIPv6(address) ? "udp6" : "udp4" });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => {
      socket.off("error", reject);
      socket.on("error", onError);
      socket.on("message", (buf, rinfo) => onData(buf, { address: rinfo.address, port: rinfo.port }));
      resolve({
        port: socket.address().port,
        raw: socket,
        // No per-packet callback: without one, dgram reports a failed send as the socket's
        // "error" event, which is counted above.
        send: (text, destPort, destAddress) => socket.send(text, destPort, destAddress),
        close: () =>
          new Promise((done) => {
            try {
              socket.close(() => done());
            } catch {
              done();
            }
          }),
      });
    });
  });
}
