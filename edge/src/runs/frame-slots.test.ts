import { describe, expect, it } from "vitest";
import { frameOffsetMs } from "./frame-slots.js";

describe("frameOffsetMs", () => {
  it("spreads the run's agents evenly over the second, the same way whatever order they are listed in", () => {
    const ids = Array.from({ length: 50 }, (_, i) => `agt_${String(i).padStart(2, "0")}`);
    const offsets = ids.map((id) => frameOffsetMs([...ids].reverse(), id));
    expect(new Set(offsets).size).toBe(50);
    expect(Math.min(...offsets)).toBe(0);
    expect(Math.max(...offsets)).toBe(980);
    expect(offsets.every((o) => o % 20 === 0)).toBe(true);
  });
  it("gives a lone or unknown agent offset 0", () => {
    expect(frameOffsetMs(["a"], "a")).toBe(0);
    expect(frameOffsetMs(["a", "b"], "zz")).toBe(0);
    expect(frameOffsetMs(["a", "b"], "b")).toBe(500);
  });
});
