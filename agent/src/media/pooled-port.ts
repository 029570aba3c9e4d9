/**
 * An endpoint's media when it runs on a media worker (media-pool.ts): the runtime's MediaPort on
 * the main thread, forwarding to the RtpSession that lives on the worker. SDP offer/answer go to
 * the worker and back (the session that negotiates is the one that sends, keys and DTLS
 * association included); start/stop/INFO are one-way messages; failures come back pushed.
 *
 * sample()/detail() must stay synchronous for the frame builder, so the values are fetched before
 * it runs: the agent's frame tick asks the pool for every call in progress at once
 * (MediaPool.prefetch, one message per worker), and sample() hands out that row once. Without a
 * fetched row (a call that reached INCALL after the fetch went out) sample() returns no metrics for
 * that second rather than blocking the main thread on a worker.
 */
import type { DetailMetricValues, SecondMetricValues } from "./rtp-session.js";
import { FailureSignal } from "./failure-signal.js";
import type { SdpOp, SdpResult } from "./media-worker.js";

/** What a pooled port needs from its pool. */
export interface PortLink {
  sdp(id: number, op: SdpOp): Promise<SdpResult>;
  start(id: number): void;
  sipInfo(id: number, contentType: string | undefined, body: string): void;
  stop(id: number): void;
}

export class PooledMediaPort {
  private fetched: { second: SecondMetricValues; detail: DetailMetricValues } | null = null;
  private lastDetail: DetailMetricValues | null = null;
  private readonly failure = new FailureSignal();
  private stopped = false;

  constructor(
    readonly id: number,
    /** Index of the worker the session lives on. */
    readonly worker: number,
    readonly localPort: number,
    private readonly link: PortLink,
  ) {}

  async offer(): Promise<string> {
    const r = await this.link.sdp(this.id, { op: "offer" });
    if (!r.ok || r.sdp === undefined) throw new Error(`media worker could not build an offer: ${r.ok ? "no SDP" : r.reason}`);
    return r.sdp;
  }

  async answer(remoteSdp: string): Promise<{ ok: true; sdp: string } | { ok: false; reason: string }> {
    const r = await this.link.sdp(this.id, { op: "answer", sdp: remoteSdp });
    if (!r.ok) return r;
    return r.sdp === undefined ? { ok: false, reason: "media worker returned no answer" } : { ok: true, sdp: r.sdp };
  }

  async applyAnswer(remoteSdp: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const r = await this.link.sdp(this.id, { op: "applyAnswer", sdp: remoteSdp });
    return r.ok ? { ok: true } : r;
  }

  start(): void {
    if (!this.stopped) this.link.start(this.id);
  }

  onSipInfo(contentType: string | undefined, body: string): void {
    if (!this.stopped) this.link.sipInfo(this.id, contentType, body);
  }

  onFailure(cb: (reason: string) => void): void {
    this.failure.on(cb);
  }

  /** The worker says the session's media failed (DTLS handshake or fingerprint). */
  fail(reason: string): void {
    if (!this.stopped) this.failure.fire(reason);
  }

  /** The row MediaPool.prefetch brought for the coming frame. */
  deliver(row: { second: SecondMetricValues; detail: DetailMetricValues } | null): void {
    this.fetched = row;
  }

  /** The fetched second once ({} when none was fetched: no metrics this second). */
  sample(_nowMs: number): Partial<SecondMetricValues> {
    const f = this.fetched;
    this.fetched = null;
    this.lastDetail = f?.detail ?? null;
    return f ? f.second : {};
  }

  /** The same second's detail metrics ({} with no fetched row). */
  detail(): Partial<DetailMetricValues> {
    return this.lastDetail ?? {};
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.link.stop(this.id);
  }
}
