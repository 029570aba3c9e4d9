/**
 * A call we place (UAC, RFC 3261 §13.2): INVITE with digest retry, provisional timings, ACK for
 * the 2xx sent by the core and re-sent on 2xx retransmissions (§13.2.2.4), CANCEL (§9.1) and BYE.
 */
import type { SipRequest, SipResponse } from "../message.js";
import type { ServerTransaction } from "../transaction/server.js";
import { cancelFor } from "../transaction/build.js";
import { ALLOW, buildRequest, ourVia } from "./build.js";
import { CallBase } from "./call-base.js";
import type { UserAgentCore } from "./core.js";
import type { Address } from "../transport/transport.js";
import { Dialog, uriAddress } from "./dialog.js";
import { newCallId, newTag } from "./ids.js";
import type { ByeResult, CallFinal, CallTimings, InviteOptions, OutgoingCall } from "./types.js";

export class OutgoingCallImpl extends CallBase implements OutgoingCall {
  readonly callId: string;
  readonly final: Promise<CallFinal>;
  readonly timings: CallTimings = { tryingMs: null, firstProvisionalMs: null, ringingMs: null, answeredMs: null };
  protected localSdp: string;
  private invite: SipRequest;
  private resolveFinal!: (f: CallFinal) => void;
  private finalDone = false;
  private provisionalSeen = false;
  private cancelRequested = false;
  private cancelSent = false;
  private ack: SipRequest | null = null;
  private readonly t0 = performance.now();
  /** Where out-of-dialog requests of this call go: the outbound proxy, or the Request-URI's host:port (direct). */
  private readonly dest: Address;

  constructor(core: UserAgentCore, uri: string, sdp: string, private opts: InviteOptions) {
    super(core);
    this.localSdp = sdp;
    this.callId = newCallId(core.host);
    this.final = new Promise((r) => (this.resolveFinal = r));
    this.invite = buildRequest({
      method: "INVITE",
      uri,
      via: ourVia(core.host, core.port, core.transport.protocol),
      from: `${core.identity};tag=${newTag()}`,
      to: `<${uri}>`,
      callId: this.callId,
      cseq: 1,
      contact: core.contact,
      userAgent: core.opts.userAgent,
      extra: [["Allow", ALLOW], ...(opts.headers ?? [])],
      body: sdp,
    });
    this.dest = opts.direct ? uriAddress(uri) ?? core.server : core.server;
    core.sendAuthed(this.invite, this.dest, {
      onSent: (req) => (this.invite = req),
      onProvisional: (res) => this.onProvisional(res),
      onFinal: (res) => this.onFinal(res),
      onTimeout: () => this.settle({ ok: false, statusCode: null, reason: "no final response to INVITE (timeout)" }),
    });
  }

  private settle(f: CallFinal) {
    if (this.finalDone) return;
    this.finalDone = true;
    this.resolveFinal(f);
  }

  private onProvisional(res: SipResponse) {
    const ms = performance.now() - this.t0;
    const code = res.status;
    if (this.timings.tryingMs === null) this.timings.tryingMs = ms;
    if ((code === 180 || code === 183) && this.timings.firstProvisionalMs === null) this.timings.firstProvisionalMs = ms;
    if (code === 180 && this.timings.ringingMs === null) this.timings.ringingMs = ms;
    this.provisionalSeen = true;
    if (!this.finalDone) this.opts.onProvisional?.(code, res.reason, ms);
    // §9.1: a CANCEL may only be sent once a provisional response arrived.
    if (this.cancelRequested) this.sendCancel();
  }

  private onFinal(res: SipResponse) {
    if (res.status >= 300) {
      this.settle({ ok: false, statusCode: res.status, reason: res.reason });
      return;
    }
    if (this.ack) {
      // A retransmitted 2xx: our ACK was lost (§13.2.2.4).
      this.resendAck();
      return;
    }
    const d = Dialog.asUac(this.invite, res);
    if (!d) {
      this.settle({ ok: false, statusCode: res.status, reason: "2xx without To tag" });
      return;
    }
    this.dialog = d;
    this.core.addDialog(d.key, this);
    this.ack = d.request("ACK", this.core.sentBy, { cseq: this.invite.cseq?.seq ?? 1 });
    d.localSeq = this.invite.cseq?.seq ?? 1;
    this.resendAck();
    this.timings.answeredMs = performance.now() - this.t0;
    this.settle({ ok: true, statusCode: res.status, reason: res.reason, remoteSdp: res.body });
    // A 2xx that crossed our CANCEL: the call is up, so end it with BYE (§9.1, §15).
    if (this.cancelRequested) void this.sendBye();
  }

  private resendAck() {
    const dest = this.dialog?.destination();
    if (this.ack && dest) this.core.layer.sendStateless(this.ack, dest);
  }

  onStrayResponse(_res: SipResponse): void {
    this.resendAck();
  }

  override onRequest(req: SipRequest, tx: ServerTransaction | null): void {
    super.onRequest(req, tx);
  }

  cancel(): void {
    if (this.finalDone || this.cancelRequested) return;
    this.cancelRequested = true;
    if (this.provisionalSeen) this.sendCancel();
  }

  private sendCancel() {
    if (this.cancelSent || this.finalDone) return;
    this.cancelSent = true;
    this.core.layer.sendRequest(cancelFor(this.invite), this.dest, { onResponse() {}, onTimeout() {} });
  }

  bye(): Promise<ByeResult> {
    if (this.ended) return Promise.resolve({ ok: this.ended.by === "remote", statusCode: null });
    if (!this.dialog) {
      this.cancel();
      return Promise.resolve({ ok: false, statusCode: null });
    }
    return this.sendBye();
  }
}
