import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { onTestFinished } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import type { LiveEndpoint, LiveRunState } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { FakeWebSocket, fakeFetch, ok, testRun } from "../test/fakes.js";
import { fetchAllEndpoints, RunPage } from "./RunPage.js";

// No canvas in jsdom: stand in for the lazily loaded ECharts module.
const setOption = vi.fn();
vi.mock("../charts/echarts.js", () => ({ createChart: () => ({ setOption, resize: vi.fn(), dispose: vi.fn() }) }));

const liveRun = (over: Partial<LiveRunState> = {}): LiveRunState => ({
  runId: "r1", status: "RUNNING", reasonCode: null, reason: null, durationSec: 20, startedAt: Date.now() - 5500, endedAt: null,
  phaseCounts: { INCALL: 1, RINGING: 1 }, outcomeCounts: {}, ...over,
});
const ep = (id: string, over: Partial<LiveEndpoint> = {}): LiveEndpoint => ({
  id, group: "callers", index: Number(id.slice(1)), username: `u${id}`, role: "CALLER", phase: "INCALL", outcome: null, statusCode: 200, mos: 4.3, ...over,
});
const agg = (t: number, mos = 4.3) => ({ t, mos, jitter_ms: 3, fraction_lost: 0.1, rtt_ms: 40, reporting: 2 });

let fetchMock: ReturnType<typeof fakeFetch>;
let runStatus = "RUNNING";

