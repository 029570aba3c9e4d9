/**
 * One simulated phone: register, then either call its target (callers) or wait for a call
 * (receivers), carry media for the configured duration, hang up, de-register. It keeps the
 * endpoint model (forward-only phase, set-once outcome with the SIP status that caused it), the
 * call timings, and the SIP trace, and reports what changed once per second via `sample()`.
 */
import {
  advancePhase,
  mergeOutcome,
  type EndpointOutcome,
  type EndpointPhase,
  type EndpointSample,
  type EndpointSpec,
  type SipTraceEntry,
  type Timings,
} from "../../../protocol/index.js";
import type { Logger } from "./log.js";
import type { IncomingCallPort, MediaFactory, MediaPort, OutgoingCallPort, UserAgentFactory, UserAgentPort } from "./ports.js";
import type { ManagedEndpoint } from "./run-client.js";

/** Registration lifetime we ask for; the registrar's grant is recorded (RFC 3261 §10.2.1). */
export const REGISTER_EXPIRES_SEC = 300;
/** How long a receiver waits for its INVITE after registering (callers are dispatched once receivers registered). */
export const RECEIVER_WAIT_SEC = 60;
/** A receiver whose caller never hangs up ends the call itself this long after the configured duration. */
export const RECEIVER_HANGUP_GRACE_SEC = 15;
/**
 * On a stop, callers hang up and receivers wait this long for the caller's BYE before sending
 * their own: both sides sending BYE at once makes the BYEs cross (each answered 481).
 */
export const RECEIVER_STOP_BYE_WAIT_MS = 3_000;
/** Trace entries per frame for one endpoint (the wire schema's limit). */
const TRACE_PER_SAMPLE = 200;

export interface EndpointDeps {
  ua: UserAgentFactory;
  media: MediaFactory;
  localAddress: string;
  log: Logger;
  /** A SIP or RTP socket could not be opened (feeds the agent's health: SOCKET_LIMIT / SOCKET_ERROR). */
  onSocketError?: (err: unknown) => void;
}

export class Endpoint implements ManagedEndpoint {
  readonly id: string;
  private phase: EndpointPhase = "INITIALIZING";
  private outcome: EndpointOutcome | null = null;
  private statusCode: number | null = null;
  private statusText: string | null = null;
  private timings: Timings = {};
  private traceQueue: SipTraceEntry[] = [];
  private dirty = true;
  private timingsDirty = false;
  private ua: UserAgentPort | null = null;
  private media: MediaPort | null = null;
  private stopRequested = false;
  private wake: (() => void) | null = null;
  private finished = false;

  constructor(
    private readonly spec: EndpointSpec,
    private readonly deps: EndpointDeps,
  ) {
    this.id = spec.id;
  }

  get closed(): boolean {
    return this.finished;
  }

