/**
 * The dashboard's management flow in a real browser against the real stack: sign-in with email and
 * password (a wrong one first), the org and project switchers, registrar CRUD with
 * messages beside fields, CSV import with preview and per-row errors, a two-group test built in the
 * editor (with its topology), run → live run page → endpoint SIP ladder and pcap → endpoint list
 * search/sort/filter/keyboard → run history → a second run, stopped → comparison with the first;
 * agents and tokens; sign out (the session is revoked). Screenshots of every page at 390×844 and 1440×900 go to .test-artifacts/pages/.
 */
import { describe, expect, inject, it } from "vitest";
import { chromium, type Page } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENDPOINT_PHASES } from "../../protocol/index.js";
import { CHROMIUM_ARGS } from "../browser/run-page.js";
import { call } from "./client.js";

const ARTIFACTS = join(new URL("../..", import.meta.url).pathname, ".test-artifacts", "pages");
const SIZES = [
  [1440, 900],
  [390, 844],
] as const;

async function shoot(page: Page, name: string): Promise<void> {
  for (const [w, h] of SIZES) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${w}x${h}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function phaseCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate((phases: string[]) => {
    const out: Record<string, number> = {};
    for (const p of phases) {
      const n = Number(document.querySelector(`[data-testid="phase-count-${p}"]`)?.textContent?.trim());
      if (Number.isFinite(n)) out[p] = n;
    }
    return out;
  }, [...ENDPOINT_PHASES]);
}

