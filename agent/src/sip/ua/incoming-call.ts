/**
 * A call we receive (UAS, RFC 3261 §13.3): 180/183/200 or a rejection on the INVITE server
 * transaction; the 2xx is retransmitted by us (the UA core) until the ACK arrives (§13.3.1.4),
 * and if it never does the dialog is confirmed and ended with BYE.
 */
import type { SipRequest } from "../message.js";
import type { Address } from "../transport/transport.js";
import type { InviteServerTransaction, ServerTransaction } from "../transaction/server.js";
import { TimerSet } from "../transaction/timer-set.js";
import { ALLOW, buildResponse, reasonFor } from "./build.js";
import { CallBase } from "./call-base.js";
import type { UserAgentCore } from "./core.js";
import { Dialog, dialogKey } from "./dialog.js";
import { newTag } from "./ids.js";
import type { ByeResult, IncomingCall } from "./types.js";

export class IncomingCallImpl extends CallBase implements IncomingCall {
  readonly callId: string;
  readonly from: string;
  readonly remoteSdp: string;
  protected localSdp = "";
  private readonly localTag = newTag();
  private readonly tx: InviteServerTransaction;
  private finalSent = false;
  private acked = false;
  private timers = new TimerSet<"retransmit" | "giveUp">();
  private key: string;

  /** Where our responses go (the connection the INVITE came on, for TCP/TLS). */
  private readonly responseDest: Address;

  constructor(core: UserAgentCore, private invite: SipRequest, tx: ServerTransaction, src: Address) {
    super(core);
    if (tx.kind !== "invite-server") throw new Error("IncomingCall needs an INVITE server transaction");
    this.tx = tx;
    this.callId = invite.callId;
    this.from = invite.headers.get("from") ?? "";
    this.remoteSdp = invite.body;
    this.responseDest = core.layer.responseDest(invite, src);
    this.key = dialogKey(invite.callId, this.localTag, invite.from?.tag ?? "");
    // Registered before any response so early in-dialog requests find us.
    core.addDialog(this.key, this);
    core.pendingIncoming.set(tx, this);
  }

  private respond(code: number, reason: string, sdp?: string) {
    this.tx.respond(
      buildResponse(this.invite, code, reason, {
        toTag: this.localTag,
        contact: code < 300 ? this.core.contact : undefined,
        recordRoute: code < 300,
        body: sdp,
        extra: code >= 200 && code < 300 ? [["Allow", ALLOW]] : undefined,
      }),
    );
  }

  ringing(): void {
    if (!this.finalSent && !this.ended) this.respond(180, "Ringing");
  }

  progress(sdp?: string): void {
    if (!this.finalSent && !this.ended) this.respond(183, "Session Progress", sdp);
  }

  answer(sdp: string): void {
    if (this.finalSent || this.ended) return;
    this.finalSent = true;
    this.localSdp = sdp;
    this.core.pendingIncoming.delete(this.tx);
    this.dialog = Dialog.asUas(this.invite, this.localTag);
    const ok = buildResponse(this.invite, 200, "OK", {
      toTag: this.localTag, contact: this.core.contact, recordRoute: true, body: sdp, extra: [["Allow", ALLOW]],
    });
    this.tx.respond(ok);
    // §13.3.1.4: re-send the 2xx at T1, doubling up to T2, until the ACK; give up after 64*T1.
    // This holds over TCP/TLS too: a stateful proxy does not retransmit 2xx, so the caller's leg
    // may be UDP. Over a stream the copies go on the connection the INVITE came on (§18.2.2).
    const t = this.core.layer.timers;
    const dest = this.responseDest;
    let interval = t.A;
    const again = () => {
      if (this.acked || this.ended) return;
      this.core.layer.sendStateless(ok, dest);
      interval = Math.min(interval * 2, t.T2);
      this.timers.start("retransmit", interval, again);
    };
    this.timers.start("retransmit", interval, again);
    this.timers.start("giveUp", t.H, () => {
      if (!this.acked && !this.ended) void this.sendBye();
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
      this.acked = true;
      this.timers.clear();
    }
  }

  protected override cleanup(): void {
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
