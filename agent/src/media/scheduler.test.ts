import { describe, expect, it } from "vitest";
import { MediaScheduler, firstDue, pickSlot, planSends, spreadOrder } from "./scheduler.js";

describe("phase spreading", () => {
  it("van der Corput order visits every slot once, halves first", () => {
    expect(spreadOrder(4)).toEqual([0, 2, 1, 3]);
    expect(spreadOrder(8)).toEqual([0, 4, 2, 6, 1, 5, 3, 7]);
    const o = spreadOrder(20);
    expect(new Set(o).size).toBe(20);
    expect(o.slice(0, 2)).toEqual([0, 10]);
  });
  it("picks the least-loaded slot, ties in spread order", () => {
    const order = spreadOrder(4);
    expect(pickSlot([0, 0, 0, 0], order)).toBe(0);
    expect(pickSlot([1, 0, 0, 0], order)).toBe(2);
    expect(pickSlot([1, 0, 1, 0], order)).toBe(1);
    expect(pickSlot([1, 1, 1, 1], order)).toBe(0);
    expect(pickSlot([2, 1, 2, 2], order)).toBe(1);
  });
  it("first due time is the slot's next phase", () => {
    expect(firstDue(1000, 0, 20, 20)).toBe(1000);
    expect(firstDue(1003, 5, 20, 20)).toBe(1005);
    expect(firstDue(1007, 5, 20, 20)).toBe(1025);
  });
  it("100 streams spread evenly across 20 slots; sends are not one burst", () => {
    let t = 0;
    const s = new MediaScheduler({ now: () => t });
    const sendTimes: number[] = [];
    for (let i = 0; i < 100; i++) s.add({ onDue: (n, _k, now) => { for (let j = 0; j < n; j++) sendTimes.push(now); } }, false);
    for (t = 0; t < 200; t++) s.tick(t);
    // 10 periods × 100 streams
    expect(sendTimes.length).toBe(1000);
    const perMs = new Map<number, number>();
    for (const x of sendTimes) perMs.set(x, (perMs.get(x) ?? 0) + 1);
    expect(Math.max(...perMs.values())).toBe(5);
  });
});

describe("due selection and catch-up", () => {
  it("planSends: nothing early, one on time, bounded burst and skips when late", () => {
    expect(planSends(100, 99, 20, 2)).toEqual({ send: 0, skip: 0, nextDue: 100 });
    expect(planSends(100, 100, 20, 2)).toEqual({ send: 1, skip: 0, nextDue: 120 });
    expect(planSends(100, 119, 20, 2)).toEqual({ send: 1, skip: 0, nextDue: 120 });
    expect(planSends(100, 125, 20, 2)).toEqual({ send: 2, skip: 0, nextDue: 140 });
    expect(planSends(100, 185, 20, 2)).toEqual({ send: 2, skip: 3, nextDue: 200 });
  });
  it("a lagging loop sends at most maxBurst per stream and records skips and lag", () => {
    let t = 0;
    const s = new MediaScheduler({ now: () => t, maxBurst: 2 });
    const calls: [number, number][] = [];
    s.add({ onDue: (n, k) => calls.push([n, k]) }, false);
    s.tick(0);
    expect(calls).toEqual([[1, 0]]);
    s.tick(100); // 5 periods late: due at 20,40,60,80,100
    expect(calls[1]).toEqual([2, 3]);
    const st = s.stats();
    expect(st.skippedFrames).toBe(3);
    expect(st.sentFrames).toBe(3);
    expect(st.lagMaxMs).toBeGreaterThan(0);
    expect(st.lateFrames).toBe(1);
    s.tick(120);
    expect(calls[2]).toEqual([1, 0]);
  });
  it("remove() during onDue and timer lifecycle", () => {
    let t = 0;
    const s = new MediaScheduler({ now: () => t });
    let n = 0;
    const h = s.add({ onDue: () => { n++; s.remove(h); } }, false);
    const other = s.add({ onDue: () => n++ }, false);
    for (t = 0; t <= 60; t++) s.tick(t);
    expect(n).toBe(1 + 3); // slot 0 once, slot 10 at 10, 30, 50
    expect(s.size).toBe(1);
    s.remove(other);
    s.remove(other); // idempotent
    expect(s.size).toBe(0);
  });
  it("runs on a real timer", async () => {
    const s = new MediaScheduler();
    let n = 0;
    const h = s.add({ onDue: (k) => (n += k) });
    await new Promise((r) => setTimeout(r, 210));
    s.remove(h);
    expect(n).toBeGreaterThanOrEqual(9);
    expect(n).toBeLessThanOrEqual(12);
  });
});
