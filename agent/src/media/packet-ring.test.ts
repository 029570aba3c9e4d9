import { describe, expect, it } from "vitest";
import { PacketRing } from "./packet-ring.js";

describe("PacketRing", () => {
  it("cycles through its slots and hands out exact-length packets that share the slot's memory", () => {
    const r = new PacketRing(4, 100);
    const slots = Array.from({ length: 4 }, () => r.next());
    expect(new Set(slots).size).toBe(4);
    expect(r.next()).toBe(slots[0]);
    slots[0]!.fill(7, 0, 30);
    const p = r.packet(30);
    expect(p.length).toBe(30);
    expect(p.buffer).toBe(slots[0]!.buffer);
    expect([...p].every((b) => b === 7)).toBe(true);
    expect(r.packet(100)).toBe(slots[0]); // a full-size packet is the slot itself
  });

  it("reuses the view of a length it has made before (no allocation per packet)", () => {
    const r = new PacketRing(2, 64);
    r.next();
    const a = r.packet(40);
    r.next();
    const b = r.packet(40);
    r.next();
    expect(r.packet(40)).toBe(a);
    r.next();
    expect(r.packet(40)).toBe(b);
    expect(a).not.toBe(b);
  });

  it("reserve grows the slots (never shrinks them)", () => {
    const r = new PacketRing(4, 172);
    r.reserve(100);
    expect(r.capacity).toBe(172);
    r.reserve(300);
    expect(r.capacity).toBe(300);
    expect(r.next().length).toBe(300);
  });
});
