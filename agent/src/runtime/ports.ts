/**
 * What an endpoint needs from the SIP user agent and from the media engine. The real ones are
 * adapters over agent/src/sip and agent/src/media (sip-port.ts, media-port.ts); unit tests of the
 * endpoint logic use small fakes.
 */
import type { AudioCodec, SipTraceEntry } from "../../../protocol/index.js";

export type RegisterResult =
  | { ok: true; statusCode: number; expires: number; timeMs: number }
  | { ok: false; statusCode: number | null; reason: string };

export type FinalResponse =
  | { ok: true; statusCode: number; reason: string; remoteSdp: string }
  | { ok: false; statusCode: number | null; reason: string };

export interface OutgoingCallPort {
  /** Resolves with the final response to the INVITE (after digest challenges were answered). */
  readonly final: Promise<FinalResponse>;
  cancel(): void;
  bye(): Promise<{ ok: boolean; statusCode: number | null }>;
  onEnded(cb: () => void): void;
  /** INFO requests the peer sends in the dialog (SIP INFO DTMF). */
  onInfo?(cb: (contentType: string | undefined, body: string) => void): void;
}

export interface IncomingCallPort {
  readonly remoteSdp: string;
  ringing(): void;
  answer(sdp: string): void;
  /** The ACK's body once it arrives (the caller's SDP answer to a late offer), null if none came. */
  acked?(): Promise<string | null>;
  reject(code: number, reason?: string): void;
  bye(): Promise<{ ok: boolean; statusCode: number | null }>;
  /** The remote side hung up (BYE received) or the dialog ended otherwise. */
  onEnded(cb: () => void): void;
  /** INFO requests the peer sends in the dialog (SIP INFO DTMF). */
  onInfo?(cb: (contentType: string | undefined, body: string) => void): void;
}

export interface UserAgentPort {
  register(expires: number): Promise<RegisterResult>;
  unregister(): Promise<void>;
  invite(target: string, sdp: string, onProvisional: (code: number, reason: string) => void): OutgoingCallPort;
  onIncomingCall(cb: (call: IncomingCallPort) => void): void;
  close(): void;
}

export interface UserAgentFactory {
  create(opts: {
    localAddress: string;
    server: { host: string; port: number; transport: "UDP" | "TCP" | "TLS" };
    /** TLS settings when transport is TLS (verification, client certificate). */
    tls?: { verify: "system" | "custom" | "skip"; ca?: string; cert?: string; key?: string; serverName?: string };
    domain: string;
    account: { username: string; authUsername: string; password: string; realm: string | null };
    onTrace: (e: SipTraceEntry) => void;
  }): Promise<UserAgentPort>;
}

export type Negotiation = { ok: true } | { ok: false; reason: string };

export interface MediaPort {
  /**
   * An SDP offer for this endpoint's codec. SDP calls may answer later (a promise) when the media
   * runs on a worker thread (media/pooled-port.ts); the endpoint awaits them.
   */
  offer(): string | Promise<string>;
  /** Apply a remote offer and return our answer, or why we cannot. */
  answer(remoteSdp: string): MaybePromise<{ ok: true; sdp: string } | { ok: false; reason: string }>;
  /** Apply the remote answer to our offer, or say why it is unusable. */
  applyAnswer(remoteSdp: string): MaybePromise<Negotiation>;
  /** Start sending and receiving. */
  start(): void;
  /**
   * Called once if the media fails after negotiation (a DTLS handshake that fails or a certificate
   * that does not match the peer's a=fingerprint, RFC 5763 §5), with a sentence for the status.
   */
  onFailure?(cb: (reason: string) => void): void;
  /** A SIP INFO of the call: DTMF digits in it count as received (media/dtmf-info.ts). */
  onSipInfo?(contentType: string | undefined, body: string): unknown;
  /**
   * The last second's metrics (keys of protocol/metrics.ts SECOND_METRICS); empty when this second
   * has none (a worker-side session whose row was not fetched for this frame).
   */
  sample(nowMs: number): Partial<Record<string, number>>;
  /** The same second's detail metrics (keys of protocol/metrics.ts DETAIL_METRICS), after sample(). */
  detail?(): Partial<Record<string, number>>;
  stop(): void;
}

type MaybePromise<T> = T | Promise<T>;

export interface MediaFactory {
  open(opts: { localAddress: string; codec: AudioCodec; srtp?: "SDES" | "DTLS" }): Promise<MediaPort>;
  /**
   * Called by the frame tick before it samples: fetch this second's metrics of these calls in
   * progress in one go (media on worker threads; absent when media runs on the main thread).
   */
  prefetch?(ports: readonly MediaPort[], nowMs: number): Promise<void>;
}
