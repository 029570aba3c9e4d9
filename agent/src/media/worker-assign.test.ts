import { describe, expect, it } from "vitest";
import { mediaWorkerCount, pickWorker } from "./worker-assign.js";

describe("mediaWorkerCount", () => {
  it("one per core from two cores up, none on one core", () => {
    expect(mediaWorkerCount(1)).toBe(0);
    expect(mediaWorkerCount(2)).toBe(2);
    expect(mediaWorkerCount(16)).toBe(16);
  });
  it("RINGFLEET_MEDIA_WORKERS overrides, 0 included; nonsense is an error", () => {
    expect(mediaWorkerCount(2, { RINGFLEET_MEDIA_WORKERS: "0" })).toBe(0);
    expect(mediaWorkerCount(2, { RINGFLEET_MEDIA_WORKERS: "3" })).toBe(3);
    expect(mediaWorkerCount(2, { RINGFLEET_MEDIA_WORKERS: "" })).toBe(2);
    expect(() => mediaWorkerCount(2, { RINGFLEET_MEDIA_WORKERS: "two" })).toThrow(/RINGFLEET_MEDIA_WORKERS/);
    expect(() => mediaWorkerCount(2, { RINGFLEET_MEDIA_WORKERS: "-1" })).toThrow();
  });
});

describe("pickWorker", () => {
  it("least loaded, ties to the lowest index", () => {
    expect(pickWorker([0, 0])).toBe(0);
    expect(pickWorker([1, 0])).toBe(1);
    expect(pickWorker([3, 2, 2])).toBe(1);
  });
  it("keeps N sessions balanced when some end", () => {
    const loads = [0, 0];
    for (let i = 0; i < 1000; i++) loads[pickWorker(loads)]!++;
    loads[0]! -= 100; // calls ending on one worker
    for (let i = 0; i < 100; i++) loads[pickWorker(loads)]!++;
    expect(loads).toEqual([500, 500]);
  });
});
