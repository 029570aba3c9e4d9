/**
 * Named one-shot timers of one transaction (or dialog, registration…); clearing all on
 * termination avoids leaks. A transaction has at most a handful of names (A/B/D/M, E/F/K…), so
 * they live in two small parallel arrays scanned linearly, each name with one queue entry re-used
 * by every start: nothing allocated per start or stop. The timers run on the process's one
 * TimerQueue (timer-queue.ts), not one runtime timer each.
 */
import { newTimerEntry, TimerQueue, type TimerEntry } from "./timer-queue.js";

export class TimerSet<Name extends string> {
  private names: Name[] = [];
  private entries: TimerEntry[] = [];

  start(name: Name, ms: number, fn: () => void): void {
    let i = this.names.indexOf(name);
    if (i < 0) {
      i = this.names.length;
      this.names.push(name);
      this.entries.push(newTimerEntry());
    }
    TimerQueue.current().start(this.entries[i], ms, fn);
  }

  stop(name: Name): void {
    const i = this.names.indexOf(name);
    if (i < 0) return;
    const e = this.entries[i];
    if (e.index >= 0) e.queue!.remove(e);
  }

  has(name: Name): boolean {
    const i = this.names.indexOf(name);
    return i >= 0 && this.entries[i].index >= 0;
  }

  clear(): void {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.index >= 0) e.queue!.remove(e);
    }
  }
}
