import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import type { Registrar, SipAccount } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { fakeFetch, ok } from "../test/fakes.js";
import { RegistrarsPage } from "./RegistrarsPage.js";

const reg = (over: Partial<Registrar> = {}): Registrar => ({
  id: "g1", projectId: "p1", name: "Built-in registrar", domain: "127.0.0.1", port: 5070, transport: "UDP", outboundProxy: null, builtin: true,
  accountCount: 1, createdAt: "2026-01-01T00:00:00Z", tls: null, ...over,
});
const acc: SipAccount = { id: "a1", registrarId: "g1", username: "1001", authUsername: null, realm: null, createdAt: "2026-01-01T00:00:00Z" };

let fm: ReturnType<typeof fakeFetch>;
let post: (url: string, body: any) => { status?: number; body: unknown } | undefined;
beforeEach(() => {
  setToken("rf_test");
  post = () => undefined;
  fm = fakeFetch((method, url, body) => {
    if (method === "GET" && url === "/api/v1/projects/p1/registrars") return ok([reg()]);
    if (method === "GET" && url === "/api/v1/projects/p1/registrars/g1/accounts") return ok([acc]);
    if (method === "POST") return post(url, body);
    return undefined;
  });
  vi.stubGlobal("fetch", fm.fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("registrars page", () => {
  it("shows the server's field issues beside the fields", async () => {
    post = () => ({ status: 400, body: { error: { code: "VALIDATION_FAILED", message: "invalid body", details: { issues: [{ path: "outboundProxy", message: "must be host or host:port" }] } } } });
    render(() => <RegistrarsPage pid="p1" />);
    await screen.findByRole("table", { name: "Registrars" });
    fireEvent.click(screen.getByRole("button", { name: "New registrar" }));
    const form = screen.getByRole("form", { name: "New registrar" });
    fireEvent.input(within(form).getByLabelText("Name"), { target: { value: "Lab" } });
    fireEvent.input(within(form).getByLabelText("Domain"), { target: { value: "sip.example.com" } });
    fireEvent.input(within(form).getByLabelText("Outbound proxy"), { target: { value: "proxy.example.com" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create registrar" }));
    const proxy = within(form).getByLabelText("Outbound proxy");
    await waitFor(() => expect(proxy.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(proxy.getAttribute("aria-describedby")!.split(" ").at(-1)!)!.textContent).toBe("must be host or host:port");
    expect(fm.calls.find((c) => c.method === "POST")!.body).toEqual({ name: "Lab", domain: "sip.example.com", transport: "UDP", outboundProxy: "proxy.example.com" });
  });

  it("TLS settings: shown for transport TLS, custom CA required beside its field, sent as tls", async () => {
    post = (_url, body) => ({ status: 201, body: { data: { ...reg({ id: "g2", builtin: false }), ...body, tls: { verify: "custom", ca: body.tls.ca, clientCert: null, hasClientKey: false, serverName: "sbc.example.com" } }, meta: { requestId: "r" } } });
    render(() => <RegistrarsPage pid="p1" />);
    await screen.findByRole("table", { name: "Registrars" });
    fireEvent.click(screen.getByRole("button", { name: "New registrar" }));
    const form = screen.getByRole("form", { name: "New registrar" });
    expect(within(form).queryByRole("group", { name: "TLS" })).toBeNull();
    fireEvent.input(within(form).getByLabelText("Name"), { target: { value: "SBC" } });
    fireEvent.input(within(form).getByLabelText("Domain"), { target: { value: "sbc.example.com" } });
    fireEvent.change(within(form).getByLabelText("Transport"), { target: { value: "TLS" } });
    const tls = within(form).getByRole("group", { name: "TLS" });
    fireEvent.change(within(tls).getByLabelText("Server certificate"), { target: { value: "custom" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create registrar" }));
    expect(await within(tls).findByText('is required when verify is "custom"')).toBeTruthy();
    expect(within(tls).getByLabelText("CA certificate (PEM)").getAttribute("aria-invalid")).toBe("true");
    expect(fm.calls.some((c) => c.method === "POST")).toBe(false);
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    fireEvent.input(within(tls).getByLabelText("CA certificate (PEM)"), { target: { value: ca } });
    fireEvent.input(within(tls).getByLabelText("Server name (SNI)"), { target: { value: "sbc.example.com" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create registrar" }));
    await waitFor(() => expect(fm.calls.some((c) => c.method === "POST")).toBe(true));
    expect(fm.calls.find((c) => c.method === "POST")!.body).toEqual({
      name: "SBC", domain: "sbc.example.com", transport: "TLS", tls: { verify: "custom", ca, serverName: "sbc.example.com" },
    });
  });

  it("checks fields before sending", async () => {
    render(() => <RegistrarsPage pid="p1" />);
    await screen.findByRole("table", { name: "Registrars" });
    fireEvent.click(screen.getByRole("button", { name: "New registrar" }));
    const form = screen.getByRole("form", { name: "New registrar" });
    fireEvent.input(within(form).getByLabelText("Port"), { target: { value: "abc" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create registrar" }));
    expect(await within(form).findByText("must be a whole number")).toBeTruthy();
    expect(within(form).getAllByText("must not be empty")).toHaveLength(2);
    expect(fm.calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("CSV import: preview marks bad rows; the server's accounts.N errors land on their rows", async () => {
    post = (url) =>
      url === "/api/v1/projects/p1/registrars/g1/accounts"
        ? { status: 409, body: { error: { code: "CONFLICT", message: 'accounts.1.username: "2002" already exists', details: { issues: [{ path: "accounts.1.username", message: "already exists on this registrar" }] } } } }
        : undefined;
    render(() => <RegistrarsPage pid="p1" />);
    const panel = await screen.findByRole("region", { name: "SIP accounts of Built-in registrar" });
    await within(panel).findByRole("table", { name: "SIP accounts" });
    const csv = within(panel).getByLabelText("CSV");
    fireEvent.input(csv, { target: { value: "username,password\n1001,x\n2001,\n" } });
    fireEvent.click(within(panel).getByRole("button", { name: "Preview" }));
    const preview = await within(panel).findByRole("table", { name: "CSV preview" });
    expect(within(preview).getByText("username: already exists on this registrar")).toBeTruthy();
    expect(within(preview).getByText("password: must not be empty")).toBeTruthy();
    expect((within(panel).getByRole("button", { name: "Import 2 accounts" }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.input(csv, { target: { value: "2001,a\n2002,b,auth2,realm.example" } });
    fireEvent.click(within(panel).getByRole("button", { name: "Preview" }));
    fireEvent.click(await within(panel).findByRole("button", { name: "Import 2 accounts" }));
    const rows = await waitFor(() => {
      const r = within(within(panel).getByRole("table", { name: "CSV preview" })).getAllByRole("row").slice(1);
      expect(r[1]!.textContent).toContain("username: already exists on this registrar");
      return r;
    });
    expect(rows[0]!.textContent).toContain("OK");
    expect(within(panel).getByRole("alert").textContent).toMatch(/nothing was imported/);
    expect(fm.calls.find((c) => c.method === "POST")!.body).toEqual({
      accounts: [{ username: "2001", password: "a" }, { username: "2002", password: "b", authUsername: "auth2", realm: "realm.example" }],
    });
  });
});
