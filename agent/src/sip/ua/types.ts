/** Public types of the user agent API. */
import type { TimerBase } from "../timers.js";
import type { TlsOptions } from "../transport/stream.js";
import type { TraceEvent } from "../transport/transport.js";

export type { TlsOptions };

export interface UserAgentOptions {
  /** Local address to bind (default 127.0.0.1); also used in Via and Contact. */
  localAddress?: string;
  /** Local port, 0 (default) = ephemeral. */
  localPort?: number;
  /** The registrar / outbound proxy every out-of-dialog request is sent to. */
  server: { host: string; port: number; transport: "UDP" | "TCP" | "TLS" };
  /** TLS settings when server.transport is "TLS": verification (system CAs by default), client certificate, SNI name. */
  tls?: TlsOptions;
  /** SIP domain of the account: AoR sip:username@domain, REGISTER sip:domain. */
  domain: string;
  account: { username: string; authUsername?: string; password: string; realm?: string | null; displayName?: string };
  onTrace?: (e: TraceEvent) => void;
  /** T1/T2/T4 override (tests shrink them). */
  timers?: Partial<TimerBase>;
  /** User-Agent header value. */
  userAgent?: string;
}

export type RegisterResult =
  | { ok: true; statusCode: number; expires: number; timeMs: number }
  | { ok: false; statusCode: number | null; reason: string };

export type CallFinal =
  | { ok: true; statusCode: number; reason: string; remoteSdp: string }
  | { ok: false; statusCode: number | null; reason: string };

export interface ByeResult {
  ok: boolean;
  statusCode: number | null;
}

export interface CallEnded {
  by: "local" | "remote";
  reason: string;
}

/** Milliseconds from sending the first INVITE (performance.now based); null until it happened. */
export interface CallTimings {
  /** First 100 Trying (any provisional counts for "first response"). */
  tryingMs: number | null;
  /** First 180 or 183: post-dial delay. */
  firstProvisionalMs: number | null;
  ringingMs: number | null;
  /** 200 OK: session setup time. */
  answeredMs: number | null;
}

export interface InviteOptions {
  onProvisional?: (code: number, reason: string, atMs: number) => void;
  /** Extra header fields for the INVITE. */
  headers?: [string, string][];
  /**
   * Send the INVITE (and its CANCEL) to the Request-URI's host:port (maddr, port, default 5060)
   * instead of the configured server: calling a peer directly, without registrar or proxy.
   */
  direct?: boolean;
}

export interface OutgoingCall {
  readonly callId: string;
  readonly final: Promise<CallFinal>;
  readonly timings: CallTimings;
  /** CANCEL the pending INVITE (RFC 3261 §9.1); no effect once a final response arrived. */
  cancel(): void;
  /** BYE the established dialog; resolves with the BYE's final response. */
  bye(): Promise<ByeResult>;
  onEnded(cb: (e: CallEnded) => void): void;
}

export interface IncomingCall {
  readonly callId: string;
  /** The From header value of the INVITE. */
  readonly from: string;
  readonly remoteSdp: string;
  ringing(): void;
  /** 183 Session Progress with early media SDP. */
  progress(sdp?: string): void;
  answer(sdp: string): void;
  reject(code: number, reason?: string): void;
  bye(): Promise<ByeResult>;
  onEnded(cb: (e: CallEnded) => void): void;
}

export interface UserAgent {
  readonly localAddress: string;
  readonly localPort: number;
  readonly aor: string;
  readonly stats: { malformed: number; received: number; sent: number };
  register(opts?: { expires?: number } | number): Promise<RegisterResult>;
  unregister(): Promise<RegisterResult>;
  invite(target: string, sdp: string, opts?: InviteOptions): OutgoingCall;
  onIncomingCall(cb: (call: IncomingCall) => void): void;
  close(): Promise<void>;
}
