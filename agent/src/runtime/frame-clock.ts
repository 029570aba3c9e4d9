/**
 * The agent's frame clock: one frame per period, sent at the offset within each period the run
 * object assigned (RunAck.frameOffsetMs), so a run's agents do not all send at the same instant.
 * The delay arithmetic is pure; the class only owns the timers.
 */
export function delayToNextSlot(nowMs: number, offsetMs: number, periodMs = 1000): number {
  const phase = ((nowMs % periodMs) + periodMs) % periodMs;
  const d = (offsetMs - phase + periodMs) % periodMs;
  // Never fire twice within a few milliseconds when re-phasing lands right on the slot.
  return d < 5 ? d + periodMs : d;
}

export class FrameClock {
  private interval: ReturnType<typeof setInterval> | null = null;
  private timeout: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly onTick: () => void,
    private readonly periodMs = 1000,
  ) {
    this.interval = setInterval(onTick, periodMs);
  }

  /** Move the ticks to `offsetMs` into each period (the next tick comes at the next such instant). */
  align(offsetMs: number, nowMs = Date.now()): void {
    this.stop();
    this.timeout = setTimeout(() => {
      this.timeout = null;
      this.onTick();
      this.interval = setInterval(this.onTick, this.periodMs);
    }, delayToNextSlot(nowMs, offsetMs, this.periodMs));
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    if (this.timeout) clearTimeout(this.timeout);
    this.interval = null;
    this.timeout = null;
  }
}
