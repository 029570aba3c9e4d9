import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { ENDPOINT_PHASES, type LiveEndpoint } from "../../../protocol/index.js";
import { EndpointTable, ROW_PX } from "./EndpointTable.js";

afterEach(() => {
  cleanup();
  window.location.hash = "";
});

/** 10,000 endpoints over two groups, every phase, some failures, MOS spread out. */
function manyEndpoints(n = 10_000): LiveEndpoint[] {
  return Array.from({ length: n }, (_, i) => {
    const group = i < n / 2 ? "callers" : "answerers";
    const index = i < n / 2 ? i : i - n / 2;
    const failed = i % 97 === 0;
    return {
      id: `ep_${i}`, group, index, username: String(100_000 + i), role: group === "callers" ? "CALLER" : "RECEIVER",
      phase: failed ? "CLOSED" : ENDPOINT_PHASES[i % 6]!, outcome: failed ? "CALL_FAILED" : null, statusCode: failed ? 486 : null,
      mos: i % 10 === 0 ? null : 1 + ((i * 7919) % 3500) / 1000,
    } satisfies LiveEndpoint;
  }).sort((a, b) => (a.group === b.group ? a.index - b.index : a.group < b.group ? -1 : 1));
}

const rows = () => screen.getAllByTestId("endpoint-row");
const scroller = () => screen.getByTestId("endpoint-scroll");
function scrollTo(px: number) {
  scroller().scrollTop = px;
  fireEvent.scroll(scroller());
}

