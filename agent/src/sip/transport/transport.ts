/**
 * The transport layer contract (RFC 3261 §18): UDP (udp.ts) and TCP/TLS (stream.ts: framing by
 * Content-Length, `reliable = true`, which turns off the retransmission timers in the
 * transaction layer).
 */
import type { SipMessage } from "../message.js";
import { parseMessage } from "../parser.js";

export type TransportProtocol = "UDP" | "TCP" | "TLS";

export interface Address {
  address: string;
  port: number;
}

export interface TransportStats {
  received: number;
  sent: number;
  /** Datagrams that did not parse; dropped (never thrown). */
  malformed: number;
  sendErrors: number;
  /** Stream transports: connections dropped because their byte stream could not be framed (§18.3). */
  droppedConnections?: number;
}

export interface TraceEvent {
  t: number;
  dir: "out" | "in";
  remote: string;
  text: string;
}

export interface Transport {
  readonly protocol: TransportProtocol;
  /** Whether the transport itself retransmits (TCP/TLS): RFC 3261 §17 timers differ. */
  readonly reliable: boolean;
  readonly localAddress: string;
  readonly localPort: number;
  readonly stats: TransportStats;
  send(msg: SipMessage, dest: Address): void;
  onMessage(cb: (msg: SipMessage, src: Address) => void): void;
  /** Observe every message in and out as text (for the endpoint trace); off when not set. */
  onTrace(cb: ((e: TraceEvent) => void) | null): void;
  /**
   * Stream transports: a connection towards `dest` could not be established (refused, TLS
   * verification failed, timeout); the transaction layer fails the client transactions sent there
   * at once (RFC 3261 §17.1.1.2, §17.1.2.2) instead of waiting for Timer B/F.
   */
  onTransportError?(cb: ((dest: Address, reason: string) => void) | null): void;
  close(): Promise<void>;
}

export const formatAddress = (a: Address) => `${a.address}:${a.port}`;

/**
 * What every transport does with one received message: count it, trace it, parse it, hand it to
 * the layer above. Malformed input and a handler that throws are counted, never thrown, so one
 * bad message cannot stop a socket.
 */
export function deliverMessage(
  buf: Buffer,
  src: Address,
  stats: TransportStats,
  trace: ((e: TraceEvent) => void) | null,
  handler: ((msg: SipMessage, src: Address) => void) | null,
): void {
  stats.received++;
  if (trace) trace({ t: Date.now(), dir: "in", remote: formatAddress(src), text: buf.toString("utf8") });
  const r = parseMessage(buf);
  if (!r.ok) {
    stats.malformed++;
    return;
  }
  try {
    handler?.(r.message, src);
  } catch {
    stats.malformed++;
  }
}
