import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import type { Me } from "../../../protocol/index.js";
import { ORG_KEY, PROJECT_KEY, activeOrgId, activeProjectId, authHeaders, chooseOrg, chooseProject, setMe, signOut } from "../lib/auth.js";
import { currentRoute } from "../lib/router.js";
import { apiGet } from "../lib/api.js";
import { fakeFetch, ok } from "../test/fakes.js";
import { Switchers } from "./Switchers.js";

const at = "2026-01-01T00:00:00Z";
const ME: Me = {
  user: { id: "u1", email: "a@b.test", name: "A" }, auth: "session", activeOrgId: "o1",
  orgs: [{ id: "o1", name: "Acme", role: "OWNER" }, { id: "o2", name: "Beta", role: "VIEWER" }],
  projects: [
    { id: "p1", orgId: "o1", name: "Trunks", slug: "trunks", createdAt: at },
    { id: "p2", orgId: "o1", name: "WebRTC", slug: "webrtc", createdAt: at },
    { id: "p3", orgId: "o2", name: "Beta main", slug: "main", createdAt: at },
  ],
};
const select = (name: string) => screen.getByRole("combobox", { name }) as unknown as HTMLSelectElement;
const optionTexts = (s: HTMLSelectElement) => [...s.options].map((o) => o.textContent);

beforeEach(() => {
  signOut(null, { remote: false });
  chooseOrg("o1");
  chooseProject("p1");
  localStorage.clear();
  window.location.hash = "#/";
  setMe(ME);
});
afterEach(() => {
  cleanup();
  setMe(null);
  vi.unstubAllGlobals();
});

describe("org and project switchers", () => {
  it("lists the user's orgs with roles and the active org's projects", () => {
    render(() => <Switchers />);
    expect(optionTexts(select("Organisation"))).toEqual(["Acme (owner)", "Beta (viewer)"]);
    expect(select("Organisation").value).toBe("o1");
    expect(optionTexts(select("Project"))).toEqual(["Trunks", "WebRTC"]);
    expect(select("Project").value).toBe("p1");
  });

  it("switching org shows its projects, remembers the choice and sends it with API calls", async () => {
    render(() => <Switchers />);
    fireEvent.change(select("Organisation"), { target: { value: "o2" } });
    expect(activeOrgId()).toBe("o2");
    expect(localStorage.getItem(ORG_KEY)).toBe("o2");
    expect(optionTexts(select("Project"))).toEqual(["Beta main"]);
    expect(activeProjectId()).toBe("p3");
    expect(authHeaders()).toEqual({ "x-ringfleet-org": "o2" });
    const fm = fakeFetch((m, url) => (url === "/api/v1/projects" ? ok([]) : undefined));
    vi.stubGlobal("fetch", fm.fn);
    await apiGet("/projects");
    expect(fm.calls[0]!.headers["x-ringfleet-org"]).toBe("o2");
  });

  it("switching project remembers it and keeps the registrars section", async () => {
    window.location.hash = "#/projects/p1/registrars";
    await vi.waitFor(() => expect(currentRoute().name).toBe("registrars"));
    render(() => <Switchers />);
    fireEvent.change(select("Project"), { target: { value: "p2" } });
    expect(localStorage.getItem(PROJECT_KEY)).toBe("p2");
    expect(window.location.hash).toBe("#/projects/p2/registrars");
    await vi.waitFor(() => expect(select("Project").value).toBe("p2"));
    expect(localStorage.getItem(PROJECT_KEY)).toBe("p2");
  });

  it("a link to another org's project switches to that org", async () => {
    render(() => <Switchers />);
    window.location.hash = "#/projects/p3/runs/r1";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    await vi.waitFor(() => expect(activeOrgId()).toBe("o2"));
    expect(select("Organisation").value).toBe("o2");
    expect(select("Project").value).toBe("p3");
  });
});