  start(): void {
    void this.run().catch((e) => {
      this.deps.log.error("endpoint crashed", { endpoint: this.id, error: String(e instanceof Error ? e.stack : e) });
      this.fail("OSERROR", null, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      void this.teardown();
    });
  }

  stop(_reason: string): void {
    this.stopRequested = true;
    this.wake?.();
  }

  /** The media whose metrics the next sample() reports (a call in progress), for MediaFactory.prefetch. */
  mediaToSample(): MediaPort | null {
    return this.media && this.phase === "INCALL" ? this.media : null;
  }

  sample(nowMs: number): EndpointSample | null {
    let m: Record<string, number> | undefined;
    // Key metrics and detail metrics travel together: the edge keeps the full per-second series of
    // both (endpoint detail), and aggregates only the key ones.
    const media = this.mediaToSample();
    if (media) {
      const second = media.sample(nowMs);
      // An empty second (media on a worker whose row was not fetched for this frame) is no metrics.
      if (Object.keys(second).length > 0) m = { ...second, ...media.detail?.() } as Record<string, number>;
    }
    if (!this.dirty && !m && this.traceQueue.length === 0) return null;
    const trace = this.traceQueue.splice(0, TRACE_PER_SAMPLE);
    const s: EndpointSample = {
      id: this.id,
      phase: this.phase,
      outcome: this.outcome,
      statusCode: this.statusCode,
      statusText: this.statusText,
      ...(m ? { m } : {}),
      ...(this.timingsDirty ? { timings: { ...this.timings } } : {}),
      ...(trace.length ? { trace } : {}),
    };
    this.dirty = false;
    this.timingsDirty = false;
    return s;
  }

  // ---- state ----------------------------------------------------------------------------------

  private setPhase(p: EndpointPhase) {
    const next = advancePhase(this.phase, p);
    if (next !== this.phase) {
      this.phase = next;
      this.dirty = true;
    }
  }

  private fail(outcome: EndpointOutcome, statusCode: number | null, text: string) {
    const next = mergeOutcome(this.outcome, outcome);
    if (next !== this.outcome) {
      this.outcome = next;
      this.statusCode = statusCode;
      this.statusText = text;
      this.dirty = true;
    }
  }

  private succeed(statusCode: number | null, text: string) {
    if (this.outcome) return;
    this.outcome = "SUCCESS";
    this.statusCode = statusCode ?? this.statusCode;
    this.statusText = text;
    this.dirty = true;
  }

  private time(key: keyof Timings, value: number) {
    if (this.timings[key] !== undefined) return;
    this.timings[key] = Math.max(0, Math.round(value));
    this.timingsDirty = true;
  }

  /** Sleep until `ms` passed or stop() was called. Returns true if stopped. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopRequested) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve(true);
      };
    });
  }

  // ---- the script -----------------------------------------------------------------------------

  private async run() {
    const { spec, deps } = this;
    if (spec.startDelayMs > 0 && (await this.sleep(spec.startDelayMs))) return this.teardown();
    try {
      this.ua = await deps.ua.create({
        localAddress: deps.localAddress,
        server: { host: spec.registrar.host, port: spec.registrar.port, transport: spec.registrar.transport },
        tls: spec.registrar.tls,
        domain: spec.registrar.domain,
        account: spec.account,
        onTrace: (e) => this.traceQueue.push(e),
      });
    } catch (e) {
      this.deps.onSocketError?.(e);
      this.fail("OSERROR", null, `cannot open SIP socket: ${e instanceof Error ? e.message : String(e)}`);
      return this.teardown();
    }
    // Receivers must be ready for an INVITE the moment they are registered.
    const incoming = spec.role === "RECEIVER" ? this.waitForIncoming(this.ua) : null;
    const reg = await this.ua.register(REGISTER_EXPIRES_SEC);
    if (!reg.ok) {
      this.fail("REGISTRATION_FAILED", reg.statusCode, reg.statusCode ? `REGISTER rejected: ${reg.statusCode} ${reg.reason}` : `REGISTER failed: ${reg.reason}`);
      return this.teardown(false);
    }
    this.time("time_to_register_ms", reg.timeMs);
    this.time("registration_expires_s", reg.expires);
    this.setPhase("REGISTERED");
    if (spec.role === "CALLER") await this.placeCall(this.ua);
    else await this.receiveCall(incoming!);
    await this.teardown();
  }

  private async placeCall(ua: UserAgentPort) {
    const { spec, deps } = this;
    if (!spec.target) {
      this.fail("CALL_FAILED", null, "no target to call");
      return;
    }
    if (this.stopRequested) return;
    try {
      this.media = await deps.media.open({ localAddress: deps.localAddress, codec: spec.codec, srtp: spec.srtp });
    } catch (e) {
      this.deps.onSocketError?.(e);
      this.fail("OSERROR", null, `cannot open RTP socket: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    let offer: string;
    try {
      offer = await this.media.offer();
    } catch (e) {
      this.fail("NEGOTIATION_FAILED", null, `cannot build an SDP offer: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (this.stopRequested) return;
    this.setPhase("CALLING");
    const sentAt = performance.now();
    const call: OutgoingCallPort = ua.invite(spec.target, offer, (code) => {
      const dt = performance.now() - sentAt;
      if (code === 100) this.time("time_to_trying_ms", dt);
      if (code === 180) this.time("time_to_ringing_ms", dt);
      if (code === 180 || code === 183) {
        this.time("post_dial_delay_ms", dt);
        this.setPhase("RINGING");
      }
    });
    let remoteEnded = false;
    call.onEnded(() => {
      remoteEnded = true;
      this.wake?.();
    });
    // A stop while the INVITE is pending cancels it (RFC 3261 §9.1); after the final response BYE is used instead.
    let pending = true;
    void this.waitStop().then(() => {
      if (pending) call.cancel();
    });
    const final = await call.final;
    pending = false;
    this.time("final_status_code", final.statusCode ?? 0);
    if (!final.ok) {
      if (this.stopRequested && final.statusCode === 487) return; // we cancelled it: a stop, not a failure
      const timeout = final.statusCode === null || final.statusCode === 408;
      this.fail(timeout ? "TIMEOUT" : "CALL_FAILED", final.statusCode, final.statusCode ? `INVITE rejected: ${final.statusCode} ${final.reason}` : `INVITE failed: ${final.reason}`);
      return;
    }
    this.time("call_setup_time_ms", performance.now() - sentAt);
    this.statusCode = final.statusCode;
    this.setPhase("NEGOTIATING");
    const neg = await this.media.applyAnswer(final.remoteSdp);
    if (!neg.ok) {
      this.fail("NEGOTIATION_FAILED", final.statusCode, `SDP answer unusable: ${neg.reason}`);
      await this.hangUp(call);
      return;
    }
    this.media.start();
    this.setPhase("INCALL");
    this.relayInfo(call);
    const answeredAt = performance.now();
    const mediaFailed = this.watchMediaFailure();
    if (!remoteEnded) await this.sleep(spec.durationSec * 1000);
    this.time("call_duration_ms", performance.now() - answeredAt);
    if (mediaFailed.reason !== null) {
      this.fail("NEGOTIATION_FAILED", final.statusCode, `media failed: ${mediaFailed.reason}`);
      if (!remoteEnded) await this.hangUp(call, () => remoteEnded);
      return;
    }
    if (remoteEnded && performance.now() - answeredAt < spec.durationSec * 1000 - 1000 && !this.stopRequested) {
      this.fail("COMPLETED_WITH_WARNINGS", final.statusCode, "the remote side hung up before the configured duration");
      this.setPhase("DISCONNECTING");
      return;
    }
    if (!remoteEnded) await this.hangUp(call, () => remoteEnded);
    this.succeed(final.statusCode, "call completed");
  }

  private waitForIncoming(ua: UserAgentPort): Promise<IncomingCallPort | null> {
    return new Promise((resolve) => {
      let taken = false;
      ua.onIncomingCall((call) => {
        if (taken) return call.reject(486, "Busy Here"); // one call per endpoint
        taken = true;
        resolve(call);
      });
      void this.waitStop(RECEIVER_WAIT_SEC * 1000 + this.spec.startDelayMs).then(() => {
        if (!taken) resolve(null);
      });
    });
  }

  private async receiveCall(incoming: Promise<IncomingCallPort | null>) {
    const { spec, deps } = this;
    const call = await incoming;
    if (!call) {
      if (!this.stopRequested) this.fail("TIMEOUT", null, `no INVITE received within ${RECEIVER_WAIT_SEC} s of registering`);
      return;
    }
    let remoteEnded = false;
    call.onEnded(() => {
      remoteEnded = true;
      this.wake?.();
    });
    this.setPhase("RINGING");
    call.ringing();
    try {
      this.media = await deps.media.open({ localAddress: deps.localAddress, codec: spec.codec, srtp: spec.srtp });
    } catch (e) {
      this.deps.onSocketError?.(e);
      call.reject(500, "Server Internal Error");
      this.fail("OSERROR", 500, `cannot open RTP socket: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.setPhase("NEGOTIATING");
    if (call.remoteSdp.trim() === "" && hasAcked(call)) {
      // A late offer (INVITE without SDP, RFC 3261 §13.2.1, RFC 3264 §4): our 200 offers and the
      // caller's ACK carries the answer, as Cisco CUCM and delayed-offer SBC trunks do.
      if (!(await this.answerLateOffer(call))) return;
    } else {
      const answer = await this.media.answer(call.remoteSdp);
      if (!answer.ok) {
        // RFC 3261 §21.4.26: 488 Not Acceptable Here when no media in the offer is acceptable.
        call.reject(488, "Not Acceptable Here");
        this.fail("NEGOTIATION_FAILED", 488, `SDP offer unusable: ${answer.reason}`);
        return;
      }
      call.answer(answer.sdp);
    }
    this.statusCode = 200;
    this.media.start();
    this.setPhase("INCALL");
    this.relayInfo(call);
    const answeredAt = performance.now();
    const mediaFailed = this.watchMediaFailure();
    const limitMs = (spec.durationSec + RECEIVER_HANGUP_GRACE_SEC) * 1000;
    while (!remoteEnded && !this.stopRequested && mediaFailed.reason === null && performance.now() - answeredAt < limitMs)
      await this.sleep(limitMs - (performance.now() - answeredAt));
    if (mediaFailed.reason !== null) {
      this.time("call_duration_ms", performance.now() - answeredAt);
      this.fail("NEGOTIATION_FAILED", 200, `media failed: ${mediaFailed.reason}`);
      if (!remoteEnded) await this.hangUp(call, () => remoteEnded);
      return;
    }
    if (this.stopRequested && !remoteEnded) {
      // The caller is being stopped too and will send BYE: give it the chance.
      const waitUntil = performance.now() + RECEIVER_STOP_BYE_WAIT_MS;
      while (!remoteEnded && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
    }
    this.time("call_duration_ms", performance.now() - answeredAt);
    if (remoteEnded) return this.succeed(200, "call completed (remote hung up)");
    await this.hangUp(call, () => remoteEnded);
    if (this.stopRequested) this.succeed(200, "call ended by stop");
    else this.fail("COMPLETED_WITH_WARNINGS", 200, `the caller did not hang up within ${RECEIVER_HANGUP_GRACE_SEC} s after the duration; BYE sent`);
  }

  /** Late offer: offer in our 200, take the answer from the ACK; false (call failed and ended) if unusable. */
  private async answerLateOffer(call: IncomingCallPort & Required<Pick<IncomingCallPort, "acked">>): Promise<boolean> {
    let offer: string;
    try {
      offer = await this.media!.offer();
    } catch (e) {
      call.reject(500, "Server Internal Error");
      this.fail("NEGOTIATION_FAILED", 500, `cannot build an SDP offer: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    call.answer(offer);
    const ackSdp = await call.acked();
    if (ackSdp === null) {
      // §13.3.1.4: no ACK within 64·T1 — the UA core has sent BYE.
      this.fail("TIMEOUT", 200, "no ACK for our 200 OK (late offer: the answer never came)");
      return false;
    }
    const neg = ackSdp.trim() === "" ? { ok: false as const, reason: "the ACK carried no SDP answer to our offer (RFC 3264 §4)" } : await this.media!.applyAnswer(ackSdp);
    if (!neg.ok) {
      this.fail("NEGOTIATION_FAILED", 200, `SDP answer in the ACK unusable: ${neg.reason}`);
      await this.hangUp(call);
      return false;
    }
    return true;
  }

  /**
   * BYE the call. A 481 (dialog gone) after the other side's own BYE reached us is a crossed BYE,
   * not a teardown error: the call did end (RFC 3261 §15.1.2).
   */
  private async hangUp(call: { bye(): Promise<{ ok: boolean; statusCode: number | null }> }, remoteEnded: () => boolean = () => false) {
    this.setPhase("DISCONNECTING");
    const r = await call.bye();
    if (r.ok || (r.statusCode === 481 && remoteEnded())) return;
    this.fail("TEARDOWN_ERROR", r.statusCode, r.statusCode ? `BYE answered ${r.statusCode}` : "BYE not answered");
  }

  /** The call's INFO requests go to the media, which counts SIP INFO DTMF as received. */
  private relayInfo(call: { onInfo?(cb: (contentType: string | undefined, body: string) => void): void }) {
    const media = this.media;
    call.onInfo?.((type, body) => media?.onSipInfo?.(type, body));
  }

  /** A media failure after start (DTLS, MediaPort.onFailure) ends the call's wait at once. */
  private watchMediaFailure(): { reason: string | null } {
    const state: { reason: string | null } = { reason: null };
    this.media?.onFailure?.((reason) => {
      state.reason = reason;
      this.wake?.();
    });
    return state;
  }

  private waitStop(limitMs = Infinity): Promise<void> {
    return new Promise((resolve) => {
      const check = setInterval(() => {
        if (this.stopRequested || this.finished) {
          clearInterval(check);
          clearTimeout(limit);
          resolve();
        }
      }, 100);
      const limit = Number.isFinite(limitMs) ? setTimeout(() => (clearInterval(check), resolve()), limitMs) : undefined;
    });
  }

  /** Media off, de-register (Expires: 0) if registered, sockets closed, phase CLOSED. */
  private async teardown(registered = this.phase !== "INITIALIZING") {
    if (this.finished) return;
    this.media?.stop();
    if (this.ua) {
      this.setPhase("DISCONNECTING");
      if (registered) {
        try {
          await this.ua.unregister();
        } catch (e) {
          this.deps.log.debug("de-register failed", { endpoint: this.id, error: String(e) });
        }
      }
      this.ua.close();
    }
    if (!this.outcome && !this.stopRequested && this.spec.role === "RECEIVER") this.succeed(this.statusCode, "completed");
    if (!this.outcome) this.succeed(this.statusCode, this.stopRequested ? "stopped" : "completed");
    this.setPhase("CLOSED");
    this.finished = true;
    this.dirty = true;
  }
}

/** The SIP port can hand over the ACK's body (needed to take a late offer's answer). */
function hasAcked(call: IncomingCallPort): call is IncomingCallPort & Required<Pick<IncomingCallPort, "acked">> {
  return typeof call.acked === "function";
}
