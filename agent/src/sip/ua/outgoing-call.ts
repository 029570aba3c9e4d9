/**
 * A call we place (UAC, RFC 3261 §13.2): INVITE with digest retry, provisional timings, reliable
 * provisionals PRACKed (RFC 3262 §4), a 422 retried with the larger Min-SE (RFC 4028 §7.2), ACK
 * for the 2xx sent by the core and re-sent on 2xx retransmissions (§13.2.2.4), CANCEL (§9.1), BYE.
 */
import type { SipRequest, SipResponse } from "../message.js";
import { toUint } from "../header-values.js";
import { cancelFor } from "../transaction/build.js";
import { ALLOW, SUPPORTED, buildRequest, hasOptionTag, ourVia, reissue } from "./build.js";
import { CallBase } from "./call-base.js";
import type { UserAgentCore } from "./core.js";
import type { Address } from "../transport/transport.js";
import { Dialog, uriAddress } from "./dialog.js";
import { newCallId, newTag } from "./ids.js";
import { negotiatedByResponse, parseMinSE, requestTimerHeaders, sessionConfig } from "./session-timer.js";
import type { ByeResult, CallFinal, CallTimings, InviteOptions, OutgoingCall } from "./types.js";

/** RFC 4028 §7.2: one retry after a 422 (a second 422 would mean the UAS keeps raising its floor). */
const MAX_422_RETRIES = 1;
/** Early dialogs (forks) tracked for PRACK; a proxy forking wider than this gets no PRACK for the rest. */
const MAX_EARLY_DIALOGS = 16;

interface EarlyDialog {
  dialog: Dialog;
  /** RSeq of the last reliable provisional we PRACKed (RFC 3262 §4). */
  lastRseq: number;
}

export class OutgoingCallImpl extends CallBase implements OutgoingCall {
  readonly callId: string;
  readonly final: Promise<CallFinal>;
  readonly timings: CallTimings = { tryingMs: null, firstProvisionalMs: null, ringingMs: null, answeredMs: null };
  protected localSdp: string;
  protected readonly ownsCallId = true;
  private invite: SipRequest;
  private resolveFinal!: (f: CallFinal) => void;
  private finalDone = false;
  private provisionalSeen = false;
  private cancelRequested = false;
  private cancelSent = false;
  private answered = false;
  private retries422 = 0;
  /** Session interval we ask for, null when we ask for none. */
  private askedInterval: number | null = null;
  /** Early dialogs by remote tag, created by reliable provisionals. */
  private early = new Map<string, EarlyDialog>();
  /**
   * Keys of the early dialogs (one per To tag of a 1xx, §12.1.2) registered with the core, so a
   * callee's request inside one (INFO, UPDATE, OPTIONS; RFC 6086 §4.2.1, RFC 3311 §5.1) reaches
   * this call instead of drawing a 481. Dropped once the INVITE has its final response.
   */
  private earlyKeys = new Set<string>();
  /** Dialogs of other forks that answered after us, ACKed and BYEd (§13.2.2.4). */
  private forks = new Map<string, Dialog>();
  private readonly t0 = performance.now();
  /** Where out-of-dialog requests of this call go: the outbound proxy, or the Request-URI's host:port (direct). */
  private readonly dest: Address;

