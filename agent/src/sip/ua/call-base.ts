/**
 * What outgoing and incoming calls share once a dialog exists: in-dialog requests in both
 * directions — BYE (§15), re-INVITE (§14), UPDATE (RFC 3311), INFO (RFC 6086), OPTIONS (§11) —
 * and the session timer (RFC 4028) that rides on re-INVITE and UPDATE.
 */
import type { SipRequest, SipResponse } from "../message.js";
import { glareRetryDelayMs } from "../timers.js";
import { TransactionLayer } from "../transaction/layer.js";
import type { ServerTransaction } from "../transaction/server.js";
import { TimerSet } from "../transaction/timer-set.js";
import { ALLOW, SUPPORTED, buildResponse, hasOptionTag, reasonFor, requestResult } from "./build.js";
import type { UserAgentCore } from "./core.js";
import type { Dialog } from "./dialog.js";
import { SessionClock, negotiateAsUas, negotiatedByResponse, parseMinSE, requestTimerHeaders, sessionConfig } from "./session-timer.js";
import type { ByeResult, CallEnded, RequestResult, SessionRefresh, SessionTimerState } from "./types.js";

/** ACKs kept for re-sending on 2xx retransmissions: the initial INVITE's and the last re-INVITE's. */
const MAX_KEPT_ACKS = 2;
/** §14.2: a re-INVITE while ours is unanswered is retried once after the glare delay, then given up. */
const MAX_GLARE_RETRIES = 1;
/** RFC 4028 §7.2/§10: a 422 to a refresh is retried once with the larger Min-SE it names. */
const MAX_422_RETRIES = 1;

const TIMEOUT: RequestResult = { ok: false, statusCode: null, reason: "no response (timeout)", headers: null, body: "" };
const NO_DIALOG: RequestResult = { ok: false, statusCode: null, reason: "no dialog", headers: null, body: "" };

export abstract class CallBase {
  protected dialog: Dialog | null = null;
  protected ended: CallEnded | null = null;
  private endedCbs: ((e: CallEnded) => void)[] = [];
  protected abstract localSdp: string;
  /** Whether we sent the dialog's initial INVITE (the Call-ID is ours, §14.1 glare timing). */
  protected abstract readonly ownsCallId: boolean;
  /** The peer's Allow list (from its INVITE or 2xx), to pick UPDATE only when it is understood. */
  protected remoteAllow: string[] = [];
  /** Our re-INVITE is waiting for its final response (§14.2: a crossing re-INVITE gets 491). */
  private offerPending = false;
  /** A re-INVITE we answered 2xx to and whose ACK has not come (§13.3.1.4 retransmission). */
  private answeredReinvite: number | null = null;
  private acks = new Map<number, SipRequest>();
  private dialogTimers = new TimerSet<"reinvite2xx" | "reinviteGiveUp">();
  protected readonly session = new SessionClock({ refresh: () => void this.refreshSession(), expire: () => this.sessionExpired() });
  private refreshCbs: ((e: SessionRefresh) => void)[] = [];
  private infoCbs: ((e: { contentType: string | undefined; body: string }) => void)[] = [];

  constructor(protected core: UserAgentCore) {}

  onEnded(cb: (e: CallEnded) => void): void {
    if (this.ended) cb(this.ended);
    else this.endedCbs.push(cb);
  }

  onSessionRefresh(cb: (e: SessionRefresh) => void): void {
    this.refreshCbs.push(cb);
  }

  onInfo(cb: (e: { contentType: string | undefined; body: string }) => void): void {
    this.infoCbs.push(cb);
  }

  get sessionTimer(): SessionTimerState | null {
    return this.session.state;
  }

  protected emitRefresh(e: SessionRefresh): void {
    for (const cb of this.refreshCbs) cb(e);
  }

  protected end(by: "local" | "remote", reason: string): void {
    if (this.ended) return;
    this.ended = { by, reason };
    if (this.dialog) this.core.removeDialog(this.dialog.key);
    this.session.stop();
    this.dialogTimers.clear();
    this.cleanup();
    for (const cb of this.endedCbs.splice(0)) cb(this.ended);
  }

