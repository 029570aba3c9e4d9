import { describe, expect, it } from "vitest";
import { advancePhase, mergeOutcome } from "./endpoint-state.js";
import { RunFrame, parseWire } from "./wire.js";

describe("endpoint model", () => {
  it("moves phases forward only", () => {
    expect(advancePhase("INITIALIZING", "INCALL")).toBe("INCALL");
    expect(advancePhase("INCALL", "RINGING")).toBe("INCALL");
    expect(advancePhase("CLOSED", "REGISTERED")).toBe("CLOSED");
  });
  it("sets the outcome once, replaced only by a more severe one", () => {
    expect(mergeOutcome(null, "SUCCESS")).toBe("SUCCESS");
    expect(mergeOutcome("SUCCESS", "COMPLETED_WITH_WARNINGS")).toBe("COMPLETED_WITH_WARNINGS");
    expect(mergeOutcome("SUCCESS", "CALL_FAILED")).toBe("CALL_FAILED");
    expect(mergeOutcome("CALL_FAILED", "SUCCESS")).toBe("CALL_FAILED");
    expect(mergeOutcome("CALL_FAILED", "TIMEOUT")).toBe("CALL_FAILED"); // equal severity: first wins
    expect(mergeOutcome("TIMEOUT", undefined)).toBe("TIMEOUT");
  });
});

describe("wire validation", () => {
  it("names the offending field of a bad frame", () => {
    const r = parseWire(RunFrame, JSON.stringify({ v: 1, type: "frame", seq: 0, t: 1, endpoints: [], agent: { cpu: 0, loopLagMs: 0, pps: 0, drops: 0 } }));
    expect(r).toMatchObject({ ok: false, path: "seq" });
    const r2 = parseWire(RunFrame, JSON.stringify({ v: 1, type: "frame", seq: 1, t: 1, endpoints: [{ id: "e", phase: "FLYING" }], agent: { cpu: 0, loopLagMs: 0, pps: 0, drops: 0 } }));
    expect(r2).toMatchObject({ ok: false, path: "endpoints.0.phase" });
    expect(parseWire(RunFrame, "{")).toMatchObject({ ok: false, message: "message is not valid JSON" });
  });
});
