import { afterEach, describe, expect, it, vi } from "vitest";
import { FrameClock, delayToNextSlot } from "./frame-clock.js";

afterEach(() => void vi.useRealTimers());

describe("delayToNextSlot", () => {
  it("waits until the offset within the next second", () => {
    expect(delayToNextSlot(10_000, 250)).toBe(250);
    expect(delayToNextSlot(10_300, 250)).toBe(950);
    expect(delayToNextSlot(10_249, 250)).toBe(1_001); // 1 ms away: skip to the next period instead of a double tick
    expect(delayToNextSlot(10_999, 0)).toBe(1_001);
    expect(delayToNextSlot(10_990, 0)).toBe(10);
  });
});

describe("FrameClock", () => {
  it("ticks every period, and after align() at the assigned offset of each period", () => {
    vi.useFakeTimers({ now: 20_100 });
    const ticks: number[] = [];
    const clock = new FrameClock(() => ticks.push(Date.now()));
    vi.advanceTimersByTime(1_000);
    expect(ticks).toEqual([21_100]);
    clock.align(700);
    vi.advanceTimersByTime(2_000);
    expect(ticks).toEqual([21_100, 21_700, 22_700]);
    clock.stop();
    vi.advanceTimersByTime(5_000);
    expect(ticks).toHaveLength(3);
  });
});
