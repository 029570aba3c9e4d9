import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@solidjs/testing-library";
import type { Agent } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { fakeFetch, ok } from "../test/fakes.js";
import { AgentsPage } from "./AgentsPage.js";

const base: Agent = {
  id: "agt_1", name: "edge-1", region: "eu", capacity: 500, version: "0.1.0", status: "ONLINE", load: 0.25, activeEndpoints: 10,
  lastSeenAt: "2026-01-01T00:00:00Z", fault: null, host: { hostname: "pbx-lab-1", platform: "linux-x64", cpus: 8, memMb: 16384 },
};
beforeEach(() => {
  setToken("rf_test");
  const fm = fakeFetch((method, url) => {
    if (method === "GET" && url === "/api/v1/agents")
      return ok([
        base,
        { ...base, id: "agt_2", name: "edge-2", status: "ERROR", fault: { code: "SOCKET_LIMIT", message: "cannot open more sockets (EMFILE); raise ulimit -n" } },
      ]);
    return undefined;
  });
  vi.stubGlobal("fetch", fm.fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("agents page", () => {
  it("shows each agent's status, and an ERROR agent's fault with what to do", async () => {
    render(() => <AgentsPage />);
    const ok1 = await screen.findByRole("row", { name: "Agent edge-1" });
    expect(ok1.textContent).toContain("ONLINE");
    const faulty = screen.getByRole("row", { name: "Agent edge-2" });
    expect(faulty.textContent).toContain("ERROR");
    expect(screen.getByRole("note", { name: "Fault of edge-2" }).textContent).toBe("SOCKET_LIMIT cannot open more sockets (EMFILE); raise ulimit -n");
    expect(screen.queryByRole("note", { name: "Fault of edge-1" })).toBeNull();
    expect(screen.getByLabelText("Host of edge-1").textContent).toContain("pbx-lab-1 · linux-x64 · 8 CPU · 16 GiB");
  });
});
