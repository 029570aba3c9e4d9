/**
 * The run page's endpoint list with 10,000 endpoints in real chromium. The dashboard is the built
 * one served by the stack; the run's REST answer and its live socket are synthetic (Playwright
 * route + routeWebSocket), so no agent has to run 10,000 phones. Checks: only the visible rows are
 * in the DOM, scrolling and the keyboard reach the last row, sort/filter/search work, a tick
 * recolours a row, and the phone layout does not scroll sideways. Screenshots at 1440×900 and
 * 390×844 go to .test-artifacts/pages/endpoints-10k-*.png.
 */
import { describe, expect, inject, it } from "vitest";
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENDPOINT_PHASES, type LiveEndpoint, type LiveRunState, type TestRun } from "../../protocol/index.js";
import { CHROMIUM_ARGS } from "../browser/run-page.js";

const ARTIFACTS = join(new URL("../..", import.meta.url).pathname, ".test-artifacts", "pages");
const RUN_ID = "run_synthetic10k";
const N = 10_000;

function endpoints(): LiveEndpoint[] {
  return Array.from({ length: N }, (_, i) => {
    const caller = i < N / 2;
    const failed = i % 101 === 0;
    return {
      id: `ep_${i}`, group: caller ? "callers" : "receivers", index: caller ? i : i - N / 2, username: String(100_000 + i), role: caller ? "CALLER" : "RECEIVER",
      phase: failed ? "CLOSED" : ENDPOINT_PHASES[2 + (i % 4)]!, outcome: failed ? "CALL_FAILED" : null, statusCode: failed ? 486 : null,
      mos: i % 9 === 0 ? null : Math.round((1 + ((i * 7919) % 3500) / 1000) * 100) / 100,
    };
  });
}