  /** Hook to stop timers when the dialog ends. */
  protected cleanup(): void {}

  /** Hook for PRACK (RFC 3262 §3); only a UAS with reliable provisionals outstanding accepts one. */
  protected onPrack(req: SipRequest, tx: ServerTransaction): void {
    tx.respond(buildResponse(req, 481, reasonFor(481)));
  }

  /** ACK for a 2xx to a re-INVITE we answered stops its retransmission (§13.3.1.4). */
  protected onAck(ack: SipRequest): void {
    if (this.answeredReinvite !== null && ack.cseq?.seq === this.answeredReinvite) {
      this.answeredReinvite = null;
      this.dialogTimers.stop("reinvite2xx");
      this.dialogTimers.stop("reinviteGiveUp");
    }
  }

  /** Keeps the ACK for a 2xx we received, so a retransmitted 2xx is ACKed again (§13.2.2.4). */
  protected keepAck(seq: number, ack: SipRequest): void {
    this.acks.set(seq, ack);
    while (this.acks.size > MAX_KEPT_ACKS) this.acks.delete(this.acks.keys().next().value as number);
  }

  protected resendAck(seq: number): void {
    const ack = this.acks.get(seq);
    const dest = this.dialog?.destination();
    if (ack && dest) this.core.layer.sendStateless(ack, dest);
  }

  /** A 2xx that outlived its client transaction (the core routes it here by dialog). */
  onStrayResponse(res: SipResponse): void {
    this.resendAck(res.cseq?.seq ?? -1);
  }

  /** In-dialog requests (§12.2.2). */
  onRequest(req: SipRequest, tx: ServerTransaction | null): void {
    if (req.method === "ACK") return this.onAck(req);
    if (!tx) return;
    const d = this.dialog;
    const cseq = req.cseq?.seq ?? 0;
    // §12.2.2: a lower CSeq than the last remote one is out of order → 500.
    if (d && d.remoteSeq !== null && cseq < d.remoteSeq && req.method !== "CANCEL") {
      return tx.respond(buildResponse(req, 500, "Server Internal Error"));
    }
    if (d) d.remoteSeq = cseq;
    switch (req.method) {
      case "BYE":
        // §15.1.2; also before the ACK of our 2xx (a proxy may reorder them): the call is over.
        tx.respond(buildResponse(req, 200, "OK"));
        this.end("remote", "BYE received");
        return;
      case "INVITE":
        return d ? this.onReinvite(req, tx, d) : tx.respond(buildResponse(req, 481, reasonFor(481)));
      case "UPDATE":
        // In an early dialog (the callee's UPDATE before its 2xx, RFC 3311 §5.1): accepted; an
        // offer in it is answered with our current SDP. Session timers start with the 2xx only.
        if (!d) return tx.respond(buildResponse(req, 200, "OK", { contact: this.core.contact, body: req.body ? this.localSdp : undefined, extra: [["Supported", SUPPORTED]] }));
        return this.onUpdate(req, tx);
      case "PRACK":
        return this.onPrack(req, tx);
      case "OPTIONS":
        tx.respond(buildResponse(req, 200, "OK", { extra: [["Allow", ALLOW], ["Supported", SUPPORTED], ["Accept", "application/sdp"]] }));
        return;
      case "INFO": {
        // RFC 6086 legacy usage: accepted with 200 whatever the body; listeners read it (DTMF).
        tx.respond(buildResponse(req, 200, "OK"));
        const e = { contentType: req.headers.get("content-type"), body: req.body };
        for (const cb of this.infoCbs) {
          try {
            cb(e);
          } catch {
            // A listener's bug must not break the dialog.
          }
        }
        return;
      }
      case "NOTIFY":
        tx.respond(buildResponse(req, 200, "OK"));
        return;
      default:
        tx.respond(buildResponse(req, 405, reasonFor(405), { extra: [["Allow", ALLOW]] }));
    }
  }

