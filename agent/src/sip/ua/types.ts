/** Public types of the user agent API. */
import type { SipHeaders } from "../message.js";
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
  /**
   * Session timers (RFC 4028) we ask for in our INVITEs and grant to INVITEs we answer. Without it
   * we still honour a Session-Expires the peer negotiates (we always send `Supported: timer`), but
   * ask for none ourselves.
   */
  sessionTimer?: SessionTimerOptions;
  /** UAS: send 180/183 reliably (RFC 3262, `Require: 100rel` + RSeq) when the caller supports 100rel. Default false. */
  reliableProvisionals?: boolean;
}

export interface SessionTimerOptions {
  /** Session-Expires we ask for (UAC) or grant when the INVITE has none (UAS), seconds; default 1800 (RFC 4028 §4). */
  expires?: number;
  /** Our Min-SE, seconds; default 90, the RFC 4028 §4 floor (tests may go lower against their own peers). */
  minSE?: number;
  /** Who we propose to refresh when the choice is ours: the dialog's "uac" (caller) or "uas" (callee). Default: UAC leaves it open, UAS picks "uac". */
  refresher?: "uac" | "uas";
  /** How we refresh when we are the refresher: UPDATE (default, if the peer allows it, RFC 4028 §7.4) or re-INVITE. */
  method?: "UPDATE" | "INVITE";
}

export interface RegisterOptions {
  /** Lifetime asked for, seconds (default 3600); the registrar's grant is what counts. */
  expires?: number;
  /** Refresh the binding before the granted lifetime ends (default true, RFC 3261 §10.2.4). */
  refresh?: boolean;
}

export interface RegistrationState {
  registered: boolean;
  /** The last granted lifetime in seconds (§10.2.4), null before the first 2xx. */
  expires: number | null;
  /** Successful refreshes since the last register() call. */
  refreshes: number;
}

/** The final response to a request we sent inside or outside a dialog. */
export interface RequestResult {
  ok: boolean;
  statusCode: number | null;
  reason: string;
  headers: SipHeaders | null;
  body: string;
}

export interface OutOfDialogOptions {
  headers?: [string, string][];
  body?: string;
  contentType?: string;
  /** Send to the Request-URI's host:port instead of the configured server (as InviteOptions.direct). */
  direct?: boolean;
}

export interface InDialogOptions {
  headers?: [string, string][];
  body?: string;
  contentType?: string;
}

/** A session refresh (RFC 4028 §10), ours or the peer's. */
export interface SessionRefresh {
  by: "local" | "remote";
  method: "INVITE" | "UPDATE";
  ok: boolean;
  statusCode: number | null;
  /** The session interval in force after this refresh, seconds (0 when the session timer was turned off). */
  intervalSec: number;
}

export interface SessionTimerState {
  intervalSec: number;
  refresher: "local" | "remote";
  /** Successful refreshes so far, in either direction. */
  refreshes: number;
}

/** What both call directions can do once the dialog exists (RFC 3261 §12-§15, RFC 3311, RFC 6086, RFC 4028). */
export interface DialogControl {
  /** re-INVITE (§14) offering our current SDP (or `sdp`); a session refresh when nothing changed. */
  reinvite(opts?: { sdp?: string; headers?: [string, string][] }): Promise<RequestResult>;
  /** UPDATE (RFC 3311) without a body (a pure refresh) or with a new offer. */
  update(opts?: { sdp?: string; headers?: [string, string][] }): Promise<RequestResult>;
  /** INFO (RFC 6086) in the dialog. */
  info(body: string, contentType?: string): Promise<RequestResult>;
  /** Every INFO the peer sends in the dialog (answered 200 first), e.g. DTMF (media/dtmf-info.ts). */
  onInfo(cb: (e: { contentType: string | undefined; body: string }) => void): void;
  /** OPTIONS in the dialog (§11). */
  options(): Promise<RequestResult>;
  /** The negotiated session timer, null when none is in force. */
  readonly sessionTimer: SessionTimerState | null;
  /** Every session refresh sent or received (RFC 4028), e.g. to count them. */
  onSessionRefresh(cb: (e: SessionRefresh) => void): void;
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
  /** RFC 3262: "supported" (default) offers 100rel, "required" insists on it, "off" leaves it out. */
  reliableProvisionals?: "supported" | "required" | "off";
  /** Per-call session timer request; false for none. Default: the UA's sessionTimer option. */
  sessionTimer?: SessionTimerOptions | false;
}

export interface OutgoingCall extends DialogControl {
  readonly callId: string;
  readonly final: Promise<CallFinal>;
  readonly timings: CallTimings;
  /** CANCEL the pending INVITE (RFC 3261 §9.1); no effect once a final response arrived. */
  cancel(): void;
  /** BYE the established dialog; resolves with the BYE's final response. */
  bye(): Promise<ByeResult>;
  onEnded(cb: (e: CallEnded) => void): void;
}

export interface ProvisionalOptions {
  /** Send it reliably (RFC 3262) if the caller supports 100rel; default: the UA's reliableProvisionals. */
  reliable?: boolean;
}

export interface IncomingCall extends DialogControl {
  readonly callId: string;
  /** The From header value of the INVITE. */
  readonly from: string;
  readonly remoteSdp: string;
  ringing(opts?: ProvisionalOptions): void;
  /** 183 Session Progress with early media SDP. */
  progress(sdp?: string, opts?: ProvisionalOptions): void;
  answer(sdp: string): void;
  /**
   * The body of the ACK for our 2xx (the SDP answer when the INVITE had none and our 2xx offered,
   * RFC 3264 §4), or null if the call ended without an ACK.
   */
  acked(): Promise<string | null>;
  reject(code: number, reason?: string): void;
  bye(): Promise<ByeResult>;
  onEnded(cb: (e: CallEnded) => void): void;
}

export interface UserAgent {
  readonly localAddress: string;
  readonly localPort: number;
  readonly aor: string;
  readonly stats: { malformed: number; received: number; sent: number };
  register(opts?: RegisterOptions | number): Promise<RegisterResult>;
  /** De-register (`Expires: 0`) and stop refreshing. */
  unregister(): Promise<RegisterResult>;
  /** The binding as the registrar granted it. */
  readonly registration: RegistrationState;
  /** Called after every automatic refresh REGISTER (successful or not). */
  onRegistrationRefresh(cb: (r: RegisterResult) => void): void;
  /** An out-of-dialog request (OPTIONS, MESSAGE…) answered by its final response. */
  request(method: string, target: string, opts?: OutOfDialogOptions): Promise<RequestResult>;
  options(target: string, opts?: OutOfDialogOptions): Promise<RequestResult>;
  invite(target: string, sdp: string, opts?: InviteOptions): OutgoingCall;
  onIncomingCall(cb: (call: IncomingCall) => void): void;
  close(): Promise<void>;
}
