import { describe, expect, it } from "vitest";
import type { LiveEndpoint } from "../../../protocol/index.js";
import { groupStats, liveRates } from "./group-stats.js";

const ep = (group: string, phase: LiveEndpoint["phase"], outcome: LiveEndpoint["outcome"], mos: number | null): LiveEndpoint => ({
  id: `${group}-${Math.random()}`, group, index: 0, username: "u", role: "CALLER", phase, outcome, statusCode: null, mos,
});

describe("groupStats", () => {
  it("counts phases, outcomes and MOS per group, in the test's group order", () => {
    const s = groupStats(
      [
        ep("B", "INCALL", null, 4.4),
        ep("A", "RINGING", null, null),
        ep("A", "INCALL", null, 4.0),
        ep("A", "CLOSED", "SUCCESS", 3.0),
        ep("A", "CLOSED", "REGISTRATION_FAILED", null),
        ep("A", "CLOSED", "CALL_FAILED", null),
      ],
      ["A", "B", "C"],
    );
    expect(s.map((g) => g.group)).toEqual(["A", "B", "C"]);
    expect(s[0]).toEqual({ group: "A", endpoints: 5, registered: 4, inCall: 1, setup: 1, success: 1, errors: 2, mos: 3.5, worstMos: 3 });
    expect(s[1]).toMatchObject({ endpoints: 1, inCall: 1, mos: 4.4, worstMos: 4.4, errors: 0 });
    expect(s[2]).toMatchObject({ endpoints: 0, mos: null, worstMos: null });
  });
});

describe("liveRates", () => {
  it("registration over all endpoints, call success over callers", () => {
    const r = liveRates([
      { ...ep("A", "INCALL", null, 4.2), role: "CALLER" },
      { ...ep("A", "CLOSED", "SUCCESS", 4.2), role: "CALLER" },
      { ...ep("A", "CLOSED", "CALL_FAILED", null), role: "CALLER" },
      { ...ep("A", "CLOSED", "REGISTRATION_FAILED", null), role: "CALLER" },
      { ...ep("B", "REGISTERED", null, null), role: "RECEIVER" },
    ]);
    expect(r).toEqual({ registrationRate: 80, callSuccessRate: 50 });
    expect(liveRates([])).toEqual({ registrationRate: null, callSuccessRate: null });
  });
});
