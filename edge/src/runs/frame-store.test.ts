import { describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame, rowToMetrics } from "./frame-store.js";

describe("stored frames", () => {
  it("round-trip endpoints with different key sets (missing keys stay missing)", () => {
    const metrics = { a: { mos: 4.3, jitter_ms: 1.5 }, b: { jitter_ms: 2, packets_lost: 0, audio_level_dbov: -20.5 }, c: {} };
    const text = encodeFrame(metrics);
    expect(JSON.parse(text)).toEqual({ k: ["mos", "jitter_ms", "packets_lost", "audio_level_dbov"], e: { a: [4.3, 1.5, null, null], b: [null, 2, 0, -20.5], c: [null, null, null, null] } });
    expect(Object.fromEntries(decodeFrame(text))).toEqual(metrics);
    expect(rowToMetrics(["x", "y"], [null, 0])).toEqual({ y: 0 });
  });

  it("is several times smaller than an object per endpoint at 36 metrics", () => {
    const m = Object.fromEntries(Array.from({ length: 36 }, (_, i) => [`metric_key_number_${i}`, i + 0.25]));
    const frame = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`ep_${i}`, m]));
    expect(JSON.stringify(frame).length / encodeFrame(frame).length).toBeGreaterThan(3);
  });
});
