import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import type { EndpointDetail } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { fakeFetch, ok } from "../test/fakes.js";
import { EndpointPage } from "./EndpointPage.js";

vi.mock("../charts/echarts.js", () => ({ createChart: () => ({ setOption: vi.fn(), resize: vi.fn(), dispose: vi.fn() }) }));

const detail: EndpointDetail = {
  id: "e1", runId: "r1", group: "callers", index: 0, username: "1000", role: "CALLER", agentId: "a1", phase: "CLOSED", outcome: "SUCCESS",
  statusCode: 200, statusText: "OK", metrics: { mos: 4.4 },
  timings: { time_to_register_ms: 12, registration_expires_s: 3600, call_setup_time_ms: 31, final_status_code: 200 },
  series: [{ t: 1_700_000_000, m: { mos: 4.4, jitter_ms: 2 } }, { t: 1_700_000_001, m: { mos: 4.3, jitter_ms: 3 } }],
  trace: [
    { t: 1_700_000_000_100, dir: "out", remote: "UDP 127.0.0.1:5060", text: "INVITE sip:2000@x SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n" },
    { t: 1_700_000_000_200, dir: "in", remote: "UDP 127.0.0.1:5060", text: "SIP/2.0 407 Proxy Authentication Required\r\n\r\n" },
  ],
};

beforeEach(() => {
  setToken("rf_test");
  vi.stubGlobal("fetch", fakeFetch((_m, url) => (url === "/api/v1/projects/p1/test-runs/r1/endpoints/e1" ? ok(detail) : undefined)).fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("endpoint page", () => {
  it("shows state, timing cards with protocol labels, charts and an expandable SIP trace", async () => {
    render(() => <EndpointPage pid="p1" rid="r1" eid="e1" />);
    expect((await screen.findByTestId("endpoint-phase")).textContent).toBe("CLOSED");
    expect(screen.getByRole("group", { name: "Time to register: 12 ms" })).toBeTruthy();
    expect(screen.getByRole("group", { name: "Granted Expires: 3600 s" })).toBeTruthy();
    expect(screen.getByRole("group", { name: "Final status code: 200" })).toBeTruthy();
    expect(screen.getByRole("group", { name: "Time to Ringing: —" })).toBeTruthy();
    expect(screen.getByTestId("endpoint-chart-quality").getAttribute("data-points")).toBe("2");
    const invite = screen.getByText("INVITE sip:2000@x SIP/2.0", { selector: ".trace-line" });
    expect(screen.getByText(/Proxy Authentication Required/, { selector: ".trace-line" })).toBeTruthy();
    const details = invite.closest("details")!;
    expect(details.open).toBe(false);
    fireEvent.click(invite.closest("summary")!);
    details.open = true; // jsdom does not toggle <details> on click
    expect(details.querySelector("pre")!.textContent).toContain("CSeq: 1 INVITE");
    expect(details.querySelector("time")!.getAttribute("title")).toMatch(/UTC$/);
  });

  it("draws the SIP ladder and downloads the trace as pcap with the bearer token", async () => {
    const pcap = new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]);
    const seen: { url: string; auth: string | undefined }[] = [];
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = String(input);
      seen.push({ url, auth: (init.headers as Record<string, string> | undefined)?.Authorization });
      if (url.endsWith("/trace.pcap")) return new Response(pcap, { status: 200, headers: { "content-type": "application/vnd.tcpdump.pcap" } });
      return new Response(JSON.stringify({ data: detail, meta: { requestId: "x" } }), { status: 200 });
    });
    const created: Blob[] = [];
    URL.createObjectURL = ((b: Blob) => (created.push(b), "blob:pcap")) as typeof URL.createObjectURL;
    URL.revokeObjectURL = () => undefined;
    const clicks: string[] = [];
    const origClick = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      clicks.push(this.download);
    };
    try {
      render(() => <EndpointPage pid="p1" rid="r1" eid="e1" />);
      const ladder = await screen.findByRole("region", { name: "SIP ladder" });
      fireEvent.click(within(ladder).getByRole("button", { name: "407 Proxy Authentication Required ← UDP 127.0.0.1:5060 at +0.100 s" }));
      expect(within(ladder).getByRole("region", { name: "SIP message" }).textContent).toContain("SIP/2.0 407 Proxy Authentication Required");
      fireEvent.click(screen.getByRole("button", { name: "Download SIP trace of 1000 as pcap" }));
      await waitFor(() => expect(clicks).toEqual(["1000-callers-0.pcap"]));
      expect(seen.at(-1)).toEqual({ url: "/api/v1/projects/p1/test-runs/r1/endpoints/e1/trace.pcap", auth: "Bearer rf_test" });
      expect(created[0]!.size).toBe(4);
    } finally {
      HTMLAnchorElement.prototype.click = origClick;
    }
  });

  it("says so when a download fails", async () => {
    vi.stubGlobal("fetch", async (input: RequestInfo | URL) =>
      String(input).endsWith("/trace.pcap")
        ? new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: "endpoint e1 not found" } }), { status: 404 })
        : new Response(JSON.stringify({ data: detail, meta: { requestId: "x" } }), { status: 200 }),
    );
    render(() => <EndpointPage pid="p1" rid="r1" eid="e1" />);
    fireEvent.click(await screen.findByRole("button", { name: "Download SIP trace of 1000 as pcap" }));
    expect((await screen.findByRole("alert")).textContent).toContain("endpoint e1 not found");
  });
});
