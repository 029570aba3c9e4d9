import { describe, expect, it } from "vitest";
import { createMediaRateMeter, mediaCounters } from "./counters.js";

describe("media rate meter", () => {
  it("reports pps and drops since the previous read", () => {
    let t = 0;
    const m = createMediaRateMeter(() => t);
    mediaCounters.packetsSent += 100;
    mediaCounters.packetsReceived += 50;
    mediaCounters.malformed += 2;
    mediaCounters.skippedFrames += 1;
    t = 500;
    expect(m.pps()).toBe(300);
    expect(m.drops()).toBe(3);
    t = 1500;
    expect(m.pps()).toBe(0);
    expect(m.drops()).toBe(0);
  });
});