  /**
   * Session timer part of the answer to a re-INVITE or UPDATE (RFC 4028 §9 applied to refreshes):
   * the header fields for our 2xx, or a 422 already sent.
   */
  private timerAnswer(req: SipRequest, tx: ServerTransaction): { extra: [string, string][]; interval: number; refresherIsUs: boolean } | null {
    const cfg = sessionConfig(this.core.opts.sessionTimer);
    const n = negotiateAsUas(req, cfg.minSE, null);
    if (n?.tooSmall) {
      tx.respond(buildResponse(req, 422, reasonFor(422), { extra: [["Min-SE", String(cfg.minSE)]] }));
      return null;
    }
    if (!n) return { extra: [], interval: 0, refresherIsUs: false };
    const extra: [string, string][] = [["Session-Expires", `${n.intervalSec};refresher=${n.refresher}`]];
    if (n.require) extra.push(["Require", "timer"]);
    // In this transaction the peer is the UAC: "uas" means we refresh.
    return { extra, interval: n.intervalSec, refresherIsUs: n.refresher === "uas" };
  }

  private afterRemoteRefresh(method: "INVITE" | "UPDATE", t: { interval: number; refresherIsUs: boolean }): void {
    const hadTimer = this.session.intervalSec > 0;
    this.session.start(t.interval, t.refresherIsUs);
    if (t.interval > 0) this.session.refreshes++;
    if (t.interval > 0 || hadTimer) this.emitRefresh({ by: "remote", method, ok: true, statusCode: 200, intervalSec: t.interval });
  }

  /** §14.2: answer a re-INVITE with our current SDP (no media change), re-sending the 2xx until its ACK. */
  private onReinvite(req: SipRequest, tx: ServerTransaction, d: Dialog): void {
    if (this.offerPending) return tx.respond(buildResponse(req, 491, reasonFor(491)));
    if (this.answeredReinvite !== null) {
      // §14.2: our previous 2xx is not ACKed yet → 500 with a Retry-After of 0-10 s.
      return tx.respond(buildResponse(req, 500, "Server Internal Error", { extra: [["Retry-After", String(Math.floor(Math.random() * 11))]] }));
    }
    const t = this.timerAnswer(req, tx);
    if (!t) return;
    if (req.contact) d.remoteTarget = req.contact.uri; // §12.2.2 target refresh
    const ok = buildResponse(req, 200, "OK", {
      contact: this.core.contact, body: this.localSdp, extra: [["Allow", ALLOW], ["Supported", SUPPORTED], ...t.extra],
    });
    tx.respond(ok);
    this.afterRemoteRefresh("INVITE", t);
    // Over TCP/TLS the 2xx is not re-sent: the connection delivers it (the initial INVITE's 2xx is
    // the exception, see incoming-call.ts, because a proxy may put UDP on the caller's leg).
    const dest = TransactionLayer.responseDestination(req);
    if (this.core.transport.reliable || !dest) return;
    this.answeredReinvite = req.cseq?.seq ?? null;
    const timers = this.core.layer.timers;
    let interval = timers.A;
    const again = () => {
      if (this.answeredReinvite === null || this.ended) return;
      this.core.layer.sendStateless(ok, dest);
      interval = Math.min(interval * 2, timers.T2);
      this.dialogTimers.start("reinvite2xx", interval, again);
    };
    this.dialogTimers.start("reinvite2xx", interval, again);
    // 64·T1 without an ACK: stop re-sending; the session itself goes on (its state did not change).
    this.dialogTimers.start("reinviteGiveUp", timers.H, () => {
      this.answeredReinvite = null;
      this.dialogTimers.stop("reinvite2xx");
    });
  }

