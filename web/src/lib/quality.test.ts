import { describe, expect, it } from "vitest";
import { QUALITY_THRESHOLDS } from "../../../protocol/index.js";
import { qualityLevel } from "./quality.js";

describe("threshold colouring", () => {
  it("MOS: higher is better", () => {
    expect(qualityLevel("mos", 4.4)).toBe("good");
    expect(qualityLevel("mos", QUALITY_THRESHOLDS.mos.good)).toBe("good");
    expect(qualityLevel("mos", 3.2)).toBe("warn");
    expect(qualityLevel("mos", QUALITY_THRESHOLDS.mos.bad)).toBe("warn");
    expect(qualityLevel("mos", 2.5)).toBe("bad");
  });
  it("jitter, loss and RTT: lower is better", () => {
    expect(qualityLevel("jitter_ms", 5)).toBe("good");
    expect(qualityLevel("jitter_ms", 40)).toBe("warn");
    expect(qualityLevel("jitter_ms", 80)).toBe("bad");
    expect(qualityLevel("fraction_lost", 0)).toBe("good");
    expect(qualityLevel("fraction_lost", 2)).toBe("warn");
    expect(qualityLevel("fraction_lost", 5)).toBe("bad");
    expect(qualityLevel("rtt_ms", QUALITY_THRESHOLDS.rtt_ms.good)).toBe("good");
    expect(qualityLevel("rtt_ms", 200)).toBe("warn");
    expect(qualityLevel("rtt_ms", 301)).toBe("bad");
  });
  it("no value → none", () => {
    expect(qualityLevel("mos", null)).toBe("none");
    expect(qualityLevel("rtt_ms", undefined)).toBe("none");
    expect(qualityLevel("rtt_ms", Number.NaN)).toBe("none");
  });
});
