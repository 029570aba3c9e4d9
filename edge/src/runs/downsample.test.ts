import { describe, expect, it } from "vitest";
import { Downsampler } from "./downsample.js";

describe("Downsampler", () => {
  it("fits a span into at most N steps of whole seconds", () => {
    expect(Downsampler.forSpan(0, 30).stepSec).toBe(1);
    expect(Downsampler.forSpan(0, 61).stepSec).toBe(2);
    expect(Downsampler.forSpan(0, 3600).stepSec).toBe(60);
  });

  it("averages each metric per step, skipping steps with no report and unknown RTT", () => {
    const d = new Downsampler(100, 10, 3);
    d.add("e1", 100, { mos: 4.4, jitter_ms: 1, fraction_lost: 0, rtt_ms: 0 });
    d.add("e1", 109, { mos: 4.0, jitter_ms: 3, fraction_lost: 2, rtt_ms: 20 });
    d.add("e1", 125, { mos: 3.0 });
    d.add("e2", 101, { packets_sent: 50 });
    expect(d.series("e1")).toEqual({
      t0: 100, stepSec: 10,
      points: [
        { t: 100, mos: 4.2, jitter_ms: 2, fraction_lost: 1, rtt_ms: 20 },
        { t: 120, mos: 3, jitter_ms: null, fraction_lost: null, rtt_ms: null },
      ],
    });
    expect(d.series("e2").points).toEqual([]);
    expect(d.series("unknown").points).toEqual([]);
  });

  it("puts seconds before the start in the first step and after the end in the last", () => {
    const d = new Downsampler(100, 10, 2);
    d.add("e", 50, { mos: 4 });
    d.add("e", 500, { mos: 3 });
    expect(d.series("e").points.map((p) => [p.t, p.mos])).toEqual([[100, 4], [110, 3]]);
  });
});
