import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import type { RunSummary } from "../../../protocol/index.js";
import { testRun } from "../test/fakes.js";
import { orderPair, ranFor, RunHistory } from "./RunHistory.js";

const summary = (o: Partial<RunSummary> = {}): RunSummary => ({
  mos: 4.31, jitter_ms: 2.5, fraction_lost: 0.4, rtt_ms: 30, callSuccessRate: 100, registrationRate: 100, setupTimeMs: { p50: 20, p95: 40 },
  endpoints: 4, phaseCounts: {}, outcomeCounts: {}, groups: [], ...o,
});
const runs = [
  testRun({ id: "run_cccccc", status: "COMPLETED", createdAt: "2026-01-03T10:00:00Z", startedAt: "2026-01-03T10:00:02Z", endedAt: "2026-01-03T10:00:14Z", summary: summary({ mos: 2.8, fraction_lost: 4.2, callSuccessRate: 50 }) }),
  testRun({ id: "run_bbbbbb", status: "COMPLETED", createdAt: "2026-01-02T10:00:00Z", startedAt: "2026-01-02T10:00:02Z", endedAt: "2026-01-02T10:01:32Z", summary: summary() }),
  testRun({ id: "run_aaaaaa", status: "FAILED", createdAt: "2026-01-01T10:00:00Z", startedAt: null, endedAt: null, summary: null }),
];

beforeEach(() => {
  localStorage.clear();
  window.location.hash = "";
});
afterEach(cleanup);

describe("run history", () => {
  it("shows each run's key figures, coloured by quality", () => {
    render(() => <RunHistory pid="p1" tid="t1" runs={runs} />);
    const table = screen.getByRole("table", { name: "Run history" });
    const [first, second, third] = within(table).getAllByRole("row").slice(1);
    expect(within(first!).getByText("2.80").className).toContain("quality-text-bad");
    expect(within(first!).getByText("4.20 %").className).toContain("quality-text-bad");
    expect(within(first!).getByText("50.0 %")).toBeTruthy();
    expect(within(first!).getByText("12s")).toBeTruthy();
    expect(within(second!).getByText("1m 30s")).toBeTruthy();
    expect(within(second!).getByText("2.5 ms").className).toContain("quality-text-good");
    expect(within(third!).getByTestId("run-status").getAttribute("data-status")).toBe("FAILED");
    expect(within(third!).getAllByText("—").length).toBeGreaterThan(3);
    expect(within(first!).getByRole("link", { name: "Open run cccccc, COMPLETED" }).getAttribute("href")).toBe("#/projects/p1/runs/run_cccccc");
  });

  it("compares two picked runs, the older as baseline", () => {
    render(() => <RunHistory pid="p1" tid="t1" runs={runs} />);
    const compare = screen.getByRole("button", { name: "Compare selected runs" }) as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    fireEvent.click(screen.getByRole("checkbox", { name: "Select run cccccc for comparison" }));
    expect(compare.disabled).toBe(true);
    fireEvent.click(screen.getByRole("checkbox", { name: "Select run bbbbbb for comparison" }));
    expect(compare.disabled).toBe(false);
    fireEvent.click(compare);
    expect(window.location.hash).toBe("#/projects/p1/tests/t1/compare/run_bbbbbb/run_cccccc");
  });

  it("keeps a third pick to two, dropping the oldest pick", () => {
    render(() => <RunHistory pid="p1" tid="t1" runs={runs} />);
    for (const r of ["aaaaaa", "bbbbbb", "cccccc"]) fireEvent.click(screen.getByRole("checkbox", { name: `Select run ${r} for comparison` }));
    expect((screen.getByRole("checkbox", { name: "Select run aaaaaa for comparison" }) as HTMLInputElement).checked).toBe(false);
    expect(screen.getAllByRole("checkbox").filter((c) => (c as HTMLInputElement).checked)).toHaveLength(2);
  });

  it("marks a baseline (remembered per test) and compares any run with it", () => {
    const first = render(() => <RunHistory pid="p1" tid="t1" runs={runs} />);
    const mark = screen.getByRole("button", { name: "Baseline: run bbbbbb" });
    expect(mark.getAttribute("aria-pressed")).toBe("false");
    fireEvent.click(mark);
    expect(mark.getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("compare-hint").textContent).toMatch(/Baseline: run bbbbbb/);
    expect(screen.getByRole("link", { name: "Compare run cccccc with the baseline" }).getAttribute("href")).toBe("#/projects/p1/tests/t1/compare/run_bbbbbb/run_cccccc");
    expect(screen.queryByRole("link", { name: "Compare run bbbbbb with the baseline" })).toBeNull();
    first.unmount();
    render(() => <RunHistory pid="p1" tid="t1" runs={runs} />);
    expect(screen.getByRole("button", { name: "Baseline: run bbbbbb" }).getAttribute("aria-pressed")).toBe("true");
    // A picked pair with the baseline in it keeps the baseline first, even when it is the newer run.
    fireEvent.click(screen.getByRole("button", { name: "Baseline: run cccccc" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Select run cccccc for comparison" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Select run bbbbbb for comparison" }));
    fireEvent.click(screen.getByRole("button", { name: "Compare selected runs" }));
    expect(window.location.hash).toBe("#/projects/p1/tests/t1/compare/run_cccccc/run_bbbbbb");
  });

  it("pairs and durations", () => {
    expect(orderPair(runs[0]!, runs[1]!, null).map((r) => r.id)).toEqual(["run_bbbbbb", "run_cccccc"]);
    expect(orderPair(runs[1]!, runs[0]!, "run_cccccc").map((r) => r.id)).toEqual(["run_cccccc", "run_bbbbbb"]);
    expect(ranFor({ startedAt: null, endedAt: null })).toBeNull();
    expect(ranFor({ startedAt: "2026-01-01T00:00:00Z", endedAt: null }, Date.parse("2026-01-01T00:00:05Z"))).toBe(5);
  });
});