  constructor(core: UserAgentCore, uri: string, sdp: string, private opts: InviteOptions) {
    super(core);
    this.localSdp = sdp;
    this.callId = newCallId(core.host);
    this.final = new Promise((r) => (this.resolveFinal = r));
    const extra: [string, string][] = [["Allow", ALLOW], ["Supported", SUPPORTED]];
    if (opts.reliableProvisionals === "required") extra.push(["Require", "100rel"]);
    else if (opts.reliableProvisionals === "off") extra[1] = ["Supported", "timer"];
    const st = opts.sessionTimer === false ? undefined : (opts.sessionTimer ?? core.opts.sessionTimer);
    if (st) {
      const cfg = sessionConfig(st);
      this.askedInterval = Math.max(cfg.expires, cfg.minSE);
      extra.push(...requestTimerHeaders(this.askedInterval, cfg.minSE, cfg.refresher));
    }
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
      extra: [...extra, ...(opts.headers ?? [])],
      body: sdp,
    });
    this.dest = opts.direct ? uriAddress(uri) ?? core.server : core.server;
    this.send(this.invite);
  }

  private send(invite: SipRequest) {
    this.core.sendAuthed(invite, this.dest, {
      onSent: (req) => (this.invite = req),
      onProvisional: (res) => this.onProvisional(res),
      onFinal: (res) => this.onFinal(res),
      onTimeout: (transportError) =>
        this.settle({ ok: false, statusCode: null, reason: transportError ? `INVITE not sent: ${transportError}` : "no final response to INVITE (timeout)" }),
    });
  }

  private settle(f: CallFinal) {
    if (this.finalDone) return;
    this.finalDone = true;
    this.dropEarlyDialogs(f.ok ? this.dialog?.key : undefined);
    this.resolveFinal(f);
  }

  /** An early dialog to route the callee's requests by (bounded like the PRACK forks). */
  private trackEarlyDialog(res: SipResponse): void {
    if (res.status === 100 || !res.to?.tag || this.earlyKeys.size >= MAX_EARLY_DIALOGS) return;
    const d = Dialog.asUac(this.invite, res);
    if (!d || this.earlyKeys.has(d.key)) return;
    this.earlyKeys.add(d.key);
    this.core.addDialog(d.key, this);
  }

  private dropEarlyDialogs(keep?: string): void {
    for (const k of this.earlyKeys) if (k !== keep) this.core.removeDialog(k);
    this.earlyKeys.clear();
  }

  protected override cleanup(): void {
    this.dropEarlyDialogs(this.dialog?.key);
  }

  private onProvisional(res: SipResponse) {
    if (this.answered) return; // §13.2.2.4: a 1xx after the 2xx (reordered by a proxy) changes nothing
    if (!this.reliableProvisional(res)) return;
    if (!this.finalDone) this.trackEarlyDialog(res);
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

  /**
   * RFC 3262 §4 for a provisional with `Require: 100rel`: PRACK it (RAck = RSeq, CSeq, method) in
   * its early dialog; a retransmission (RSeq already PRACKed) or one out of order (not last + 1) is
   * discarded. Returns whether the response is to be processed further.
   */
  private reliableProvisional(res: SipResponse): boolean {
    if (res.status === 100 || !hasOptionTag(res.headers.getAll("require"), "100rel")) return true;
    const rseqRaw = res.headers.get("rseq");
    const rseq = rseqRaw === undefined ? null : toUint(rseqRaw);
    const tag = res.to?.tag;
    if (rseq === null || !tag) return true; // not a usable reliable provisional: treat as an ordinary one
    let e = this.early.get(tag);
    if (e) {
      if (rseq !== e.lastRseq + 1) return false;
    } else {
      if (this.early.size >= MAX_EARLY_DIALOGS) return true;
      const d = Dialog.asUac(this.invite, res);
      if (!d) return true;
      e = { dialog: d, lastRseq: rseq };
      this.early.set(tag, e);
    }
    e.lastRseq = rseq;
    const d = e.dialog;
    const dest = d.destination();
    if (dest) {
      const prack = d.request("PRACK", this.core.sentBy, { extra: [["RAck", `${rseq} ${this.invite.cseq?.seq ?? 1} INVITE`]] });
      this.core.sendAuthed(prack, dest, {
        onSent: (r) => (d.localSeq = Math.max(d.localSeq, r.cseq?.seq ?? 0)),
        onFinal() {},
        onTimeout() {},
      });
    }
    return true;
  }

  private onFinal(res: SipResponse) {
    if (res.status >= 300) {
      if (res.status === 422 && this.askedInterval !== null && this.retries422 < MAX_422_RETRIES && !this.cancelRequested) {
        return this.retryWithMinSE(res);
      }
      this.settle({ ok: false, statusCode: res.status, reason: res.reason });
      return;
    }
    const seq = res.cseq?.seq ?? 0;
    if (this.answered) {
      if (!res.to?.tag || res.to.tag === this.dialog?.remoteTag) return this.resendAck(seq); // our ACK was lost (§13.2.2.4)
      return this.extraFork(res);
    }
    const d = Dialog.asUac(this.invite, res);
    if (!d) {
      this.settle({ ok: false, statusCode: res.status, reason: "2xx without To tag" });
      return;
    }
    this.answered = true;
    // §13.2.2.4: an early dialog with the same tag becomes this dialog; its CSeq (PRACKs) carries on.
    const early = this.early.get(d.remoteTag);
    d.localSeq = Math.max(seq, early?.dialog.localSeq ?? 0);
    this.early.clear();
    this.dialog = d;
    this.remoteAllow = res.headers.getAll("allow");
    this.core.addDialog(d.key, this);
    this.keepAck(seq, d.request("ACK", this.core.sentBy, { cseq: seq }));
    this.resendAck(seq);
    this.timings.answeredMs = performance.now() - this.t0;
    // RFC 4028 §7.2: the 2xx says whether a session timer runs and who refreshes.
    const n = negotiatedByResponse(res);
    if (n) this.session.start(n.intervalSec, n.refresherIsUs);
    this.settle({ ok: true, statusCode: res.status, reason: res.reason, remoteSdp: res.body });
    // A 2xx that crossed our CANCEL: the call is up, so end it with BYE (§9.1, §15).
    if (this.cancelRequested) void this.sendBye();
  }

  /**
   * §13.2.2.4: a 2xx from a second fork after we were answered: that dialog is ACKed and ended
   * with BYE at once (we keep one call). Its retransmissions are ACKed again; bounded by the forks seen.
   */
  private extraFork(res: SipResponse) {
    const tag = res.to!.tag!;
    const known = this.forks.get(tag);
    const dest = known?.destination();
    if (known) {
      if (dest) this.core.layer.sendStateless(known.request("ACK", this.core.sentBy, { cseq: res.cseq?.seq ?? 1 }), dest);
      return;
    }
    if (this.forks.size >= MAX_EARLY_DIALOGS) return;
    const d = Dialog.asUac(this.invite, res);
    const to = d?.destination();
    if (!d || !to) return;
    this.forks.set(tag, d);
    this.core.layer.sendStateless(d.request("ACK", this.core.sentBy, { cseq: res.cseq?.seq ?? 1 }), to);
    this.core.sendAuthed(d.request("BYE", this.core.sentBy), to, { onFinal() {}, onTimeout() {} });
  }

  /** RFC 4028 §7.2: re-send the INVITE (new transaction, next CSeq) asking for at least the 422's Min-SE. */
  private retryWithMinSE(res: SipResponse) {
    this.retries422++;
    const min = parseMinSE(res) ?? 0;
    const cfg = sessionConfig(this.opts.sessionTimer === false ? undefined : (this.opts.sessionTimer ?? this.core.opts.sessionTimer));
    this.askedInterval = Math.max(this.askedInterval ?? 0, min);
    const next = reissue(this.invite, this.core.host, this.core.port);
    const [se, minSe] = requestTimerHeaders(this.askedInterval, Math.max(cfg.minSE, min), cfg.refresher);
    next.headers.set(se[0], se[1]);
    next.headers.set(minSe[0], minSe[1]);
    next.touch();
    this.send(next);
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
