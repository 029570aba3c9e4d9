/** The timer queue on a hand-driven clock: order, stop, restart, re-arming, errors. */
import { describe, expect, it } from "vitest";
import { FIRE_TOLERANCE_MS, MAX_RUNTIME_DELAY_MS, newTimerEntry, TimerQueue, type TimerClock } from "./timer-queue.js";

/** A clock whose single runtime timer the test fires by advancing time. */
class ManualClock implements TimerClock {
  t = 0;
  armed: { fn: () => void; at: number } | null = null;
  arms = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.arms++;
    this.armed = { fn, at: this.t + ms };
    return this.armed;
  }
  clearTimeout(h: unknown): void {
    if (this.armed === h) this.armed = null;
  }
  /** Advances to `to`, firing the runtime timer whenever it is due (as a runtime would). */
  advance(to: number): void {
    while (this.armed && this.armed.at <= to) {
      this.t = Math.max(this.t, this.armed.at);
      const { fn } = this.armed;
      this.armed = null;
      fn();
    }
    this.t = to;
  }
}

function setup() {
  const clock = new ManualClock();
  const q = new TimerQueue(clock);
  const log: string[] = [];
  const entry = (name: string, ms: number) => {
    const e = newTimerEntry();
    q.start(e, ms, () => log.push(`${name}@${clock.t}`));
    return e;
  };
  return { clock, q, log, entry };
}

describe("TimerQueue", () => {
  it("fires in deadline order, equal deadlines in start order, each once", () => {
    const { clock, log, entry, q } = setup();
    entry("b", 500);
    entry("a", 100);
    entry("c", 500);
    entry("d", 32_000);
    clock.advance(499);
    expect(log).toEqual(["a@100"]);
    clock.advance(40_000);
    expect(log).toEqual(["a@100", "b@500", "c@500", "d@32000"]);
    expect(q.size).toBe(0);
  });

  it("a stopped entry never fires; a restarted one fires at its new deadline only", () => {
    const { clock, log, entry, q } = setup();
    const a = entry("a", 100);
    const b = entry("b", 200);
    entry("c", 300);
    q.remove(b);
    q.start(a, 1000, () => log.push(`a2@${clock.t}`));
    clock.advance(5000);
    expect(log).toEqual(["c@300", "a2@1000"]);
    expect(a.index).toBe(-1);
    expect(b.index).toBe(-1);
  });

  it("arms one runtime timer, re-armed only for an earlier deadline", () => {
    const { clock, entry } = setup();
    for (let i = 0; i < 50; i++) entry(`t${i}`, 1000 + i);
    expect(clock.arms).toBe(1);
    entry("early", 10);
    expect(clock.arms).toBe(2);
    expect(clock.armed?.at).toBe(10);
  });

  it("a deadline beyond the runtime's longest delay is waited for in steps, not fired early", () => {
    const { clock, log, entry } = setup();
    entry("far", 4_294_967_295_000);
    expect(clock.armed?.at).toBe(MAX_RUNTIME_DELAY_MS);
    clock.advance(MAX_RUNTIME_DELAY_MS);
    expect(log).toEqual([]);
    expect(clock.armed?.at).toBe(2 * MAX_RUNTIME_DELAY_MS);
  });

  it("a callback may start timers, including a zero delay one that runs on the next wake-up", () => {
    const { clock, q, log } = setup();
    const e = newTimerEntry();
    let n = 0;
    const fire = () => {
      log.push(`e@${clock.t}`);
      if (++n < 3) q.start(e, n === 1 ? 0 : 250, fire);
    };
    q.start(e, 100, fire);
    clock.advance(1000);
    expect(log).toEqual(["e@100", "e@100", "e@350"]);
  });

  it("keeps the heap ordered through random starts and stops", () => {
    const { clock, q } = setup();
    const fired: { due: number; at: number }[] = [];
    const entries = Array.from({ length: 400 }, () => newTimerEntry());
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const expected = new Map<number, number>();
    for (let k = 0; k < 2000; k++) {
      const i = Math.floor(rnd() * entries.length);
      if (rnd() < 0.3) {
        q.remove(entries[i]);
        expected.delete(i);
      } else {
        const ms = Math.floor(rnd() * 10_000);
        q.start(entries[i], ms, () => fired.push({ due: ms, at: clock.t }));
        expected.set(i, ms);
      }
    }
    clock.advance(20_000);
    expect(fired.length).toBe(expected.size);
    // In deadline order, each at its deadline (or up to FIRE_TOLERANCE_MS before, with an earlier one).
    expect(fired.map((f) => f.due)).toEqual([...expected.values()].sort((a, b) => a - b));
    for (const f of fired) expect(f.due - f.at).toBeGreaterThanOrEqual(0);
    for (const f of fired) expect(f.due - f.at).toBeLessThanOrEqual(FIRE_TOLERANCE_MS);
  });

  it("an exception in one callback does not stop the others and is re-thrown after them", () => {
    const { clock, q, log, entry } = setup();
    const e = newTimerEntry();
    q.start(e, 100, () => {
      throw new Error("boom");
    });
    entry("after", 100);
    entry("later", 200);
    expect(() => clock.advance(100)).toThrow("boom");
    expect(log).toEqual(["after@100"]);
    clock.advance(300);
    expect(log).toEqual(["after@100", "later@200"]);
  });

  it("the shared queue follows a swapped global setTimeout (fake timers)", () => {
    const a = TimerQueue.current();
    expect(TimerQueue.current()).toBe(a);
    const real = globalThis.setTimeout;
    try {
      globalThis.setTimeout = ((fn: () => void, ms?: number) => real(fn, ms)) as typeof setTimeout;
      expect(TimerQueue.current()).not.toBe(a);
    } finally {
      globalThis.setTimeout = real;
    }
  });
});
