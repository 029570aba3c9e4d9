import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@solidjs/testing-library";
import type { RunComparison } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { fakeFetch, ok, testRun } from "../test/fakes.js";
import { comparisonChartOption } from "../charts/options.js";
import { ComparePage } from "./ComparePage.js";

const setOption = vi.fn();
vi.mock("../charts/echarts.js", () => ({ createChart: () => ({ setOption, resize: vi.fn(), dispose: vi.fn() }) }));

const pt = (offsetSec: number, mos: number) => ({ t: 1000 + offsetSec, offsetSec, mos, jitter_ms: 2, fraction_lost: 0.1, rtt_ms: 30, reporting: 4 });
const comparison: RunComparison = {
  base: testRun({ id: "run_base01", status: "COMPLETED" }),
  other: testRun({ id: "run_other2", status: "COMPLETED" }),
  series: { base: [pt(1, 4.3), pt(2, 4.3)], other: [pt(1, 3.9), pt(2, 3.7), pt(3, 3.8)] },
  deltas: [
    { key: "mos", label: "MOS", unit: "", better: "higher", base: 4.3, other: 3.8, delta: -0.5, verdict: "regression" },
    { key: "jitter_ms", label: "Jitter", unit: "ms", better: "lower", base: 3, other: 2.98, delta: -0.02, verdict: "same" },
    { key: "fraction_lost", label: "Packet loss", unit: "%", better: "lower", base: 2, other: 0.2, delta: -1.8, verdict: "improvement" },
    { key: "setupTimeP95Ms", label: "Setup time p95", unit: "ms", better: "lower", base: null, other: 40, delta: null, verdict: "unknown" },
  ],
};

let fm: ReturnType<typeof fakeFetch>;
beforeEach(() => {
  setToken("rf_test");
  fm = fakeFetch((_m, url) => (url === "/api/v1/projects/p1/test-runs/compare?base=run_base01&other=run_other2" ? ok(comparison) : undefined));
  vi.stubGlobal("fetch", fm.fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("compare page", () => {
  it("shows the baseline, the compared run, deltas with regressions and overlaid charts", async () => {
    render(() => <ComparePage pid="p1" tid="t1" base="run_base01" other="run_other2" />);
    expect(await screen.findByRole("article", { name: "Baseline: run base01" })).toBeTruthy();
    expect(screen.getByRole("article", { name: "Compared run: run other2" })).toBeTruthy();
    expect(screen.getByTestId("regression-count").textContent).toBe("1 regression: MOS");
    const table = screen.getByRole("table", { name: "Deltas against the baseline" });
    const mos = within(table).getByRole("row", { name: /^MOS/ });
    expect(mos.getAttribute("data-verdict")).toBe("regression");
    expect(mos.className).toContain("delta-regression");
    expect(within(mos).getByText("−0.50")).toBeTruthy();
    expect(within(mos).getByText("Regression")).toBeTruthy();
    const loss = within(table).getByRole("row", { name: /^Packet loss/ });
    expect(within(loss).getByText("−1.80 %")).toBeTruthy();
    expect(within(loss).getByText("Improvement")).toBeTruthy();
    expect(within(within(table).getByRole("row", { name: /^Setup time p95/ })).getByText("No data")).toBeTruthy();
    expect(within(within(table).getByRole("row", { name: /^Jitter/ })).getByText("±0.0 ms")).toBeTruthy();
    expect(screen.getByTestId("compare-chart-mos").getAttribute("data-points")).toBe("5");
    await waitFor(() => expect(screen.getByTestId("compare-chart-mos").getAttribute("data-state")).toBe("ready"));
    expect(screen.getByRole("link", { name: "Swap baseline" }).getAttribute("href")).toBe("#/projects/p1/tests/t1/compare/run_other2/run_base01");
  });

  it("shows the API's error, naming the field", async () => {
    vi.stubGlobal("fetch", fakeFetch(() => ({ status: 404, body: { error: { code: "NOT_FOUND", message: "other: test run run_other2 not found" } } })).fn);
    render(() => <ComparePage pid="p1" tid="t1" base="run_base01" other="run_other2" />);
    expect((await screen.findByRole("alert")).textContent).toContain("other: test run run_other2 not found");
    expect(screen.getByRole("button", { name: "Retry" })).toBeTruthy();
  });
});

describe("comparison chart option", () => {
  it("overlays both runs on seconds since start, the baseline dashed", () => {
    const o = comparisonChartOption(comparison.series.base, comparison.series.other, "mos", "MOS") as { series: { name: string; data: unknown[]; lineStyle: { type: string } }[]; xAxis: { type: string } };
    expect(o.xAxis.type).toBe("value");
    expect(o.series.map((s) => [s.name, s.lineStyle.type, s.data.length])).toEqual([["Baseline", "dashed", 2], ["Compared run", "solid", 3]]);
    expect(o.series[1]!.data[1]).toEqual([2, 3.7]);
  });
});
