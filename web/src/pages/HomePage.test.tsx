import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import type { Project, Test } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { fakeFetch, ok, testRun } from "../test/fakes.js";
import { HomePage } from "./HomePage.js";

const project: Project = { id: "p1", orgId: "o1", name: "Acme", slug: "acme", createdAt: "2026-01-01T00:00:00Z" };
const test: Test = {
  id: "t1", projectId: "p1", name: "Demo test", description: "", durationSec: 20, buildupSec: 0, totalEndpoints: 10,
  createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z",
  groups: [
    { name: "callers", registrarId: "g", endpoints: 5, codec: "PCMU", callee: { type: "GROUP", group: "receivers" }, region: null } as Test["groups"][number],
    { name: "receivers", registrarId: "g", endpoints: 5, codec: "PCMU", callee: { type: "RECEIVE" }, region: null } as Test["groups"][number],
  ],
};

let fm: ReturnType<typeof fakeFetch>;
beforeEach(() => {
  setToken("rf_test");
  window.location.hash = "#/";
  fm = fakeFetch((method, url) => {
    if (url === "/api/v1/projects") return ok([project]);
    if (url === "/api/v1/projects/p1/tests") return ok([test]);
    if (url.startsWith("/api/v1/projects/p1/test-runs?testId=t1"))
      return ok([testRun({ id: "r9", status: "COMPLETED", summary: { mos: 4.31 } as never }), testRun({ id: "r8", status: "FAILED" })]);
    if (method === "POST" && url === "/api/v1/projects/p1/tests/t1/run") return { status: 201, body: { data: { testRunId: "r10", status: "PENDING" }, meta: { requestId: "x" } } };
    return undefined;
  });
  vi.stubGlobal("fetch", fm.fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("home page", () => {
  it("lists projects, tests and recent runs linking to run pages", async () => {
    render(() => <HomePage />);
    const card = await screen.findByRole("article", { name: "Test Demo test" });
    expect(within(card).getByText(/10 endpoints/)).toBeTruthy();
    expect(within(card).getByText(/callers ×5 → receivers/)).toBeTruthy();
    const runs = within(await within(card).findByRole("list", { name: "Recent runs" })).getAllByRole("link");
    expect(within(card).getByRole("link", { name: "Edit test Demo test" }).getAttribute("href")).toBe("#/projects/p1/tests/t1");
    expect(runs.map((a) => a.getAttribute("href"))).toEqual(["#/projects/p1/runs/r9", "#/projects/p1/runs/r8"]);
    expect(within(card).getByText("MOS 4.31")).toBeTruthy();
    expect(card.querySelector("time")?.getAttribute("title")).toMatch(/UTC$/);
  });

  it("Run test posts and navigates to the new run", async () => {
    render(() => <HomePage />);
    fireEvent.click(await screen.findByRole("button", { name: "Run test Demo test" }));
    await waitFor(() => expect(window.location.hash).toBe("#/projects/p1/runs/r10"));
    expect(fm.calls.find((c) => c.method === "POST")!.body).toEqual({});
  });

  it("shows the API's message when starting fails", async () => {
    vi.stubGlobal("fetch", fakeFetch((method, url) => {
      if (url === "/api/v1/projects") return ok([project]);
      if (url === "/api/v1/projects/p1/tests") return ok([test]);
      if (url.includes("test-runs")) return ok([]);
      return { status: 422, body: { error: { code: "VALIDATION_FAILED", message: "Invalid test", details: { issues: [{ path: "groups.0.endpoints", message: "must be at least 1" }] } } } };
    }).fn);
    render(() => <HomePage />);
    fireEvent.click(await screen.findByRole("button", { name: "Run test Demo test" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Invalid test (groups.0.endpoints: must be at least 1)");
    expect(screen.getByText("No runs yet.")).toBeTruthy();
  });
});
