/**
 * Client transactions over an unreliable transport (RFC 3261 §17.1): INVITE (Figure 5, with the
 * RFC 6026 Accepted state) and non-INVITE (Figure 6). Each has one `transition()` that performs
 * the entry actions (timers) of the state it enters.
 */
import type { SipRequest, SipResponse } from "../message.js";
import type { TimerValues } from "../timers.js";
import type { Address } from "../transport/transport.js";
import { ackForNon2xx } from "./build.js";
import { InviteClientState, NonInviteClientState } from "./states.js";
import { TimerSet } from "./timer-set.js";

export interface ClientTransactionHandlers {
  /** Provisional and final responses passed to the TU, and 2xx retransmissions while Accepted. */
  onResponse(res: SipResponse): void;
  /**
   * Timer B / F fired: no final response (RFC 3261 §8.1.3.1 treats it as a 408) — or, with
   * `transportError`, the transport could not deliver the request (§8.1.3.1: like a 503), e.g. a
   * refused connection or a TLS certificate that failed verification.
   */
  onTimeout(transportError?: string): void;
}

interface TxEnv {
  send(msg: SipRequest): void;
  timers: TimerValues;
  reliable: boolean;
  /** Called once on entering Terminated, so the layer forgets the transaction. */
  done(): void;
  /** Where the request goes (a failed connection there fails the transaction). */
  dest: Address;
}

export class InviteClientTransaction {
  readonly kind = "invite-client" as const;
  state: InviteClientState = InviteClientState.Calling;
  private timers = new TimerSet<"A" | "B" | "D" | "M">();
  private interval: number;
  private ack: SipRequest | null = null;

  constructor(readonly key: string, readonly request: SipRequest, private env: TxEnv, private handlers: ClientTransactionHandlers) {
    this.interval = env.timers.A;
  }

  start(): void {
    this.env.send(this.request);
    this.transition(InviteClientState.Calling);
  }

  private transition(to: InviteClientState): void {
    const from = this.state;
    this.state = to;
    const t = this.env.timers;
    switch (to) {
      case InviteClientState.Calling:
        // §17.1.1.2: Timer A (retransmit, unreliable only) and Timer B (timeout).
        if (!this.env.reliable) this.timers.start("A", this.interval, () => this.fireA());
        this.timers.start("B", t.B, () => {
          if (this.state === InviteClientState.Calling) {
            this.transition(InviteClientState.Terminated);
            this.handlers.onTimeout();
          }
        });
        break;
      case InviteClientState.Proceeding:
        // A provisional stops retransmissions; Timer B only applies in Calling.
        this.timers.stop("A");
        this.timers.stop("B");
        break;
      case InviteClientState.Completed:
        this.timers.stop("A");
        this.timers.stop("B");
        this.timers.start("D", t.D, () => this.transition(InviteClientState.Terminated));
        break;
      case InviteClientState.Accepted:
        this.timers.stop("A");
        this.timers.stop("B");
        this.timers.start("M", t.M, () => this.transition(InviteClientState.Terminated));
        break;
      case InviteClientState.Terminated:
        this.timers.clear();
        if (from !== InviteClientState.Terminated) this.env.done();
        break;
    }
  }

  private fireA(): void {
    if (this.state !== InviteClientState.Calling) return;
    this.env.send(this.request);
    this.interval *= 2; // §17.1.1.2: doubling, no cap for INVITE (Timer B bounds it)
    this.timers.start("A", this.interval, () => this.fireA());
  }