beforeEach(() => {
  FakeWebSocket.reset();
  vi.stubGlobal("WebSocket", FakeWebSocket);
  runStatus = "RUNNING";
  fetchMock = fakeFetch((method, url) => {
    if (method === "GET" && url === "/api/v1/projects/p1/test-runs/r1") return ok(testRun({ status: runStatus as never }));
    if (method === "POST" && url === "/api/v1/projects/p1/test-runs/r1/stop") return ok(testRun({ status: "STOPPING" }));
    if (method === "GET" && url === "/api/v1/projects/p1/tests/t1")
      return ok({
        id: "t1", projectId: "p1", name: "Demo test", durationSec: 20, totalEndpoints: 2, createdAt: "x", updatedAt: "x",
        groups: [
          { name: "callers", registrarId: "reg", endpoints: 1, codec: "PCMU", callee: { type: "GROUP", group: "receivers" } },
          { name: "receivers", registrarId: "reg", endpoints: 1, codec: "PCMU", callee: { type: "RECEIVE" } },
        ],
      });
    return undefined;
  });
  vi.stubGlobal("fetch", fetchMock.fn);
  setToken("rf_test");
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function renderLive() {
  render(() => <RunPage pid="p1" rid="r1" />);
  await screen.findByText("Demo test");
  const ws = FakeWebSocket.last;
  expect(ws.url).toContain("/live/runs/r1?token=rf_test");
  ws.open();
  ws.receive({
    v: 1, type: "snapshot", run: liveRun(), series: [agg(100), agg(101)],
    endpoints: [ep("e1"), ep("e2", { phase: "RINGING", statusCode: null, mos: null, group: "receivers", role: "RECEIVER" })],
  });
  return ws;
}

describe("run page", () => {
  it("renders header, cards, phase counts, chart points and endpoints from the snapshot", async () => {
    // Pin the clock (Date only; timers stay real) so "elapsed" is exactly 5 s however loaded the machine is.
    vi.useFakeTimers({ toFake: ["Date"], now: 1_800_000_000_000 });
    onTestFinished(() => void vi.useRealTimers());
    await renderLive();
    expect(screen.getByTestId("run-status").textContent).toBe("Running");
    expect(screen.getByTestId("phase-count-INCALL").textContent).toBe("1");
    expect(screen.getByTestId("phase-count-RINGING").textContent).toBe("1");
    expect(screen.getByTestId("phase-count-CLOSED").textContent).toBe("0");
    expect(screen.getByLabelText("INCALL: 1")).toBeTruthy();
    expect(screen.getByTestId("aggregate-chart").getAttribute("data-points")).toBe("2");
    expect(screen.getByTestId("card-mos").getAttribute("data-level")).toBe("good");
    expect(screen.getByTestId("card-mos").getAttribute("title")).toMatch(/E-model/);
    expect(screen.getAllByTestId("endpoint-row")).toHaveLength(2);
    const rows = screen.getAllByTestId("endpoint-row");
    expect(rows[0]!.className).toContain("row-good");
    expect(rows[1]!.className).toContain("row-warn");
    expect(screen.getByRole("progressbar", { name: "Run progress" }).getAttribute("aria-valuenow")).toBe("5");
    // e1 (caller, INCALL) answered; e2 (receiver, RINGING) registered: both rates from the live list.
    expect(screen.getByTestId("card-call-success").textContent).toContain("100 %");
    expect(screen.getByTestId("card-registration-rate").textContent).toContain("100 %");
    await waitFor(() => expect(screen.getByTestId("aggregate-chart").getAttribute("data-state")).toBe("ready"));
    await waitFor(() => expect(setOption).toHaveBeenCalled());
  });

  it("shows the group breakdown with live per-group counts and MOS, and the test's topology", async () => {
    await renderLive();
    const table = await screen.findByRole("table", { name: "Group breakdown" });
    const callers = within(table).getByRole("row", { name: "Group callers" });
    expect(callers.textContent).toContain("4.30");
    expect(screen.getByTestId("group-mos-callers").className).toContain("quality-text-good");
    expect(within(table).getByRole("row", { name: "Group receivers" }).textContent).toContain("–");
    await waitFor(() => expect(screen.getByRole("img", { name: /Group topology: callers calls receivers/ })).toBeTruthy());
  });

  it("updates live from ticks without reloading", async () => {
    const ws = await renderLive();
    ws.receive({
      v: 1, type: "tick", run: liveRun({ phaseCounts: { INCALL: 1, CLOSED: 1 }, outcomeCounts: { CALL_FAILED: 1 } }), aggregate: agg(102, 2.5),
      endpoints: [ep("e2", { phase: "CLOSED", outcome: "CALL_FAILED", statusCode: 486, group: "receivers", role: "RECEIVER" })],
    });
    await waitFor(() => expect(screen.getByTestId("phase-count-CLOSED").textContent).toBe("1"));
    expect(screen.getByTestId("phase-count-RINGING").textContent).toBe("0");
    expect(screen.getByTestId("outcome-count-CALL_FAILED").textContent).toBe("1");
    expect(screen.getByTestId("aggregate-chart").getAttribute("data-points")).toBe("3");
    expect(screen.getByTestId("card-mos").getAttribute("data-level")).toBe("bad");
    const failed = screen.getAllByTestId("endpoint-row")[1]!;
    expect(failed.className).toContain("row-bad");
    expect(within(failed).getByText("486")).toBeTruthy();
  });

  it("ignores a malformed live message", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const ws = await renderLive();
    ws.receive({ v: 1, type: "tick", run: { status: "NOPE" }, aggregate: null, endpoints: [] });
    expect(warn).toHaveBeenCalled();
    expect(screen.getByTestId("phase-count-INCALL").textContent).toBe("1");
    warn.mockRestore();
  });

  it("filters the endpoint list", async () => {
    await renderLive();
    fireEvent.change(screen.getByLabelText("Filter by phase"), { target: { value: "RINGING" } });
    await waitFor(() => expect(screen.getAllByTestId("endpoint-row")).toHaveLength(1));
    expect(screen.getAllByTestId("endpoint-row")[0]!.getAttribute("data-endpoint-id")).toBe("e2");
    fireEvent.change(screen.getByLabelText("Filter by phase"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("Filter by group"), { target: { value: "callers" } });
    await waitFor(() => expect(screen.getAllByTestId("endpoint-row")).toHaveLength(1));
    expect(screen.getAllByTestId("endpoint-row")[0]!.getAttribute("data-endpoint-id")).toBe("e1");
  });

  it("stops after confirmation and shows STOPPING until the run completes", async () => {
    const ws = await renderLive();
    fireEvent.click(screen.getByRole("button", { name: "Stop" }));
    const dialog = screen.getByRole("dialog", { name: "Stop this run?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Stop run" }));
    await waitFor(() => expect(fetchMock.calls.some((c) => c.method === "POST" && c.url.endsWith("/stop"))).toBe(true));
    expect(fetchMock.calls.find((c) => c.url.endsWith("/stop"))!.headers.Authorization).toBe("Bearer rf_test");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.getByTestId("run-status").textContent).toBe("Stopping");
    // A tick still saying RUNNING (sent before the stop landed) does not flip it back.
    ws.receive({ v: 1, type: "tick", run: liveRun(), aggregate: null, endpoints: [] });
    expect(screen.getByTestId("run-status").textContent).toBe("Stopping");
    expect((screen.getByRole("button", { name: /Stopping/ }) as HTMLButtonElement).disabled).toBe(true);
    runStatus = "COMPLETED";
    ws.receive({ v: 1, type: "tick", run: liveRun({ status: "COMPLETED", endedAt: Date.now() }), aggregate: null, endpoints: [] });
    await waitFor(() => expect(screen.getByTestId("run-status").textContent).toBe("Completed"));
    expect((screen.getByRole("button", { name: "Stop" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("cancelling the dialog does not stop", async () => {
    await renderLive();
    fireEvent.click(screen.getByRole("button", { name: "Stop" }));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(fetchMock.calls.some((c) => c.url.endsWith("/stop"))).toBe(false);
  });

  it("shows the reason of a run that cannot run, with Stop disabled", async () => {
    render(() => <RunPage pid="p1" rid="r1" />);
    await screen.findByText("Demo test");
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({
      v: 1, type: "snapshot",
      run: liveRun({ status: "CANNOT_RUN_FOR_NOW", reasonCode: "NO_ONLINE_AGENT", reason: "No agent is online.", startedAt: null, phaseCounts: {} }),
      series: [], endpoints: [],
    });
    await waitFor(() => expect(screen.getByTestId("run-reason").textContent).toBe("No agent is online."));
    expect(screen.getByTestId("run-status").getAttribute("data-status")).toBe("CANNOT_RUN_FOR_NOW");
    expect((screen.getByRole("button", { name: "Stop" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows the API's error message", async () => {
    vi.stubGlobal("fetch", fakeFetch(() => ({ status: 404, body: { error: { code: "NOT_FOUND", message: "test run r1 not found" } } })).fn);
    render(() => <RunPage pid="p1" rid="r1" />);
    expect((await screen.findByRole("alert")).textContent).toContain("test run r1 not found");
  });
});

describe("endpoints over REST (a finished run without a live snapshot)", () => {
  it("pages through the whole list, 500 at a time", async () => {
    const total = 1_204;
    const f = fakeFetch((_m, url) => {
      const u = new URL(url, "http://x");
      if (u.pathname !== "/api/v1/projects/p1/test-runs/r1/endpoints") return undefined;
      const page = Number(u.searchParams.get("page"));
      const per = Number(u.searchParams.get("perPage"));
      const items = Array.from({ length: Math.max(0, Math.min(per, total - (page - 1) * per)) }, (_, i) => ({ id: `e${(page - 1) * per + i}` }));
      return { body: { data: items, meta: { requestId: "r", pagination: { page, perPage: per, total } } } };
    });
    vi.stubGlobal("fetch", f.fn);
    const all = await fetchAllEndpoints("/projects/p1/test-runs/r1");
    expect(all).toHaveLength(total);
    expect(new Set(all.map((e) => e.id)).size).toBe(total);
    expect(f.calls.map((c) => new URL(c.url, "http://x").searchParams.get("page")).sort()).toEqual(["1", "2", "3"]);
  });
});
