/**
 * A call we receive (UAS, RFC 3261 §13.3): 180/183/200 or a rejection on the INVITE server
 * transaction; the 2xx is retransmitted by us (the UA core) until the ACK arrives (§13.3.1.4),
 * and if it never does the dialog is confirmed and ended with BYE. Provisionals may be sent
 * reliably (RFC 3262 §3: Require: 100rel, RSeq, re-sent until PRACKed), and the 2xx carries the
 * session timer we grant (RFC 4028 §9).
 */
import type { SipRequest } from "../message.js";
import { reliableProvisionalGiveUpMs } from "../timers.js";
import type { Address } from "../transport/transport.js";
import type { InviteServerTransaction, ServerTransaction } from "../transaction/server.js";
import { TimerSet } from "../transaction/timer-set.js";
import { ALLOW, SUPPORTED, buildResponse, hasOptionTag, reasonFor } from "./build.js";
import { CallBase } from "./call-base.js";
import type { UserAgentCore } from "./core.js";
import { Dialog, dialogKey } from "./dialog.js";
import { newTag } from "./ids.js";
import { negotiateAsUas, sessionConfig } from "./session-timer.js";
import type { ByeResult, IncomingCall, ProvisionalOptions } from "./types.js";

/** RFC 3262 §3: the first RSeq is random in 1..2^31-1; we stay below 2^30 so increments never overflow. */
const RSEQ_START_MAX = 2 ** 30;
/** Reliable provisionals queued behind an unacknowledged one (RFC 3262 §3 sends one at a time). */
const MAX_QUEUED_RELIABLE = 4;

interface Reliable {
  rseq: number;
  code: number;
  reason: string;
  sdp: string | undefined;
}

export class IncomingCallImpl extends CallBase implements IncomingCall {
  readonly callId: string;
  readonly from: string;
  readonly remoteSdp: string;
  protected localSdp = "";
  protected readonly ownsCallId = false;
  private readonly localTag = newTag();
  private readonly tx: InviteServerTransaction;
  private finalSent = false;
  private ackReceived = false;
  private timers = new TimerSet<"retransmit" | "giveUp" | "rel" | "relGiveUp">();
  private key: string;
  /** The caller offered (Supported) or demanded (Require) 100rel. */
  private readonly peer100rel: boolean;
  private readonly peerRequires100rel: boolean;
  private nextRseq = 1 + Math.floor(Math.random() * RSEQ_START_MAX);
  /** The reliable provisional awaiting its PRACK, and those queued behind it. */
  private unacked: Reliable | null = null;
  private queued: Reliable[] = [];
  /** answer() called while a reliable provisional with SDP is unacknowledged (RFC 3262 §3). */
  private deferredAnswer: string | null = null;

  /** Waiting for the 2xx's ACK (acked()); resolved with its body, or null if the call ended first. */
  private ackWaiters: Array<(body: string | null) => void> = [];
  private ackBody: string | null = null;

  /** Where our responses go (the connection the INVITE came on, for TCP/TLS). */
  private readonly responseDest: Address;

  constructor(core: UserAgentCore, private invite: SipRequest, tx: ServerTransaction, src: Address) {
    super(core);
    if (tx.kind !== "invite-server") throw new Error("IncomingCall needs an INVITE server transaction");
    this.tx = tx;
    this.callId = invite.callId;
    this.from = invite.headers.get("from") ?? "";
    this.remoteSdp = invite.body;
    this.remoteAllow = invite.headers.getAll("allow");
    this.responseDest = core.layer.responseDest(invite, src);
    this.key = dialogKey(invite.callId, this.localTag, invite.from?.tag ?? "");
    this.peerRequires100rel = hasOptionTag(invite.headers.getAll("require"), "100rel");
    this.peer100rel = this.peerRequires100rel || hasOptionTag(invite.headers.getAll("supported"), "100rel");
    // Registered before any response so early in-dialog requests (PRACK) find us.
    core.addDialog(this.key, this);
    core.pendingIncoming.set(tx, this);
  }