  receive(res: SipResponse): void {
    const s = this.state;
    const code = res.status;
    if (s === InviteClientState.Calling || s === InviteClientState.Proceeding) {
      if (code < 200) {
        if (s === InviteClientState.Calling) this.transition(InviteClientState.Proceeding);
        this.handlers.onResponse(res);
      } else if (code < 300) {
        this.transition(InviteClientState.Accepted);
        this.handlers.onResponse(res);
      } else {
        // §17.1.1.3: the transaction itself ACKs a non-2xx final response.
        this.ack = ackForNon2xx(this.request, res);
        this.env.send(this.ack);
        this.transition(InviteClientState.Completed);
        this.handlers.onResponse(res);
      }
    } else if (s === InviteClientState.Completed) {
      // Retransmitted final response: re-send the ACK, do not bother the TU.
      if (code >= 300 && this.ack) this.env.send(this.ack);
    } else if (s === InviteClientState.Accepted) {
      // RFC 6026 §8.4: 2xx retransmissions go to the TU (which re-sends its own ACK).
      if (code >= 200 && code < 300) this.handlers.onResponse(res);
    }
  }

  /** Transport failure (§17.1.1.2): terminate and tell the TU why. */
  get dest(): Address {
    return this.env.dest;
  }

  transportError(reason: string): void {
    if (this.state === InviteClientState.Terminated) return;
    this.transition(InviteClientState.Terminated);
    this.handlers.onTimeout(reason);
  }

  terminate(): void {
    this.transition(InviteClientState.Terminated);
  }
}

export class NonInviteClientTransaction {
  readonly kind = "non-invite-client" as const;
  state: NonInviteClientState = NonInviteClientState.Trying;
  private timers = new TimerSet<"E" | "F" | "K">();
  private interval: number;

  constructor(readonly key: string, readonly request: SipRequest, private env: TxEnv, private handlers: ClientTransactionHandlers) {
    this.interval = env.timers.E;
  }

  start(): void {
    this.env.send(this.request);
    this.transition(NonInviteClientState.Trying);
  }

  private transition(to: NonInviteClientState): void {
    const from = this.state;
    this.state = to;
    const t = this.env.timers;
    switch (to) {
      case NonInviteClientState.Trying:
        // §17.1.2.2: Timer E (retransmit, T1 doubling to T2) and Timer F (timeout).
        if (!this.env.reliable) this.timers.start("E", this.interval, () => this.fireE());
        this.timers.start("F", t.F, () => {
          if (this.state === NonInviteClientState.Trying || this.state === NonInviteClientState.Proceeding) {
            this.transition(NonInviteClientState.Terminated);
            this.handlers.onTimeout();
          }
        });
        break;
      case NonInviteClientState.Proceeding:
        // Retransmissions continue, at T2 (§17.1.2.2); Timer F keeps running.
        break;
      case NonInviteClientState.Completed:
        this.timers.stop("E");
        this.timers.stop("F");
        this.timers.start("K", t.K, () => this.transition(NonInviteClientState.Terminated));
        break;
      case NonInviteClientState.Terminated:
        this.timers.clear();
        if (from !== NonInviteClientState.Terminated) this.env.done();
        break;
    }
  }

  private fireE(): void {
    if (this.state !== NonInviteClientState.Trying && this.state !== NonInviteClientState.Proceeding) return;
    this.env.send(this.request);
    const t2 = this.env.timers.T2;
    this.interval = this.state === NonInviteClientState.Proceeding ? t2 : Math.min(this.interval * 2, t2);
    this.timers.start("E", this.interval, () => this.fireE());
  }

  receive(res: SipResponse): void {
    const s = this.state;
    if (s === NonInviteClientState.Trying || s === NonInviteClientState.Proceeding) {
      if (res.status < 200) {
        if (s === NonInviteClientState.Trying) this.transition(NonInviteClientState.Proceeding);
        this.handlers.onResponse(res);
      } else {
        this.transition(NonInviteClientState.Completed);
        this.handlers.onResponse(res);
      }
    }
    // Completed: retransmitted finals are absorbed (Timer K).
  }

  get dest(): Address {
    return this.env.dest;
  }

  transportError(reason: string): void {
    if (this.state === NonInviteClientState.Terminated) return;
    this.transition(NonInviteClientState.Terminated);
    this.handlers.onTimeout(reason);
  }

  terminate(): void {
    this.transition(NonInviteClientState.Terminated);
  }
}

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type { TxEnv };