  /** RFC 3311 §5.2: UPDATE answered 200; an offer in it is answered with our current SDP. */
  private onUpdate(req: SipRequest, tx: ServerTransaction): void {
    if (req.body && this.offerPending) return tx.respond(buildResponse(req, 491, reasonFor(491)));
    const t = this.timerAnswer(req, tx);
    if (!t) return;
    if (this.dialog && req.contact) this.dialog.remoteTarget = req.contact.uri;
    tx.respond(buildResponse(req, 200, "OK", {
      contact: this.core.contact, body: req.body ? this.localSdp : undefined, extra: [["Supported", SUPPORTED], ...t.extra],
    }));
    this.afterRemoteRefresh("UPDATE", t);
  }

  // ---- requests we send in the dialog ---------------------------------------------------------

  /** A non-INVITE request in the dialog (§12.2.1.1), digest challenges answered by the core. */
  protected sendInDialog(method: string, o: { body?: string; contentType?: string; extra?: [string, string][]; contact?: boolean } = {}): Promise<RequestResult> {
    const d = this.dialog;
    const dest = d?.destination();
    if (!d || !dest || this.ended) return Promise.resolve(NO_DIALOG);
    const req = d.request(method, this.core.sentBy, {
      body: o.body, contentType: o.contentType, extra: o.extra, contact: o.contact ? this.core.contact : undefined,
    });
    return new Promise((resolve) => {
      this.core.sendAuthed(req, dest, {
        // A re-sent request (after a challenge) took the next CSeq: the dialog must count it.
        onSent: (r) => (d.localSeq = Math.max(d.localSeq, r.cseq?.seq ?? 0)),
        onFinal: (res) => resolve(requestResult(res)),
        onTimeout: () => resolve(TIMEOUT),
      });
    });
  }

  /** A re-INVITE (§14.1): 2xx ACKed by us (and re-ACKed on retransmissions), non-2xx by the transaction. */
  private sendReinvite(sdp: string, extra: [string, string][]): Promise<RequestResult> {
    const d = this.dialog;
    const dest = d?.destination();
    if (!d || !dest || this.ended) return Promise.resolve(NO_DIALOG);
    const req = d.request("INVITE", this.core.sentBy, {
      body: sdp, contact: this.core.contact, extra: [["Allow", ALLOW], ["Supported", SUPPORTED], ...extra],
    });
    this.offerPending = true;
    return new Promise((resolve) => {
      let settled = false;
      this.core.sendAuthed(req, dest, {
        onSent: (r) => (d.localSeq = Math.max(d.localSeq, r.cseq?.seq ?? 0)),
        onFinal: (res) => {
          const seq = res.cseq?.seq ?? 0;
          if (res.status >= 200 && res.status < 300) {
            if (this.acks.has(seq)) return this.resendAck(seq); // a retransmitted 2xx
            if (res.contact) d.remoteTarget = res.contact.uri; // §12.2.1.2 target refresh
            this.keepAck(seq, d.request("ACK", this.core.sentBy, { cseq: seq }));
            this.resendAck(seq);
          }
          if (settled) return;
          settled = true;
          this.offerPending = false;
          resolve(requestResult(res));
        },
        onTimeout: () => {
          if (settled) return;
          settled = true;
          this.offerPending = false;
          resolve(TIMEOUT);
        },
      });
    });
  }

  /** The headers a re-INVITE/UPDATE carries while a session timer is in force (RFC 4028 §7.4). */
  private refreshHeaders(intervalSec?: number): [string, string][] {
    const interval = intervalSec ?? this.session.intervalSec;
    if (interval <= 0) return [];
    return requestTimerHeaders(interval, sessionConfig(this.core.opts.sessionTimer).minSE, "uac");
  }

