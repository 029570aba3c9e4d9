/** What outgoing and incoming calls share: the end-of-dialog notification and in-dialog request handling. */
import type { SipRequest } from "../message.js";
import type { ServerTransaction } from "../transaction/server.js";
import { ALLOW, buildResponse, reasonFor } from "./build.js";
import type { UserAgentCore } from "./core.js";
import type { Dialog } from "./dialog.js";
import type { ByeResult, CallEnded } from "./types.js";

export abstract class CallBase {
  protected dialog: Dialog | null = null;
  protected ended: CallEnded | null = null;
  private endedCbs: ((e: CallEnded) => void)[] = [];
  protected abstract localSdp: string;

  constructor(protected core: UserAgentCore) {}

  onEnded(cb: (e: CallEnded) => void): void {
    if (this.ended) cb(this.ended);
    else this.endedCbs.push(cb);
  }

  protected end(by: "local" | "remote", reason: string): void {
    if (this.ended) return;
    this.ended = { by, reason };
    if (this.dialog) this.core.removeDialog(this.dialog.key);
    this.cleanup();
    for (const cb of this.endedCbs.splice(0)) cb(this.ended);
  }

  /** Hook to stop timers when the dialog ends. */
  protected cleanup(): void {}

  /** Hook for an ACK that arrived in this dialog. */
  protected onAck(_ack: SipRequest): void {}

  /** In-dialog requests (§12.2.2): BYE ends the call (§15.1.2); a re-INVITE gets our current SDP back. */
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
        tx.respond(buildResponse(req, 200, "OK"));
        this.end("remote", "BYE received");
        return;
      case "INVITE":
        if (d && req.contact) d.remoteTarget = req.contact.uri; // §12.2.2 target refresh
        tx.respond(buildResponse(req, 200, "OK", { contact: this.core.contact, body: this.localSdp, extra: [["Allow", ALLOW]] }));
        return;
      case "OPTIONS":
      case "INFO":
      case "UPDATE":
      case "NOTIFY":
        tx.respond(buildResponse(req, 200, "OK"));
        return;
      default:
        tx.respond(buildResponse(req, 405, reasonFor(405), { extra: [["Allow", ALLOW]] }));
    }
  }

  /** BYE in the dialog (§15.1.1); the session is over as soon as it is sent. */
  protected sendBye(): Promise<ByeResult> {
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
      this.end("local", "BYE sent");
    });
  }
}
