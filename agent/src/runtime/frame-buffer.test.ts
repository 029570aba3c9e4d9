import { describe, expect, it } from "vitest";
import { FrameBuffer } from "./frame-buffer.js";
import { reconnectDelay, RECONNECT } from "./backoff.js";

const agent = { cpu: 0, loopLagMs: 0, pps: 0, drops: 0 };
const frame = (t: number, endpoints: { id: string; phase: "INITIALIZING" | "INCALL"; m?: Record<string, number>; trace?: { t: number; dir: "in"; remote: string; text: string }[] }[] = []) =>
  ({ v: 1 as const, type: "frame" as const, t, endpoints, agent });

describe("FrameBuffer", () => {
  it("numbers frames from 1 and keeps them until acknowledged", () => {
    const b = new FrameBuffer();
    expect(b.push(frame(1)).seq).toBe(1);
    expect(b.push(frame(2)).seq).toBe(2);
    expect(b.push(frame(3)).seq).toBe(3);
    b.ack(2);
    expect(b.unacked().map((f) => f.seq)).toEqual([3]);
    b.ack(2); // a duplicate ack changes nothing
    expect(b.size).toBe(1);
    b.ack(10);
    expect(b.size).toBe(0);
    expect(b.push(frame(4)).seq).toBe(4);
  });

  it("folds the two oldest frames when full, keeping the latest state and all trace entries", () => {
    const b = new FrameBuffer(2);
    b.push(frame(1, [{ id: "e1", phase: "INITIALIZING", trace: [{ t: 1, dir: "in", remote: "x", text: "A" }] }]));
    b.push(frame(2, [{ id: "e1", phase: "INCALL", m: { mos: 4.4 }, trace: [{ t: 2, dir: "in", remote: "x", text: "B" }] }]));
    b.push(frame(3, [{ id: "e2", phase: "INITIALIZING" }]));
    expect(b.size).toBe(2);
    expect(b.merged).toBe(1);
    const first = b.unacked()[0]!;
    expect(first.seq).toBe(2);
    expect(first.endpoints[0]).toMatchObject({ id: "e1", phase: "INCALL", m: { mos: 4.4 } });
    expect(first.endpoints[0]!.trace!.map((t) => t.text)).toEqual(["A", "B"]);
  });
});

describe("reconnectDelay", () => {
  it("grows geometrically and is capped", () => {
    const mid = () => 0.5;
    expect(reconnectDelay(0, mid)).toBe(RECONNECT.minDelayMs);
    expect(reconnectDelay(1, mid)).toBeGreaterThan(reconnectDelay(0, mid));
    expect(reconnectDelay(100, mid)).toBe(RECONNECT.maxDelayMs);
  });
});
