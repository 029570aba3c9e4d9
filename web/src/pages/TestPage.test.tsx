import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import type { Registrar } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { fakeFetch, ok } from "../test/fakes.js";
import { topologyLayout } from "../components/Topology.js";
import { draftToBody, newTestDraft, TestPage, validateDraft } from "./TestPage.js";

const reg: Registrar = { id: "g1", projectId: "p1", name: "Built-in registrar", domain: "127.0.0.1", port: 5070, transport: "UDP", outboundProxy: null, builtin: true, accountCount: 40, createdAt: "2026-01-01T00:00:00Z", tls: null };

let fm: ReturnType<typeof fakeFetch>;
let planInfo: unknown = null;
let agentList: unknown[] = [];
let postOk = false;
beforeEach(() => {
  setToken("rf_test");
  planInfo = null;
  agentList = [];
  postOk = false;
  window.location.hash = "#/projects/p1/tests/new";
  fm = fakeFetch((method, url) => {
    if (url === "/api/v1/projects/p1/registrars") return ok([reg]);
    if (url === "/api/v1/agents") return ok(agentList);
    if (url === "/api/v1/plan" && planInfo) return ok(planInfo);
    if (method === "POST" && url === "/api/v1/projects/p1/tests" && postOk)
      return { status: 201, body: { data: { id: "t9", projectId: "p1", name: "T", description: "", durationSec: 30, buildupSec: 0, totalEndpoints: 4, createdAt: "", updatedAt: "", groups: [] }, meta: { requestId: "r" } } };
    if (method === "POST" && url === "/api/v1/projects/p1/tests")
      return { status: 400, body: { error: { code: "VALIDATION_FAILED", message: "invalid body", details: { issues: [{ path: "groups.1.region", message: "no online agent in region mars" }] } } } };
    return undefined;
  });
  vi.stubGlobal("fetch", fm.fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("test draft", () => {
  it("default draft is valid and becomes a TestCreate body", () => {
    const d = { ...newTestDraft("g1"), name: "T" };
    expect(validateDraft(d)).toEqual({});
    expect(draftToBody(d).groups).toEqual([
      { name: "callers", registrarId: "g1", endpoints: 2, codec: "PCMU", srtp: "OFF", callee: { type: "GROUP", group: "receivers" }, region: null, agents: null },
      { name: "receivers", registrarId: "g1", endpoints: 2, codec: "PCMU", srtp: "OFF", callee: { type: "RECEIVE" }, region: null, agents: null },
    ]);
  });
  it("keeps group fields the form does not edit", async () => {
    const { draftOfTest } = await import("./TestPage.js");
    const g = { name: "a", registrarId: "g1", endpoints: 1, codec: "PCMU" as const, srtp: "SDES" as const, callee: { type: "RECEIVE" as const }, region: null, future: ["x"] };
    const d = draftOfTest({ id: "t", projectId: "p1", name: "T", description: "", durationSec: 10, buildupSec: 0, totalEndpoints: 1, createdAt: "", updatedAt: "", groups: [g as never] });
    expect(draftToBody(d).groups[0]).toEqual({ ...g, region: null, agents: null });
    const dtls = draftOfTest({ id: "t", projectId: "p1", name: "T", description: "", durationSec: 10, buildupSec: 0, totalEndpoints: 1, createdAt: "", updatedAt: "", groups: [{ ...g, srtp: "DTLS" } as never] });
    expect(draftToBody(dtls).groups[0]).toMatchObject({ srtp: "DTLS" });
  });
  it("names the offending fields by path", () => {
    const d = newTestDraft("");
    d.durationSec = "3.5";
    d.groups[0]!.endpoints = "0";
    const e = validateDraft(d);
    expect(e.name).toBe("must not be empty");
    expect(e.durationSec).toBe("must be a whole number");
    expect(e["groups.0.endpoints"]).toBe("must be at least 1");
    expect(e["groups.0.registrarId"]).toBe("choose a registrar");
    // The protocol's cross-group checks (run once the fields themselves are valid).
    const r = { ...newTestDraft("g1"), name: "T" };
    r.groups[1]!.calleeType = "GROUP";
    r.groups[1]!.calleeGroup = "callers";
    expect(validateDraft(r)["groups.0.callee.group"]).toMatch(/must have callee type RECEIVE/);
  });
});

describe("topology", () => {
  it("draws callers left, receivers and external URIs right, an arrow per call", () => {
    const l = topologyLayout([
      { name: "a", endpoints: 2, codec: "PCMU", callee: { type: "GROUP", group: "b" } },
      { name: "b", endpoints: 2, codec: "PCMA", callee: { type: "RECEIVE" } },
      { name: "c", endpoints: 1, codec: "PCMU", callee: { type: "EXTERNAL", uri: "sip:echo@x" } },
    ]);
    expect(l.nodes.map((n) => [n.title, n.subtitle, n.x > 100 ? "right" : "left"])).toEqual([
      ["a", "2 endpoints · PCMU", "left"],
      ["c", "1 endpoint · PCMU", "left"],
      ["b", "2 endpoints · PCMA", "right"],
      ["External", "sip:echo@x", "right"],
    ]);
    expect(l.edges).toEqual([
      { from: "g0", to: "g1", ok: true, label: "a calls b" },
      { from: "g2", to: "x0", ok: true, label: "c calls sip:echo@x" },
    ]);
  });
});

describe("test page", () => {
  it("renaming a group keeps its callers pointing at it, and the topology follows", async () => {
    render(() => <TestPage pid="p1" />);
    const form = await screen.findByRole("form", { name: "New test" });
    const g1 = within(form).getByRole("group", { name: "Group 1" });
    const g2 = within(form).getByRole("group", { name: "Group 2" });
    expect((within(g1).getByLabelText("Registrar") as unknown as HTMLSelectElement).value).toBe("g1");
    fireEvent.input(within(g2).getByLabelText("Group name"), { target: { value: "answer" } });
    expect((within(g1).getByLabelText("Group to call") as unknown as HTMLSelectElement).value).toBe("answer");
    expect(screen.getByRole("img").getAttribute("aria-label")).toBe("Group topology: callers calls answer");
  });

  it("the codec selector offers every protocol codec by name, Opus included, and sends its code", async () => {
    render(() => <TestPage pid="p1" />);
    const form = await screen.findByRole("form", { name: "New test" });
    const g1 = within(form).getByRole("group", { name: "Group 1" });
    const codec = within(g1).getByLabelText("Codec") as unknown as HTMLSelectElement;
    expect([...codec.options].map((o) => [o.value, o.textContent])).toEqual([
      ["PCMU", "PCMU (G.711 µ-law)"],
      ["PCMA", "PCMA (G.711 A-law)"],
      ["G722", "G.722 (wideband)"],
      ["OPUS", "Opus (wideband, 24 kbit/s)"],
    ]);
    fireEvent.change(codec, { target: { value: "OPUS" } });
    expect(codec.value).toBe("OPUS");
  });

  it("shows client and server messages beside the fields", async () => {
    render(() => <TestPage pid="p1" />);
    const form = await screen.findByRole("form", { name: "New test" });
    fireEvent.click(within(form).getByRole("button", { name: "Create test" }));
    expect(await within(form).findByText("must not be empty")).toBeTruthy();
    expect(fm.calls.some((c) => c.method === "POST")).toBe(false);
    fireEvent.input(within(form).getByLabelText("Test name"), { target: { value: "T" } });
    fireEvent.input(within(within(form).getByRole("group", { name: "Group 2" })).getByLabelText("Region"), { target: { value: "mars" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create test" }));
    const region = within(within(form).getByRole("group", { name: "Group 2" })).getByLabelText("Region");
    await waitFor(() => expect(region.getAttribute("aria-invalid")).toBe("true"));
    expect(within(form).getByText("no online agent in region mars")).toBeTruthy();
  });

  it("pins a group to explicit agents (assignment by agent instead of region)", async () => {
    agentList = [
      { id: "agt_1", name: "edge-1", region: "eu", status: "ONLINE" },
      { id: "agt_2", name: "edge-2", region: "us", status: "ONLINE" },
    ];
    postOk = true;
    render(() => <TestPage pid="p1" />);
    const form = await screen.findByRole("form", { name: "New test" });
    fireEvent.input(within(form).getByLabelText("Test name"), { target: { value: "T" } });
    const g1 = within(form).getByRole("group", { name: "Group 1" });
    const select = within(g1).getByLabelText("Agents") as unknown as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(["edge-1 (eu, ONLINE)", "edge-2 (us, ONLINE)"]);
    select.options[1]!.selected = true;
    fireEvent.change(select);
    expect((within(g1).getByLabelText("Region") as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(within(form).getByRole("button", { name: "Create test" }));
    await waitFor(() => expect(fm.calls.some((c) => c.method === "POST")).toBe(true));
    const body = fm.calls.find((c) => c.method === "POST")!.body as { groups: { agents: string[] | null }[] };
    expect(body.groups.map((g) => g.agents)).toEqual([["agt_2"], null]);
  });

  it("shows the plan's limits and says beside the fields when the test exceeds them", async () => {
    planInfo = {
      limits: { maxEndpointsPerTest: 3, maxDurationSec: 60, maxConcurrentRunsPerProject: 2, maxConcurrentRunsPerOrg: 4, maxConcurrentEndpoints: 50 },
      credits: { balance: 100, reserved: 10 }, usage: { runningRuns: 1, runningEndpoints: 2 },
    };
    render(() => <TestPage pid="p1" />);
    const form = await screen.findByRole("form", { name: "New test" });
    const limits = await screen.findByRole("group", { name: "Plan limits" });
    expect(limits.textContent).toContain("4 of 3"); // the default draft has 2 + 2 endpoints
    expect(limits.textContent).toContain("1 of 4 runs");
    expect(limits.textContent).toContain("90 left");
    fireEvent.input(within(form).getByLabelText("Test name"), { target: { value: "T" } });
    fireEvent.input(within(form).getByLabelText("Call duration (s)"), { target: { value: "120" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create test" }));
    expect(await within(form).findByText("your plan allows calls of at most 60 s")).toBeTruthy();
    expect(within(form).getByText(/4 endpoints in total; your plan allows 3 per test/)).toBeTruthy();
    expect(fm.calls.some((c) => c.method === "POST")).toBe(false);
  });
});
