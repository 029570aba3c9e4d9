import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import type { ApiToken } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { fakeFetch, ok } from "../test/fakes.js";
import { TokensPage } from "./TokensPage.js";

const tok: ApiToken = { id: "t1", name: "local api token", kind: "api", prefix: "rf_abc", createdAt: "2026-01-01T00:00:00Z", lastUsedAt: null, revokedAt: null };
let fm: ReturnType<typeof fakeFetch>;
beforeEach(() => {
  setToken("rf_test");
  fm = fakeFetch((method, url, body: any) => {
    if (method === "GET" && url === "/api/v1/tokens") return ok([tok]);
    if (method === "POST" && url === "/api/v1/tokens")
      return { status: 201, body: { data: { ...tok, id: "t2", name: body.name, kind: body.kind, prefix: "rfa_123", token: "rfa_123secret" }, meta: { requestId: "r" } } };
    if (method === "DELETE" && url === "/api/v1/tokens/t1") return ok({ ...tok, revokedAt: "2026-01-02T00:00:00Z" });
    return undefined;
  });
  vi.stubGlobal("fetch", fm.fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("tokens page", () => {
  it("creates an agent token: secret once, with the run command", async () => {
    render(() => <TokensPage />);
    const form = await screen.findByRole("form", { name: "Create token" });
    fireEvent.input(within(form).getByLabelText("Token name"), { target: { value: "edge box" } });
    fireEvent.change(within(form).getByLabelText("Kind"), { target: { value: "agent" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create token" }));
    expect((await screen.findByTestId("token-secret")).textContent).toBe("rfa_123secret");
    fireEvent.input(screen.getByLabelText("Region for the run command"), { target: { value: "eu-west" } });
    expect(screen.getByTestId("agent-command").textContent).toBe(`ringfleet-agent --server ${window.location.origin} --token rfa_123secret --region eu-west`);
    expect(fm.calls.find((c) => c.method === "POST")!.body).toEqual({ name: "edge box", kind: "agent" });
    fireEvent.click(screen.getByRole("button", { name: "I have copied it" }));
    expect(screen.queryByTestId("token-secret")).toBeNull();
  });

  it("revokes after confirmation", async () => {
    render(() => <TokensPage />);
    fireEvent.click(await screen.findByRole("button", { name: "Revoke token local api token" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Revoke token" }));
    await vi.waitFor(() => expect(fm.calls.some((c) => c.method === "DELETE" && c.url === "/api/v1/tokens/t1")).toBe(true));
  });

  it("says why a name is refused", async () => {
    render(() => <TokensPage />);
    const form = await screen.findByRole("form", { name: "Create token" });
    fireEvent.click(within(form).getByRole("button", { name: "Create token" }));
    expect(await within(form).findByText("must not be empty")).toBeTruthy();
  });
});
