/**
 * Server transactions over an unreliable transport (RFC 3261 §17.2): INVITE (Figure 7, with the
 * RFC 6026 Accepted state) and non-INVITE (Figure 8). One `transition()` each, as on the client side.
 */
import type { SipRequest, SipResponse } from "../message.js";
import type { TimerValues } from "../timers.js";
import { InviteServerState, NonInviteServerState } from "./states.js";
import { TimerSet } from "./timer-set.js";
import { SipHeaders, SipResponse as Response } from "../message.js";

export interface ServerTxEnv {
  send(res: SipResponse): void;
  timers: TimerValues;
  reliable: boolean;
  done(): void;
}

/** 100 Trying built from the request (RFC 3261 §8.2.6.1: To without tag, Timestamp copied). */
function trying(req: SipRequest): SipResponse {
  const h = new SipHeaders();
  for (const v of req.headers.getAll("via")) h.append("Via", v);
  h.append("From", req.headers.get("from") ?? "");
  h.append("To", req.headers.get("to") ?? "");
  h.append("Call-ID", req.callId);
  h.append("CSeq", req.headers.get("cseq") ?? "");
  const ts = req.headers.get("timestamp");
  if (ts !== undefined) h.append("Timestamp", ts);
  return new Response(100, "Trying", h);
}

export class InviteServerTransaction {
  readonly kind = "invite-server" as const;
  state: InviteServerState = InviteServerState.Proceeding;
  private timers = new TimerSet<"trying" | "G" | "H" | "I" | "L">();
  private last: SipResponse | null = null;
  private interval: number;
  /** Timer H fired: the final non-2xx response was never ACKed (§17.2.1). */
  onTimeout: (() => void) | null = null;
  /** Called once when the transaction ends (Timer H/I/L), e.g. to drop per-transaction state of the TU. */
  onTerminated: (() => void) | null = null;

  constructor(readonly key: string, readonly request: SipRequest, private env: ServerTxEnv) {
    this.interval = env.timers.G;
  }

  start(): void {
    this.transition(InviteServerState.Proceeding);
  }

  /** Whether a final response has been sent. */
  get finalSent(): boolean {
    return this.state !== InviteServerState.Proceeding;
  }

  private transition(to: InviteServerState): void {
    const from = this.state;
    this.state = to;
    const t = this.env.timers;
    switch (to) {
      case InviteServerState.Proceeding:
        // §17.2.1: send 100 Trying unless the TU answers within 200 ms.
        this.timers.start("trying", t.trying, () => {
          if (this.state === InviteServerState.Proceeding && this.last === null) this.send(trying(this.request));
        });
        break;
      case InviteServerState.Completed:
        this.timers.stop("trying");
        if (!this.env.reliable) this.timers.start("G", this.interval, () => this.fireG());
        this.timers.start("H", t.H, () => {
          if (this.state !== InviteServerState.Completed) return;
          this.transition(InviteServerState.Terminated);
          this.onTimeout?.();
        });
        break;
      case InviteServerState.Confirmed:
        this.timers.stop("G");
        this.timers.stop("H");
        this.timers.start("I", t.I, () => this.transition(InviteServerState.Terminated));
        break;
      case InviteServerState.Accepted:
        this.timers.stop("trying");
        this.timers.start("L", t.L, () => this.transition(InviteServerState.Terminated));
        break;
      case InviteServerState.Terminated:
        this.timers.clear();
        if (from !== InviteServerState.Terminated) {
          this.env.done();
          this.onTerminated?.();
        }
        break;
    }
  }

  private fireG(): void {
    if (this.state !== InviteServerState.Completed || !this.last) return;
    this.env.send(this.last);
    this.interval = Math.min(this.interval * 2, this.env.timers.T2);
    this.timers.start("G", this.interval, () => this.fireG());
  }

  private send(res: SipResponse) {
    this.last = res;
    this.env.send(res);
  }

  /** The TU's response. 2xx may be re-sent while Accepted (the UA core retransmits 2xx, §13.3.1.4). */
  respond(res: SipResponse): void {
    const s = this.state;
    if (s === InviteServerState.Proceeding) {
      this.send(res);
      if (res.status >= 300) this.transition(InviteServerState.Completed);
      else if (res.status >= 200) this.transition(InviteServerState.Accepted);
    } else if (s === InviteServerState.Accepted && res.status >= 200 && res.status < 300) {
      this.env.send(res);
    }
  }

  /** A retransmitted INVITE or an ACK that matched this transaction. Returns true when the TU should see it. */
  receive(req: SipRequest): boolean {
    const s = this.state;
    if (req.method === "ACK") {
      if (s === InviteServerState.Completed) this.transition(InviteServerState.Confirmed);
      return s === InviteServerState.Accepted; // RFC 6026 §8.7: ACK for the 2xx goes to the TU
    }
    // INVITE retransmission: re-send the last response in Proceeding/Completed (§17.2.1).
    if ((s === InviteServerState.Proceeding || s === InviteServerState.Completed) && this.last) this.env.send(this.last);
    return false;
  }

  terminate(): void {
    this.transition(InviteServerState.Terminated);
  }
}

export class NonInviteServerTransaction {
  readonly kind = "non-invite-server" as const;
  state: NonInviteServerState = NonInviteServerState.Trying;
  private timers = new TimerSet<"J">();
  private last: SipResponse | null = null;

  constructor(readonly key: string, readonly request: SipRequest, private env: ServerTxEnv) {}

  start(): void {
    this.transition(NonInviteServerState.Trying);
  }

  get finalSent(): boolean {
    return this.state === NonInviteServerState.Completed || this.state === NonInviteServerState.Terminated;
  }

  private transition(to: NonInviteServerState): void {
    const from = this.state;
    this.state = to;
    if (to === NonInviteServerState.Completed) {
      // §17.2.2: Timer J keeps the final response for request retransmissions.
      this.timers.start("J", this.env.timers.J, () => this.transition(NonInviteServerState.Terminated));
    } else if (to === NonInviteServerState.Terminated) {
      this.timers.clear();
      if (from !== NonInviteServerState.Terminated) this.env.done();
    }
  }

  respond(res: SipResponse): void {
    const s = this.state;
    if (s !== NonInviteServerState.Trying && s !== NonInviteServerState.Proceeding) return;
    this.last = res;
    this.env.send(res);
    if (res.status >= 200) this.transition(NonInviteServerState.Completed);
    else if (s === NonInviteServerState.Trying) this.transition(NonInviteServerState.Proceeding);
  }

  /** A retransmission of the request: absorbed in Trying, answered with the last response after. */
  receive(_req: SipRequest): boolean {
    if (this.state !== NonInviteServerState.Trying && this.last) this.env.send(this.last);
    return false;
  }

  terminate(): void {
    this.transition(NonInviteServerState.Terminated);
  }
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