  /**
   * re-INVITE or UPDATE with the session timer headers, §14.1 glare retry and RFC 4028 422 retry;
   * a 2xx re-negotiates the session timer and counts as a refresh.
   */
  private async modify(method: "INVITE" | "UPDATE", sdp: string | undefined, extra: [string, string][]): Promise<RequestResult> {
    let interval = this.session.intervalSec;
    let glare = 0;
    let small = 0;
    // Bounded: every pass but the last is a retry, and each retry kind has its own small budget.
    for (let pass = 0; ; pass++) {
      const headers = [...this.refreshHeaders(interval), ...extra];
      const r = method === "INVITE" ? await this.sendReinvite(sdp ?? this.localSdp, headers) : await this.sendInDialog("UPDATE", { body: sdp, extra: [["Supported", SUPPORTED], ...headers], contact: true });
      const lastPass = pass >= MAX_GLARE_RETRIES + MAX_422_RETRIES || this.ended;
      if (!lastPass && r.statusCode === 491 && glare < MAX_GLARE_RETRIES) {
        glare++;
        // A plain timer (not dialogTimers): if the call ends meanwhile the retry still settles, with "no dialog".
        await new Promise<void>((res) => setTimeout(res, glareRetryDelayMs(this.ownsCallId)).unref());
        continue;
      }
      if (!lastPass && r.statusCode === 422 && small < MAX_422_RETRIES && r.headers) {
        small++;
        interval = Math.max(interval, parseMinSE({ headers: r.headers }) ?? 0);
        continue;
      }
      const hadTimer = this.session.intervalSec > 0;
      if (r.ok && r.headers) {
        const n = negotiatedByResponse({ headers: r.headers });
        this.session.start(n?.intervalSec ?? 0, n?.refresherIsUs ?? false);
        if (n) this.session.refreshes++;
      }
      if (hadTimer || this.session.intervalSec > 0) {
        this.emitRefresh({ by: "local", method, ok: r.ok, statusCode: r.statusCode, intervalSec: this.session.intervalSec });
      }
      return r;
    }
  }

  reinvite(opts: { sdp?: string; headers?: [string, string][] } = {}): Promise<RequestResult> {
    if (opts.sdp !== undefined) this.localSdp = opts.sdp;
    return this.modify("INVITE", opts.sdp, opts.headers ?? []);
  }

  update(opts: { sdp?: string; headers?: [string, string][] } = {}): Promise<RequestResult> {
    if (opts.sdp !== undefined) this.localSdp = opts.sdp;
    return this.modify("UPDATE", opts.sdp, opts.headers ?? []);
  }

  info(body: string, contentType = "application/dtmf-relay"): Promise<RequestResult> {
    return this.sendInDialog("INFO", { body, contentType });
  }

  options(): Promise<RequestResult> {
    return this.sendInDialog("OPTIONS", { extra: [["Accept", "application/sdp"]] });
  }

  /**
   * Our turn to refresh (RFC 4028 §10): UPDATE when configured and the peer allows it, else
   * re-INVITE with the unchanged SDP. A 408, 481 or no answer ends the session with BYE (§10).
   */
  private async refreshSession(): Promise<void> {
    if (this.ended || !this.dialog) return;
    const want = sessionConfig(this.core.opts.sessionTimer).method;
    const method = want === "UPDATE" && hasOptionTag(this.remoteAllow, "update") ? "UPDATE" : "INVITE";
    const r = await this.modify(method, undefined, []);
    if (this.ended) return;
    if (r.statusCode === null || r.statusCode === 408 || r.statusCode === 481) void this.sendBye("session refresh failed");
  }

  /** RFC 4028 §10: no refresh arrived (or ours failed) before the interval ran out → BYE. */
  private sessionExpired(): void {
    if (!this.ended && this.dialog) void this.sendBye("session expired (RFC 4028)");
  }

  /** BYE in the dialog (§15.1.1); the session is over as soon as it is sent. */
  protected sendBye(reason = "BYE sent"): Promise<ByeResult> {
    const d = this.dialog;
    if (!d) return Promise.resolve({ ok: false, statusCode: null });
    const dest = d.destination();
    if (!dest) return Promise.resolve({ ok: false, statusCode: null });
    const bye = d.request("BYE", this.core.sentBy);
    return new Promise((resolve) => {
      this.core.sendAuthed(bye, dest, {
        onFinal: (res) => resolve({ ok: res.status >= 200 && res.status < 300, statusCode: res.status }),
        onTimeout: () => resolve({ ok: false, statusCode: null }),
      });
      this.end("local", reason);
    });
  }
}