  private respond(code: number, reason: string, sdp?: string, extra?: [string, string][]) {
    this.tx.respond(
      buildResponse(this.invite, code, reason, {
        toTag: this.localTag,
        contact: code < 300 ? this.core.contact : undefined,
        recordRoute: code < 300,
        body: sdp,
        extra,
      }),
    );
  }

  private provisional(code: number, reason: string, sdp: string | undefined, o: ProvisionalOptions | undefined) {
    if (this.finalSent || this.ended) return;
    const reliable = this.peerRequires100rel || (this.peer100rel && (o?.reliable ?? this.core.opts.reliableProvisionals ?? false));
    if (!reliable) return this.respond(code, reason, sdp);
    const r: Reliable = { rseq: 0, code, reason, sdp };
    if (this.unacked) {
      if (this.queued.length < MAX_QUEUED_RELIABLE) this.queued.push(r);
      return;
    }
    this.sendReliable(r);
  }

  /** RFC 3262 §3: Require: 100rel + RSeq, re-sent at T1 doubling until PRACKed; after 64·T1 the INVITE is rejected 5xx. */
  private sendReliable(r: Reliable) {
    r.rseq = this.nextRseq++;
    this.unacked = r;
    const extra: [string, string][] = [["Require", "100rel"], ["RSeq", String(r.rseq)], ["Allow", ALLOW]];
    const send = () => this.respond(r.code, r.reason, r.sdp, extra);
    send();
    const t = this.core.layer.timers;
    if (!this.core.transport.reliable) {
      let interval = t.A;
      const again = () => {
        if (this.unacked !== r || this.finalSent || this.ended) return;
        send();
        interval *= 2;
        this.timers.start("rel", interval, again);
      };
      this.timers.start("rel", interval, again);
    }
    this.timers.start("relGiveUp", reliableProvisionalGiveUpMs(t.A), () => {
      if (this.unacked === r && !this.finalSent) this.reject(504, "No PRACK");
    });
  }

  /** RFC 3262 §3: a PRACK whose RAck matches the outstanding reliable provisional → 200; anything else → 481. */
  protected override onPrack(req: SipRequest, tx: ServerTransaction): void {
    const rack = (req.headers.get("rack") ?? "").trim().split(/\s+/);
    const u = this.unacked;
    const match = u && rack.length === 3 && Number(rack[0]) === u.rseq && Number(rack[1]) === this.invite.cseq?.seq && rack[2].toUpperCase() === "INVITE";
    if (!match) return tx.respond(buildResponse(req, 481, reasonFor(481)));
    tx.respond(buildResponse(req, 200, "OK"));
    this.unacked = null;
    this.timers.stop("rel");
    this.timers.stop("relGiveUp");
    const next = this.queued.shift();
    if (next && !this.finalSent) return this.sendReliable(next);
    if (this.deferredAnswer !== null) {
      const sdp = this.deferredAnswer;
      this.deferredAnswer = null;
      this.answer(sdp);
    }
  }

  ringing(o?: ProvisionalOptions): void {
    this.provisional(180, "Ringing", undefined, o);
  }

  progress(sdp?: string, o?: ProvisionalOptions): void {
    this.provisional(183, "Session Progress", sdp, o);
  }

