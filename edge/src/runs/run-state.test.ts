import { describe, expect, it } from "vitest";
import { canTransition, IllegalRunTransition, persistRetryDelaySec, transition } from "./run-state.js";

describe("run status machine", () => {
  it("allows the documented paths", () => {
    for (const [a, b] of [["PENDING", "QUEUED"], ["QUEUED", "RUNNING"], ["RUNNING", "STOPPING"], ["STOPPING", "COMPLETED"], ["RUNNING", "COMPLETED"], ["RUNNING", "FAILED"], ["PENDING", "CANNOT_RUN_FOR_NOW"]] as const)
      expect(transition(a, b)).toBe(b);
  });
  it("refuses going back or leaving a terminal status", () => {
    expect(canTransition("RUNNING", "QUEUED")).toBe(false);
    expect(canTransition("COMPLETED", "RUNNING")).toBe(false);
    expect(() => transition("CANNOT_RUN_FOR_NOW", "QUEUED")).toThrow(IllegalRunTransition);
  });
});

describe("persist retry back-off", () => {
  it("doubles from 2 s and caps at 60 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(persistRetryDelaySec)).toEqual([2, 4, 8, 16, 32, 60, 60, 60]);
  });
});
