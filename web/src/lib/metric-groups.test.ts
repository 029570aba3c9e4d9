import { describe, expect, it } from "vitest";
import { DETAIL_METRICS } from "../../../protocol/index.js";
import { metricChartGroups } from "./metric-groups.js";

describe("metricChartGroups", () => {
  it("groups the reported metrics by category and unit, skipping ones charted elsewhere and ones never reported", () => {
    const detail = Object.fromEntries(DETAIL_METRICS.map((d) => [d.key, 1]));
    const groups = metricChartGroups([{ m: { mos: 4.2, jitter_ms: 2, ...detail } }], new Set(["mos"]));
    const all = groups.flatMap((g) => g.keys);
    expect(all).not.toContain("mos");
    expect(all).toContain("jitter_ms");
    for (const d of DETAIL_METRICS) expect(all).toContain(d.key);
    expect(all).not.toContain("r_factor"); // not reported
    for (const g of groups) {
      const units = new Set(g.keys.map((k) => DETAIL_METRICS.find((d) => d.key === k)?.unit ?? g.unit));
      expect(units.size).toBe(1);
    }
    // Categories in a stable reading order, quality first.
    expect(groups[0]!.category).toBe("quality");
  });
  it("is empty without samples", () => {
    expect(metricChartGroups([])).toEqual([]);
  });
});