  answer(sdp: string): void {
    if (this.finalSent || this.ended) return;
    // RFC 3262 §3: no 2xx while a reliable provisional carrying an SDP is unacknowledged.
    if (this.unacked?.sdp || this.queued.some((q) => q.sdp)) {
      this.deferredAnswer = sdp;
      return;
    }
    // RFC 4028 §9: the session timer we grant (the 422 for a too small one was sent by the core).
    const cfg = sessionConfig(this.core.opts.sessionTimer);
    const grant = this.core.opts.sessionTimer ? { expires: cfg.expires, refresher: cfg.refresher } : null;
    const n = negotiateAsUas(this.invite, cfg.minSE, grant);
    const timerHeaders: [string, string][] = [];
    if (n && !n.tooSmall) {
      timerHeaders.push(["Session-Expires", `${n.intervalSec};refresher=${n.refresher}`]);
      if (n.require) timerHeaders.push(["Require", "timer"]);
    }
    this.finalSent = true;
    this.localSdp = sdp;
    // A 180 still unPRACKed stays so (RFC 3262 §3): its PRACK, arriving after our 2xx (a proxy may
    // reorder them), still gets its 200. Only the retransmission and the give-up timer stop.
    this.queued = [];
    this.timers.stop("rel");
    this.timers.stop("relGiveUp");
    this.core.pendingIncoming.delete(this.tx);
    this.dialog = Dialog.asUas(this.invite, this.localTag);
    const ok = buildResponse(this.invite, 200, "OK", {
      toTag: this.localTag, contact: this.core.contact, recordRoute: true, body: sdp,
      extra: [["Allow", ALLOW], ["Supported", SUPPORTED], ...timerHeaders],
    });
    this.tx.respond(ok);
    // RFC 4028 §9: the clock starts with the 2xx; we refresh when the refresher is the UAS (us).
    if (n && !n.tooSmall) this.session.start(n.intervalSec, n.refresher === "uas");
    // §13.3.1.4: re-send the 2xx at T1, doubling up to T2, until the ACK; give up after 64*T1.
    // This holds over TCP/TLS too: a stateful proxy does not retransmit 2xx, so the caller's leg
    // may be UDP. Over a stream the copies go on the connection the INVITE came on (§18.2.2).
    const t = this.core.layer.timers;
    const dest = this.responseDest;
    let interval = t.A;
    const again = () => {
      if (this.ackReceived || this.ended) return;
      this.core.layer.sendStateless(ok, dest);
      interval = Math.min(interval * 2, t.T2);
      this.timers.start("retransmit", interval, again);
    };
    this.timers.start("retransmit", interval, again);
    this.timers.start("giveUp", t.H, () => {
      if (!this.ackReceived && !this.ended) void this.sendBye();
    });
  }

  reject(code: number, reason?: string): void {
    if (this.finalSent || this.ended) return;
    this.finalSent = true;
    this.core.pendingIncoming.delete(this.tx);
    this.respond(code, reason ?? reasonFor(code));
    this.end("local", `rejected with ${code}`);
  }

  /** The caller sent CANCEL before our final response (§9.2): 487 for the INVITE. */
  cancelledByRemote(): void {
    if (this.finalSent || this.ended) return;
    this.finalSent = true;
    this.core.pendingIncoming.delete(this.tx);
    this.respond(487, reasonFor(487));
    this.end("remote", "CANCEL received");
  }

  protected override onAck(ack: SipRequest): void {
    if (ack.cseq?.seq === this.invite.cseq?.seq) {
      if (this.ackReceived) return;
      this.ackReceived = true;
      this.timers.stop("retransmit");
      this.timers.stop("giveUp");
      this.ackBody = ack.body;
      for (const w of this.ackWaiters.splice(0)) w(ack.body);
      return;
    }
    super.onAck(ack);
  }

  /**
   * The body of the ACK for our 2xx once it arrives, or null if the call ends without one. With a
   * late offer (an INVITE without SDP, RFC 3261 §13.2.1 / RFC 3264 §4) our 2xx carried the offer
   * and this is the caller's answer.
   */
  acked(): Promise<string | null> {
    if (this.ackReceived) return Promise.resolve(this.ackBody ?? "");
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.ackWaiters.push(resolve));
  }

  protected override cleanup(): void {
    for (const w of this.ackWaiters.splice(0)) w(null);
    this.timers.clear();
    this.core.pendingIncoming.delete(this.tx);
    this.core.removeDialog(this.key);
  }

  bye(): Promise<ByeResult> {
    if (this.ended) return Promise.resolve({ ok: this.ended.by === "remote", statusCode: null });
    if (!this.dialog) {
      // Not answered yet: decline instead (a BYE needs a confirmed dialog from the UAS side, §15).
      this.reject(480, reasonFor(480));
      return Promise.resolve({ ok: false, statusCode: null });
    }
    return this.sendBye();
  }
}