describe("endpoint table, 10,000 rows", () => {
  const all = manyEndpoints();

  it("renders only the rows in view, and the right ones after scrolling", async () => {
    render(() => <EndpointTable endpoints={all} pid="p" rid="r" />);
    expect(screen.getByTestId("endpoint-count").textContent).toBe("10000");
    expect(rows().length).toBeGreaterThan(5);
    expect(rows().length).toBeLessThan(100);
    expect(rows()[0]!.getAttribute("data-endpoint-id")).toBe(all[0]!.id);
    expect(screen.getByRole("table", { name: "Endpoint list" }).getAttribute("aria-rowcount")).toBe("10001");
    scrollTo(ROW_PX * 5_000);
    await waitFor(() => expect(rows().some((r) => r.getAttribute("data-endpoint-id") === all[5_000]!.id)).toBe(true));
    expect(rows().length).toBeLessThan(100);
    const spacer = scroller().querySelector("tbody tr.spacer") as HTMLElement;
    const firstShown = Number(rows()[0]!.getAttribute("aria-rowindex")) - 2;
    expect(spacer.style.height).toBe(`${firstShown * ROW_PX}px`);
    scrollTo(ROW_PX * 10_000);
    await waitFor(() => expect(rows().at(-1)!.getAttribute("data-endpoint-id")).toBe(all.at(-1)!.id));
  });

  it("colours rows: green in call, yellow while calling/ringing/negotiating, red on error outcomes", () => {
    render(() => <EndpointTable endpoints={all.slice(0, 12)} pid="p" rid="r" />);
    for (const r of rows()) {
      const e = all.find((x) => x.id === r.getAttribute("data-endpoint-id"))!;
      const want = e.outcome === "CALL_FAILED" ? "row-bad" : e.phase === "INCALL" ? "row-good" : ["CALLING", "RINGING", "NEGOTIATING"].includes(e.phase) ? "row-warn" : "row-neutral";
      expect(r.className).toContain(want);
    }
  });

  it("sorts by a metric column on header click, with aria-sort", async () => {
    render(() => <EndpointTable endpoints={all} pid="p" rid="r" />);
    const mosHeader = screen.getByRole("columnheader", { name: /MOS/ });
    expect(mosHeader.getAttribute("aria-sort")).toBe("none");
    expect(screen.getByRole("columnheader", { name: /Group/ }).getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(within(mosHeader).getByRole("button", { name: "Sort by MOS" }));
    expect(mosHeader.getAttribute("aria-sort")).toBe("ascending");
    const minMos = Math.min(...all.filter((e) => e.mos !== null).map((e) => e.mos!));
    await waitFor(() => expect(all.find((e) => e.id === rows()[0]!.getAttribute("data-endpoint-id"))!.mos).toBe(minMos));
    fireEvent.click(screen.getByRole("button", { name: "Sort by MOS" }));
    expect(mosHeader.getAttribute("aria-sort")).toBe("descending");
    const maxMos = Math.max(...all.filter((e) => e.mos !== null).map((e) => e.mos!));
    await waitFor(() => expect(all.find((e) => e.id === rows()[0]!.getAttribute("data-endpoint-id"))!.mos).toBe(maxMos));
    expect(rows().length).toBeLessThan(100);
    fireEvent.click(screen.getByRole("button", { name: "Sort by SIP" }));
    expect(screen.getByRole("columnheader", { name: /SIP/ }).getAttribute("aria-sort")).toBe("ascending");
    expect(mosHeader.getAttribute("aria-sort")).toBe("none");
    await waitFor(() => expect(within(rows()[0]!).getByText("486")).toBeTruthy());
  }, 20_000); // three sorts of 10,000 rows in jsdom: ~3 s alone, over 5 s when the whole suite runs on 2 busy CPUs

  it("filters by group, phase and outcome, and searches by account", async () => {
    render(() => <EndpointTable endpoints={all} pid="p" rid="r" />);
    fireEvent.change(screen.getByLabelText("Filter by outcome"), { target: { value: "CALL_FAILED" } });
    const failed = all.filter((e) => e.outcome === "CALL_FAILED");
    await waitFor(() => expect(screen.getByTestId("endpoint-count").textContent).toBe(`${failed.length} of 10000`));
    expect(rows().every((r) => r.className.includes("row-bad"))).toBe(true);
    fireEvent.change(screen.getByLabelText("Filter by group"), { target: { value: "answerers" } });
    await waitFor(() => expect(screen.getByTestId("endpoint-count").textContent).toBe(`${failed.filter((e) => e.group === "answerers").length} of 10000`));
    fireEvent.change(screen.getByLabelText("Filter by outcome"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("Filter by phase"), { target: { value: "RINGING" } });
    await waitFor(() => expect(screen.getByTestId("endpoint-count").textContent).toBe(`${all.filter((e) => e.group === "answerers" && e.phase === "RINGING").length} of 10000`));
    fireEvent.change(screen.getByLabelText("Filter by phase"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("Filter by group"), { target: { value: "" } });
    fireEvent.input(screen.getByRole("searchbox", { name: "Search endpoints" }), { target: { value: "107777" } });
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]!.getAttribute("data-endpoint-id")).toBe("ep_7777");
    fireEvent.input(screen.getByRole("searchbox", { name: "Search endpoints" }), { target: { value: "no such account" } });
    await waitFor(() => expect(screen.queryAllByTestId("endpoint-row")).toHaveLength(0));
    expect(screen.getByText(/No endpoints match “no such account” and these filters/)).toBeTruthy();
  });

  it("moves through rows with the keyboard and opens one with Enter", async () => {
    render(() => <EndpointTable endpoints={all} pid="p1" rid="r1" />);
    const box = scroller();
    box.focus();
    fireEvent.keyDown(box, { key: "ArrowDown" });
    fireEvent.keyDown(box, { key: "ArrowDown" });
    expect(screen.getByTestId("endpoint-active").textContent).toBe(`Row 2 of 10000: ${all[1]!.username}, ${all[1]!.group}, ${all[1]!.phase}`);
    fireEvent.keyDown(box, { key: "End" });
    await waitFor(() => expect(rows().at(-1)!.getAttribute("aria-current")).toBe("true"));
    expect(rows().at(-1)!.getAttribute("data-endpoint-id")).toBe(all.at(-1)!.id);
    expect(rows().length).toBeLessThan(100);
    fireEvent.keyDown(box, { key: "Home" });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(window.location.hash).toBe(`#/projects/p1/runs/r1/endpoints/${all[0]!.id}`);
  });

  it("shows loading, empty and error states", () => {
    const { unmount } = render(() => <EndpointTable endpoints={[]} pid="p" rid="r" loading />);
    expect(screen.getByText("Waiting for endpoints…")).toBeTruthy();
    unmount();
    render(() => <EndpointTable endpoints={[]} pid="p" rid="r" error="endpoints could not be loaded" />);
    expect(screen.getByRole("alert").textContent).toBe("endpoints could not be loaded");
  });
});
