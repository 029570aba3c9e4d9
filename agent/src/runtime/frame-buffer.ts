/**
 * The agent's outbox for one run: every per-second frame gets the next sequence number and stays
 * here until the run object acknowledges it, so a dropped connection loses nothing — after a
 * reconnect the unacknowledged frames are sent again, and the run object ignores any it already
 * applied (by `seq`). Bounded: past `maxFrames`, the two oldest unsent frames are merged into one
 * (endpoint state is last-writer-wins, traces concatenate) instead of being dropped.
 */
import type { EndpointSample, RunFrame } from "../../../protocol/index.js";

export const DEFAULT_MAX_UNACKED_FRAMES = 3_600;

export class FrameBuffer {
  private nextSeq: number;
  private pending: RunFrame[] = [];
  /** Frames folded together because the buffer was full (for the agent's own health report). */
  merged = 0;

  constructor(
    private readonly maxFrames = DEFAULT_MAX_UNACKED_FRAMES,
    startSeq = 1,
  ) {
    this.nextSeq = startSeq;
  }

  push(frame: Omit<RunFrame, "seq">): RunFrame {
    const full: RunFrame = { ...frame, seq: this.nextSeq++ };
    this.pending.push(full);
    if (this.pending.length > this.maxFrames) this.foldOldest();
    return full;
  }

  /** Everything up to and including `seq` is applied on the other side. */
  ack(seq: number): void {
    let i = 0;
    while (i < this.pending.length && this.pending[i]!.seq <= seq) i++;
    if (i > 0) this.pending.splice(0, i);
  }

  unacked(): readonly RunFrame[] {
    return this.pending;
  }

  get size(): number {
    return this.pending.length;
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private foldOldest() {
    const [a, b] = this.pending as [RunFrame, RunFrame];
    const byId = new Map<string, EndpointSample>();
    for (const e of a.endpoints) byId.set(e.id, { ...e, trace: e.trace ? [...e.trace] : undefined });
    for (const e of b.endpoints) {
      const prev = byId.get(e.id);
      if (!prev) {
        byId.set(e.id, e);
        continue;
      }
      const trace = [...(prev.trace ?? []), ...(e.trace ?? [])].slice(0, 200);
      byId.set(e.id, {
        ...prev,
        ...e,
        outcome: e.outcome ?? prev.outcome,
        statusCode: e.statusCode ?? prev.statusCode,
        statusText: e.statusText ?? prev.statusText,
        timings: { ...(prev.timings ?? {}), ...(e.timings ?? {}) },
        m: e.m ?? prev.m,
        trace: trace.length ? trace : undefined,
      });
    }
    // The merged frame keeps the newer seq: the older one is simply never sent.
    this.pending.splice(0, 2, { ...b, endpoints: [...byId.values()] });
    this.merged++;
  }
}
