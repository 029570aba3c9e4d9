/**
 * Reading a run the way an engineer does, in a real browser: the run page's group breakdown
 * (live per-group counts and MOS, the test's topology) and, on an endpoint, charts that share one
 * cursor — hovering a second on one chart shows that second on every chart.
 */
import { describe, expect, inject, it } from "vitest";
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM_ARGS } from "../browser/run-page.js";
import { allEndpoints, call, waitForRun } from "./client.js";

describe("run insight in the browser", () => {
  it("shows the group breakdown and a shared cursor across an endpoint's charts", async () => {
    const base = inject("stackUrl").replace(/\/+$/, "");
    const pid = inject("stackProjectId");
    const rid = (await call("POST", `/projects/${pid}/tests/${inject("stackDemoTestId")}/run`, { durationSec: 8 })).body.data.testRunId;
    const run = await waitForRun(pid, rid, ["COMPLETED", "FAILED"], 90_000);
    expect(run.status).toBe("COMPLETED");
    const test = (await call("GET", `/projects/${pid}/tests/${inject("stackDemoTestId")}`)).body.data;
    const caller = (await allEndpoints(pid, rid)).find((e) => e.role === "CALLER");

    const profile = mkdtempSync(join(tmpdir(), "ringfleet-chromium-"));
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      page.setDefaultTimeout(15_000);
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${base}/?token=${encodeURIComponent(inject("stackToken"))}#/projects/${pid}/runs/${rid}`, { waitUntil: "domcontentloaded" });

      const groups = page.getByRole("table", { name: "Group breakdown" });
      for (const g of test.groups) {
        const row = groups.getByRole("row", { name: `Group ${g.name}` });
        await row.waitFor();
        // Every endpoint of the group is there, and the group's MOS is a number in the good range.
        expect(await row.locator('[data-label="Endpoints"]').textContent()).toBe(String(g.endpoints));
        expect(Number(await row.locator('[data-label="MOS"]').textContent())).toBeGreaterThan(4);
      }
      // The run's rates, from its summary once it has ended: every call answered, every endpoint registered.
      expect(await page.getByTestId("card-call-success").textContent()).toContain("100 %");
      expect(await page.getByTestId("card-registration-rate").textContent()).toContain("100 %");
      const callee = test.groups.find((g: any) => g.callee.type === "GROUP");
      await page.getByRole("img", { name: new RegExp(`Group topology: ${callee.name} calls ${callee.callee.group}`) }).waitFor();

      await page.goto(`${base}/?token=${encodeURIComponent(inject("stackToken"))}#/projects/${pid}/runs/${rid}/endpoints/${caller.id}`, { waitUntil: "domcontentloaded" });
      const charts = page.locator('[data-chart-group="endpoint-metrics"][data-state="ready"]');
      await charts.first().waitFor();
      expect(await charts.count()).toBeGreaterThanOrEqual(3);
      // Hover the middle of the first chart: the connected charts show their tooltip for the same second.
      const box = (await charts.nth(0).boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const tooltipOf = (i: number) => charts.nth(i).locator("xpath=..").locator("div").filter({ hasText: /:\d\d/ }).last();
      await expect.poll(async () => (await tooltipOf(1).isVisible()) && (await tooltipOf(2).isVisible()), { timeout: 5_000 }).toBe(true);
      const first = (await tooltipOf(0).textContent())!.match(/\d\d:\d\d:\d\d/)?.[0];
      const second = (await tooltipOf(1).textContent())!.match(/\d\d:\d\d:\d\d/)?.[0];
      expect(first).toBeTruthy();
      expect(second).toBe(first);
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