describe("endpoint list, 10,000 endpoints in chromium", () => {
  it("keeps the DOM small and stays usable with mouse, keyboard and on a phone", async () => {
    const base = inject("stackUrl").replace(/\/+$/, "");
    const pid = inject("stackProjectId");
    const eps = endpoints();
    const now = Date.now();
    const run: LiveRunState = {
      runId: RUN_ID, status: "RUNNING", reasonCode: null, reason: null, durationSec: 600, startedAt: now - 30_000, endedAt: null,
      phaseCounts: Object.fromEntries(ENDPOINT_PHASES.map((p) => [p, eps.filter((e) => e.phase === p).length])), outcomeCounts: { CALL_FAILED: eps.filter((e) => e.outcome).length },
    };
    const rest: TestRun = {
      id: RUN_ID, projectId: pid, testId: "tst_synthetic", testName: "Synthetic 10k", status: "RUNNING", reasonCode: null, reason: null, durationSec: 600,
      createdAt: new Date(now - 40_000).toISOString(), queuedAt: new Date(now - 35_000).toISOString(), startedAt: new Date(now - 30_000).toISOString(), endedAt: null, summary: null,
    };

    mkdirSync(ARTIFACTS, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), "ringfleet-chromium-"));
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    const live: { send: (msg: unknown) => void } = { send: () => undefined };
    try {
      await page.route(new RegExp(`/api/v1/projects/[^/]+/test-runs/${RUN_ID}(\\?.*)?$`), (route) =>
        route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ data: rest, meta: { requestId: "synthetic" } }) }),
      );
      await page.routeWebSocket(new RegExp(`/live/runs/${RUN_ID}`), (ws) => {
        ws.send(JSON.stringify({ v: 1, type: "snapshot", run, series: [], endpoints: eps }));
        live.send = (m) => ws.send(JSON.stringify(m));
      });
      const t0 = Date.now();
      await page.goto(`${base}/?token=${encodeURIComponent(inject("stackToken"))}#/projects/${encodeURIComponent(pid)}/runs/${RUN_ID}`, { waitUntil: "domcontentloaded" });
      const list = page.getByRole("table", { name: "Endpoint list" });
      await list.getByTestId("endpoint-row").first().waitFor();
      const firstRowsMs = Date.now() - t0;
      const rowCount = () => list.getByTestId("endpoint-row").count();
      expect(await page.getByTestId("endpoint-count").textContent()).toBe(String(N));
      expect(await rowCount()).toBeLessThan(100);
      expect(await list.getAttribute("aria-rowcount")).toBe(String(N + 1));

      // Scroll to the bottom: the last endpoint is drawn, the DOM stays small.
      const box = page.getByTestId("endpoint-scroll");
      await box.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await list.locator(`tr[data-endpoint-id="ep_${N - 1}"]`).waitFor();
      expect(await rowCount()).toBeLessThan(100);

      // Keyboard: Home, two down, Enter opens that endpoint.
      await box.focus();
      await page.keyboard.press("Home");
      await list.locator('tr[aria-current="true"][data-endpoint-id="ep_0"]').waitFor();
      await page.keyboard.press("PageDown");
      const afterPage = await list.locator('tr[aria-current="true"]').getAttribute("data-endpoint-id");
      expect(Number(afterPage!.slice(3))).toBeGreaterThan(5);
      await page.keyboard.press("End");
      await list.locator(`tr[aria-current="true"][data-endpoint-id="ep_${N - 1}"]`).waitFor(); // callers, then receivers
      await shoot();

      // Sort by MOS descending via the header; the first row has the highest MOS.
      await list.getByRole("button", { name: "Sort by MOS" }).click();
      await list.getByRole("button", { name: "Sort by MOS" }).click();
      expect(await list.getByRole("columnheader", { name: /MOS/ }).getAttribute("aria-sort")).toBe("descending");
      const maxMos = Math.max(...eps.filter((e) => e.mos !== null).map((e) => e.mos!));
      expect(Number(await list.getByTestId("endpoint-row").first().locator(`td[data-col="mos"]`).textContent())).toBeCloseTo(maxMos, 2);
      // Filter and search.
      await page.getByLabel("Filter by outcome").selectOption("CALL_FAILED");
      const failed = eps.filter((e) => e.outcome === "CALL_FAILED").length;
      await page.getByTestId("endpoint-count").getByText(`${failed} of ${N}`).waitFor();
      expect(await list.locator("tr.row-bad").count()).toBe(Math.min(failed, await rowCount()));
      await page.getByLabel("Filter by outcome").selectOption("");
      await page.getByRole("searchbox", { name: "Search endpoints" }).fill("107777");
      await page.getByTestId("endpoint-count").getByText(`1 of ${N}`).waitFor();
      await page.getByRole("searchbox", { name: "Search endpoints" }).fill("");

      // A tick changes one endpoint's phase: its row turns green without a reload.
      await page.getByLabel("Filter by group").selectOption("callers");
      await page.getByRole("button", { name: "Sort by Group" }).click();
      const target = list.locator('tr[data-endpoint-id="ep_1"]');
      await target.waitFor();
      expect(await target.getAttribute("class")).not.toContain("row-good");
      const tickAt = Date.now();
      live.send({ v: 1, type: "tick", run, aggregate: null, endpoints: [{ ...eps[1]!, phase: "INCALL" }] });
      await page.waitForFunction(() => document.querySelector('tr[data-endpoint-id="ep_1"]')?.className.includes("row-good"));
      const tickToScreenMs = Date.now() - tickAt;

      // Phone: one column, the list scrolls inside its box, the page does not scroll sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(250);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await rowCount()).toBeLessThan(100);
      // The MOS column is in view without scrolling the list sideways.
      const mosBox = await list.getByRole("columnheader", { name: /MOS/ }).boundingBox();
      expect(mosBox!.x + mosBox!.width).toBeLessThanOrEqual(390);
      console.log(`10k endpoint list: first rows after ${firstRowsMs} ms, tick to screen ${tickToScreenMs} ms`);
      expect(problems).toEqual([]);
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS, "endpoints-10k-failure.png"), fullPage: true }).catch(() => undefined);
      throw new Error(`${(e as Error).message}\n${problems.join("\n")}`, { cause: e });
    } finally {
      await ctx.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    }

    async function shoot() {
      for (const [w, h] of [[1440, 900], [390, 844]] as const) {
        await page.setViewportSize({ width: w, height: h });
        await page.waitForTimeout(250);
        await page.getByRole("region", { name: "Endpoints" }).scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(ARTIFACTS, `endpoints-10k-${w}x${h}.png`) });
      }
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
});