describe("dashboard management flow", () => {
  it("sign in with email + password → registrar + CSV import → two-group test → run → live page → endpoint ladder + pcap → endpoint list → run history → second run stopped → comparison; agents; tokens", async () => {
    const base = inject("stackUrl").replace(/\/+$/, "");
    const pid = inject("stackProjectId");
    const suffix = Date.now().toString(36);
    const registrars = (await call("GET", `/projects/${pid}/registrars`)).body.data as { id: string; name: string; domain: string; port: number | null; builtin: boolean }[];
    const builtin = registrars.find((r) => r.builtin)!;
    expect(builtin).toBeTruthy();

    mkdirSync(ARTIFACTS, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), "ringfleet-chromium-"));
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    try {
      // ---- sign in the way a person does: email + password (a wrong password first)
      await page.goto(`${base}/#/`, { waitUntil: "domcontentloaded" });
      const signIn = page.getByRole("form", { name: "Sign in" });
      await signIn.getByLabel("Email").fill(inject("stackAdminEmail"));
      await signIn.getByLabel("Password").fill("not the password");
      await signIn.getByRole("button", { name: "Sign in" }).click();
      await signIn.getByRole("alert").getByText("Email or password is incorrect.").waitFor();
      await shoot(page, "sign-in-error");
      await signIn.getByLabel("Password").fill(inject("stackAdminPassword"));
      await signIn.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Tests", level: 1 }).waitFor();
      const cookie = (await ctx.cookies(base)).find((c) => c.name === "rf_session")!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
      expect(await page.evaluate(() => localStorage.getItem("ringfleet.token"))).toBeNull();
      // The header's switchers: the local org and its project.
      const orgSwitch = page.getByRole("combobox", { name: "Organisation" });
      expect(await orgSwitch.locator("option:checked").textContent()).toBe("Local");
      expect(await page.getByRole("combobox", { name: "Project" }).inputValue()).toBe(pid);
      // A reload keeps the session.
      await page.reload({ waitUntil: "domcontentloaded" });
      await page.getByRole("heading", { name: "Tests", level: 1 }).waitFor();
      await page.locator(".test-card").first().waitFor();
      await shoot(page, "home");

      // ---- registrars: create with field errors, CSV preview with per-row errors, import, delete
      const nav = page.getByRole("navigation", { name: "Main" });
      await nav.getByRole("link", { name: "Registrars" }).click();
      await page.getByRole("table", { name: "Registrars" }).getByText("Built-in registrar").waitFor();
      await page.getByRole("button", { name: "New registrar" }).click();
      const regForm = page.getByRole("form", { name: "New registrar" });
      const regName = `E2E registrar ${suffix}`;
      await regForm.getByLabel("Name", { exact: true }).fill(regName);
      await regForm.getByLabel("Domain").fill("sip://bad host");
      await regForm.getByLabel("Port", { exact: true }).fill("70000");
      await regForm.getByRole("button", { name: "Create registrar" }).click();
      await regForm.getByText("must be a host name or IP address without scheme or port").waitFor();
      await regForm.getByText("must be a port number from 1 to 65535").waitFor();
      expect(await regForm.getByLabel("Domain").getAttribute("aria-invalid")).toBe("true");
      await shoot(page, "registrar-form-errors");
      await regForm.getByLabel("Domain").fill(builtin.domain);
      await regForm.getByLabel("Port", { exact: true }).fill(String(builtin.port ?? ""));
      await regForm.getByRole("button", { name: "Create registrar" }).click();
      await page.getByRole("table", { name: "Registrars" }).getByRole("button", { name: `Show accounts of ${regName}` }).waitFor();
      const accounts = page.getByRole("region", { name: `SIP accounts of ${regName}` });
      await accounts.getByText("No accounts yet").waitFor();

      await accounts.getByLabel("CSV", { exact: true }).fill("username,password\n7001,pw-a\n7002,\nbad user,x\n7001,dup\n");
      await accounts.getByRole("button", { name: "Preview" }).click();
      const preview = accounts.getByRole("table", { name: "CSV preview" });
      await preview.waitFor();
      expect(await preview.locator("tbody tr").count()).toBe(4);
      await accounts.getByText("4 rows, 3 with errors").waitFor();
      await preview.getByText("password: must not be empty").waitFor();
      await preview.getByText("username: duplicate of line 2").waitFor();
      await preview.getByText(/username: may contain only SIP user characters/).waitFor();
      expect(await accounts.getByRole("button", { name: /^Import \d+ accounts?$/ }).isDisabled()).toBe(true);
      await shoot(page, "registrars-csv-preview");

      await accounts.getByLabel("CSV", { exact: true }).fill("7001,pw-a\n7002,pw-b,auth7002\n7003,pw-c,,example.test\n");
      await accounts.getByRole("button", { name: "Preview" }).click();
      await accounts.getByText("3 rows, all valid").waitFor();
      await accounts.getByRole("button", { name: "Import 3 accounts" }).click();
      await accounts.getByText("Imported 3 accounts.").waitFor();
      const accTable = accounts.getByRole("table", { name: "SIP accounts" });
      for (const u of ["7001", "7002", "7003"]) await accTable.getByRole("cell", { name: u, exact: true }).waitFor();
      // An import that names an existing user is refused before it is sent.
      await accounts.getByLabel("CSV", { exact: true }).fill("7003,again\n7004,new\n");
      await accounts.getByRole("button", { name: "Preview" }).click();
      await accounts.getByRole("table", { name: "CSV preview" }).getByText("username: already exists on this registrar").waitFor();
      const created = (await call("GET", `/projects/${pid}/registrars`)).body.data.find((r: { name: string }) => r.name === regName);
      expect(created).toMatchObject({ domain: builtin.domain, port: builtin.port, transport: "UDP", accountCount: 3 });
      await shoot(page, "registrars");

      await page.getByRole("button", { name: `Edit registrar ${regName}` }).click();
      const editForm = page.getByRole("form", { name: `Edit registrar ${regName}` });
      expect(await editForm.getByLabel("Domain").inputValue()).toBe(builtin.domain);
      await editForm.getByLabel("Transport").selectOption("TCP");
      await editForm.getByRole("button", { name: "Save registrar" }).click();
      await editForm.waitFor({ state: "detached" });
      await page.getByRole("table", { name: "Registrars" }).getByRole("row", { name: new RegExp(regName) }).getByRole("cell", { name: "TCP" }).waitFor();
      await page.getByRole("button", { name: `Delete registrar ${regName}` }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete registrar" }).click();
      await page.getByRole("table", { name: "Registrars" }).getByText(regName).waitFor({ state: "detached" });

      // ---- a two-group test in the editor
      await nav.getByRole("link", { name: "Tests" }).click();
      await page.getByRole("link", { name: "New test" }).first().click();
      const testForm = page.getByRole("form", { name: "New test" });
      await testForm.waitFor();
      const testName = `Dashboard flow ${suffix}`;
      await testForm.getByLabel("Test name").fill(testName);
      await testForm.getByLabel("Call duration (s)").fill("8");
      const g1 = testForm.getByRole("group", { name: "Group 1", exact: true });
      const g2 = testForm.getByRole("group", { name: "Group 2", exact: true });
      expect(await g1.getByLabel("Registrar").inputValue()).toBe(builtin.id);
      expect(await g2.getByLabel("Callee", { exact: true }).inputValue()).toBe("RECEIVE");
      await g1.getByLabel("Endpoints").fill("0");
      await testForm.getByRole("button", { name: "Create test" }).click();
      await g1.getByText("must be at least 1").waitFor();
      await g1.getByLabel("Endpoints").fill("2");
      await g1.getByText("must be at least 1").waitFor({ state: "detached" });
      // Topology follows the edits: rename the receivers, the arrow follows.
      await g2.getByLabel("Group name").fill("answerers");
      expect(await g1.getByLabel("Group to call").inputValue()).toBe("answerers");
      const topo = page.getByTestId("topology");
      await topo.locator('[data-testid="topology-node"][data-title="answerers"]').waitFor();
      expect(await topo.getAttribute("data-edges")).toBe("1");
      expect(await topo.locator("svg").getAttribute("aria-label")).toBe("Group topology: callers calls answerers");
      await shoot(page, "test-new");
      await testForm.getByRole("button", { name: "Create test" }).click();
      await page.getByRole("heading", { name: `Test: ${testName}` }).waitFor();
      expect(page.url()).toMatch(/#\/projects\/[^/]+\/tests\/[^/]+$/);
      const testId = decodeURIComponent(page.url().split("/tests/")[1]!);
      const saved = (await call("GET", `/projects/${pid}/tests/${testId}`)).body.data;
      expect(saved).toMatchObject({ name: testName, durationSec: 8, totalEndpoints: 4 });
      expect(saved.groups.map((g: { name: string; callee: unknown; registrarId: string }) => [g.name, g.callee, g.registrarId])).toEqual([
        ["callers", { type: "GROUP", group: "answerers" }, builtin.id],
        ["answerers", { type: "RECEIVE" }, builtin.id],
      ]);

      // ---- run it and watch it live
      await page.getByRole("button", { name: "Run test" }).click();
      await page.waitForURL(/\/runs\/[^/]+$/);
      const runId = decodeURIComponent(page.url().split("/runs/")[1]!);
      await page.locator('[data-testid="phase-count-INCALL"]').waitFor({ state: "attached", timeout: 20_000 });
      const seen = new Set<string>();
      let inCall = false;
      for (let i = 0; i < 25 && !inCall; i++) {
        const c = await phaseCounts(page);
        seen.add(JSON.stringify(c));
        inCall = (c.INCALL ?? 0) === 4;
        if (!inCall) await page.waitForTimeout(500);
      }
      expect(inCall, `phase counts seen: ${[...seen].join(" ")}`).toBe(true);
      expect(seen.size).toBeGreaterThan(1);
      await shoot(page, "run-live");
      await page.locator('[data-testid="run-status"][data-status="COMPLETED"]').first().waitFor({ timeout: 40_000 });
      const end = await phaseCounts(page);
      seen.add(JSON.stringify(end));
      expect(end.CLOSED).toBe(4);
      await shoot(page, "run-completed");

      // ---- an endpoint and its SIP trace, then back
      await page.getByRole("table", { name: "Endpoint list" }).getByRole("link").first().click();
      const trace = page.getByRole("region", { name: "SIP trace" });
      await trace.waitFor();
      await trace.locator("summary", { hasText: "REGISTER " }).first().waitFor();
      await trace.locator("summary", { hasText: "SIP/2.0 200" }).first().waitFor();
      // The call timeline beside the other side's (a cross-group call): both saw INVITE, 200, BYE and its 200.
      const timeline = page.getByRole("region", { name: "Call timeline" });
      const pairTimeline = timeline.getByTestId("timeline-pair");
      await pairTimeline.waitFor();
      for (const tl of [timeline.getByTestId("timeline-self"), pairTimeline])
        for (const step of [/^INVITE: \d{4}-/, /^200 OK \(INVITE\): \d{4}-/, /^BYE: \d{4}-/, /^200 OK \(BYE\): \d{4}-/]) await tl.getByRole("listitem", { name: step }).waitFor();
      await shoot(page, "endpoint");
      // The ladder: one button per message; tapping one shows the whole message, SDP included.
      const ladder = page.getByRole("region", { name: "SIP ladder" });
      const arrows = ladder.getByRole("button", { name: /^(REGISTER|INVITE|ACK|BYE|\d{3} .*) [→←] \S+ at \+\d+\.\d{3} s/ });
      expect(await arrows.count()).toBe(await trace.locator("li.trace-entry").count());
      await ladder.getByRole("button", { name: /^REGISTER → \S+ at \+0\.000 s$/ }).click();
      await ladder.getByRole("region", { name: "SIP message" }).getByText(/^REGISTER sip:/).waitFor();
      const invite = ladder.getByRole("button", { name: /^INVITE [→←] \S+ at \+\d+\.\d{3} s, with SDP/ }).first();
      await invite.scrollIntoViewIfNeeded();
      await invite.click();
      const message = ladder.getByRole("region", { name: "SIP message" });
      await message.getByText(/m=audio \d+ RTP\/AVP/).waitFor();
      await shoot(page, "endpoint-ladder");
      // On a phone the ladder scrolls inside its box; the page itself does not scroll sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await ladder.getByRole("button", { name: /^INVITE/ }).first().click();
      await message.waitFor();
      await page.setViewportSize({ width: 1440, height: 900 });
      // The pcap download opens in tshark with the SIP methods in the order of the trace.
      const [download] = await Promise.all([page.waitForEvent("download"), trace.getByRole("button", { name: /^Download SIP trace of .+ as pcap$/ }).click()]);
      const pcapFile = join(ARTIFACTS, "endpoint-trace.pcap");
      await download.saveAs(pcapFile);
      const decoded = execFileSync("tshark", ["-r", pcapFile, "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .trim().split("\n").map((l) => l.split("\t").filter(Boolean)[0]);
      const firstLines = await trace.locator(".trace-line").allTextContents();
      expect(decoded).toEqual(firstLines.map((l) => (/^SIP\/2\.0 (\d{3})/.exec(l)?.[1] ?? l.split(" ")[0])));
      expect(decoded[0]).toBe("REGISTER");
      await page.goBack();
      await page.locator('[data-testid="run-status"][data-status="COMPLETED"]').first().waitFor();

      // ---- the endpoint list: search by account, sort by a metric (aria-sort), filter by group
      const list = page.getByRole("table", { name: "Endpoint list" });
      const rowsIn = () => list.getByTestId("endpoint-row");
      expect(await rowsIn().count()).toBe(4);
      const firstUser = (await rowsIn().first().getByRole("link").textContent())!.trim();
      await page.getByRole("searchbox", { name: "Search endpoints" }).fill(firstUser);
      await page.getByTestId("endpoint-count").getByText("1 of 4").waitFor();
      await page.getByRole("searchbox", { name: "Search endpoints" }).fill("");
      const mosHeader = list.getByRole("columnheader", { name: /MOS/ });
      expect(await mosHeader.getAttribute("aria-sort")).toBe("none");
      await list.getByRole("button", { name: "Sort by MOS" }).click();
      expect(await mosHeader.getAttribute("aria-sort")).toBe("ascending");
      await list.getByRole("button", { name: "Sort by MOS" }).click();
      expect(await mosHeader.getAttribute("aria-sort")).toBe("descending");
      const mosValues = (await rowsIn().locator(`td[data-col="mos"]`).allTextContents()).map(Number).filter((v) => Number.isFinite(v));
      expect(mosValues).toEqual([...mosValues].sort((a, b) => b - a));
      await page.getByLabel("Filter by group").selectOption("answerers");
      await page.getByTestId("endpoint-count").getByText("2 of 4").waitFor();
      // Keyboard: focus the list, move down, open the endpoint with Enter.
      await page.getByRole("region", { name: /^Endpoint rows, 2\./ }).focus();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      await page.getByRole("region", { name: "SIP ladder" }).waitFor();
      await page.goBack();
      await page.locator('[data-testid="run-status"][data-status="COMPLETED"]').first().waitFor();

      // ---- the run is in the test's run history
      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: `Test ${testName}` }).click();
      const history = page.getByRole("table", { name: "Run history" });
      await history.locator(`tr[data-run-id="${runId}"]`).waitFor();
      await shoot(page, "test-edit");

      // ---- a second run, stopped early; then compare it with the first
      await page.getByRole("button", { name: "Run test" }).click();
      await page.waitForURL((u) => /\/runs\/[^/]+$/.test(u.hash) && !u.hash.endsWith(encodeURIComponent(runId)));
      const runId2 = decodeURIComponent(page.url().split("/runs/")[1]!);
      for (let i = 0; i < 40; i++) {
        if (((await phaseCounts(page)).INCALL ?? 0) === 4) break;
        await page.waitForTimeout(500);
      }
      await page.waitForTimeout(2_000); // a few seconds of media
      await page.getByRole("button", { name: "Stop", exact: true }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Stop run" }).click();
      await page.locator('[data-testid="run-status"][data-status="COMPLETED"]').first().waitFor({ timeout: 40_000 });
      for (const r of [runId, runId2]) {
        for (let i = 0; i < 40; i++) {
          if (((await call("GET", `/projects/${pid}/test-runs/${r}/series`)).body.data as unknown[]).length > 0) break;
          await page.waitForTimeout(250);
        }
      }
      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: `Test ${testName}` }).click();
      await history.locator(`tr[data-run-id="${runId2}"]`).waitFor();
      await history.locator(`tr[data-run-id="${runId}"]`).getByRole("button", { name: /^Baseline: / }).click();
      await history.locator(`tr[data-run-id="${runId2}"]`).getByRole("link", { name: /with the baseline$/ }).waitFor();
      await history.locator(`tr[data-run-id="${runId}"]`).getByRole("checkbox").check();
      await history.locator(`tr[data-run-id="${runId2}"]`).getByRole("checkbox").check();
      await shoot(page, "run-history");
      await page.getByRole("button", { name: "Compare selected runs" }).click();
      await page.getByRole("heading", { name: "Compare runs", level: 1 }).waitFor();
      expect(page.url()).toContain(`/compare/${encodeURIComponent(runId)}/${encodeURIComponent(runId2)}`);
      await page.getByRole("article", { name: new RegExp(`^Baseline: run ${runId.slice(-6)}$`) }).waitFor();
      await page.getByRole("article", { name: new RegExp(`^Compared run: run ${runId2.slice(-6)}$`) }).waitFor();
      const deltas = page.getByRole("table", { name: "Deltas against the baseline" });
      expect(await deltas.locator("tbody tr").count()).toBe(7);
      for (const v of await deltas.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-verdict"))))
        expect(["regression", "improvement", "same", "unknown"]).toContain(v);
      await page.locator('[data-testid="compare-chart-mos"][data-state="ready"]').waitFor();
      expect(Number(await page.getByTestId("compare-chart-mos").getAttribute("data-points"))).toBeGreaterThan(0);
      await shoot(page, "compare");
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Test", exact: true }).click();
      await history.waitFor();

      // ---- delete the test: gone from the list, its run stays reachable
      await page.getByRole("button", { name: "Delete test" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete test" }).click();
      await page.getByRole("heading", { name: "Tests", level: 1 }).waitFor();
      await page.locator(".test-card").first().waitFor();
      expect(await page.getByRole("article", { name: `Test ${testName}` }).count()).toBe(0);
      expect((await call("GET", `/projects/${pid}/test-runs/${runId}`)).status).toBe(200);

      // ---- agents
      await nav.getByRole("link", { name: "Agents" }).click();
      const agents = page.getByRole("table", { name: "Agents" });
      await agents.locator('[data-status="ONLINE"]').first().waitFor();
      await shoot(page, "agents");

      // ---- tokens: an agent token, its secret once with the run command, then revoke it
      await nav.getByRole("link", { name: "API tokens" }).click();
      const tokName = `e2e agent ${suffix}`;
      const tokForm = page.getByRole("form", { name: "Create token" });
      await tokForm.getByLabel("Token name").fill(tokName);
      await tokForm.getByLabel("Kind").selectOption("agent");
      await tokForm.getByRole("button", { name: "Create token" }).click();
      const secret = (await page.getByTestId("token-secret").textContent())!.trim();
      expect(secret.length).toBeGreaterThan(20);
      await page.getByLabel("Region for the run command").fill("eu-test");
      expect((await page.getByTestId("agent-command").textContent())!.trim()).toBe(`ringfleet-agent --server ${new URL(base).origin} --token ${secret} --region eu-test`);
      await page.getByRole("button", { name: "Copy run command" }).waitFor();
      await shoot(page, "tokens-created");
      await page.getByRole("button", { name: "I have copied it" }).click();
      await page.getByTestId("token-secret").waitFor({ state: "detached" });
      await page.getByRole("button", { name: `Revoke token ${tokName}` }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
      await page.getByRole("button", { name: `Revoke token ${tokName}` }).waitFor({ state: "detached" });
      const tok = (await call("GET", "/tokens")).body.data.find((t: { name: string }) => t.name === tokName);
      expect(tok).toMatchObject({ kind: "agent" });
      expect(tok.revokedAt).toBeTruthy();
      await shoot(page, "tokens");

      // ---- sign out: back to the form; the old cookie no longer works
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("form", { name: "Sign in" }).waitFor();
      await expect.poll(async () => (await fetch(`${base}/api/v1/me`, { headers: { cookie: `rf_session=${cookie.value}` } })).status).toBe(401);
      await page.reload({ waitUntil: "domcontentloaded" });
      await page.getByRole("form", { name: "Sign in" }).waitFor();
      await shoot(page, "sign-in");
      expect(problems).toEqual([]);
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS, "failure.png"), fullPage: true }).catch(() => undefined);
      throw new Error(`${(e as Error).message}\n${problems.join("\n")}`, { cause: e });
    } finally {
      await ctx.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
