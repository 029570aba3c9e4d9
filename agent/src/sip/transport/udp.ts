/**
 * UDP transport over node:dgram (RFC 3261 §18): one socket per endpoint, messages are whole
 * datagrams. Malformed datagrams are counted and dropped; send errors are counted, not thrown,
 * because UDP loss is normal and the transaction layer's timers deal with it.
 */
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { SipMessage } from "../message.js";
import { serialize } from "../serializer.js";
import { deliverMessage, type Address, type TraceEvent, type Transport, type TransportStats } from "./transport.js";

export interface UdpTransportOptions {
  /** Address to bind, default 127.0.0.1. */
  address?: string;
  /** Port to bind, 0 (default) = ephemeral. */
  port?: number;
}

export class UdpTransport implements Transport {
  readonly protocol = "UDP" as const;
  readonly reliable = false;
  readonly stats: TransportStats = { received: 0, sent: 0, malformed: 0, sendErrors: 0 };
  private handler: ((msg: SipMessage, src: Address) => void) | null = null;
  private trace: ((e: TraceEvent) => void) | null = null;
  private closed = false;

  private constructor(private socket: Socket, readonly localAddress: string, readonly localPort: number) {
    socket.on("message", (buf, rinfo) => this.receive(buf, { address: rinfo.address, port: rinfo.port }));
    // ICMP port unreachable and the like surface here on some platforms: count, keep going.
    socket.on("error", () => this.stats.sendErrors++);
  }

  static open(opts: UdpTransportOptions = {}): Promise<UdpTransport> {
    const address = opts.address ?? "127.0.0.1";
    const socket = createSocket({ type: isIPv6(address) ? "udp6" : "udp4" });
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(opts.port ?? 0, address, () => {
        socket.off("error", reject);
        resolve(new UdpTransport(socket, address, socket.address().port));
      });
    });
  }

  private receive(buf: Buffer, src: Address) {
    deliverMessage(buf, src, this.stats, this.trace, this.handler);
  }

  send(msg: SipMessage, dest: Address): void {
    if (this.closed) return;
    const text = serialize(msg);
    if (this.trace) this.trace({ t: Date.now(), dir: "out", remote: `${dest.address}:${dest.port}`, text });
    this.stats.sent++;
    // No per-packet callback: without one, dgram reports a failed send as the socket's "error"
    // event, which the constructor already counts in stats.sendErrors.
    this.socket.send(text, dest.port, dest.address);
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
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
