/**
 * Browser helper for the end-to-end test (not a test file): opens a run page in Debian's chromium,
 * samples the phase counts and the aggregate chart's point count for ~10 s without reloading, then
 * saves screenshots at 390×844 and 1440×900.
 *
 * Relies on the dashboard's stable hooks:
 *  - `[data-testid="phase-count-<PHASE>"]` for every phase in ENDPOINT_PHASES, text = the count
 *    (inside an element with aria-label "<PHASE>: <count>");
 *  - `[data-testid="aggregate-chart"]` with `data-points` = points in the chart's series and
 *    `data-state` = loading | ready | failed (ECharts is lazy-loaded).
 */
import { chromium, type Page } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENDPOINT_PHASES } from "../../protocol/index.js";

export interface WatchRunPageOptions {
  baseUrl: string;
  token: string;
  projectId: string;
  runId: string;
  artifactsDir: string;
  /** How long to sample (default 10 s) and how often (default 1 s). */
  durationMs?: number;
  intervalMs?: number;
}

export interface WatchRunPageResult {
  phaseCountsSeen: Record<string, number>[];
  chartPointsSeen: number[];
  screenshots: string[];
}

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function runPageUrl(baseUrl: string, token: string, projectId: string, runId: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}/?token=${encodeURIComponent(token)}#/projects/${encodeURIComponent(projectId)}/runs/${encodeURIComponent(runId)}`;
}

async function sample(page: Page): Promise<{ phases: Record<string, number>; points: number }> {
  return page.evaluate((phases: string[]) => {
    const counts: Record<string, number> = {};
    for (const p of phases) {
      const el = document.querySelector(`[data-testid="phase-count-${p}"]`);
      const n = el ? Number(el.textContent?.trim()) : NaN;
      if (Number.isFinite(n)) counts[p] = n;
    }
    const chart = document.querySelector('[data-testid="aggregate-chart"]');
    const points = Number(chart?.getAttribute("data-points") ?? "0");
    return { phases: counts, points: Number.isFinite(points) ? points : 0 };
  }, [...ENDPOINT_PHASES]);
}

export async function watchRunPage(opts: WatchRunPageOptions): Promise<WatchRunPageResult> {
  const durationMs = opts.durationMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 1_000;
  mkdirSync(opts.artifactsDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "ringfleet-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  const problems: string[] = [];
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
    });
    await page.goto(runPageUrl(opts.baseUrl, opts.token, opts.projectId, opts.runId), { waitUntil: "domcontentloaded" });
    try {
      await page.locator('[data-testid="phase-count-INCALL"]').waitFor({ state: "attached", timeout: 30_000 });
      await page.locator('[data-testid="aggregate-chart"]').waitFor({ state: "attached", timeout: 10_000 });
    } catch (e) {
      const shot = join(opts.artifactsDir, "run-page-failed.png");
      await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
      throw new Error(`run page did not render (screenshot ${shot}): ${(e as Error).message}\n${problems.join("\n")}`);
    }

    const phaseCountsSeen: Record<string, number>[] = [];
    const chartPointsSeen: number[] = [];
    const deadline = Date.now() + durationMs;
    for (;;) {
      const s = await sample(page);
      phaseCountsSeen.push(s.phases);
      chartPointsSeen.push(s.points);
      if (Date.now() + intervalMs > deadline) break;
      await page.waitForTimeout(intervalMs);
    }

    const screenshots: string[] = [];
    const shoot = async (name: string, width: number, height: number) => {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(600); // chart resize + layout
      const viewport = join(opts.artifactsDir, `run-page-${name}-${width}x${height}.png`);
      await page.screenshot({ path: viewport });
      const full = join(opts.artifactsDir, `run-page-${name}-${width}x${height}-full.png`);
      await page.screenshot({ path: full, fullPage: true });
      screenshots.push(viewport, full);
    };
    await shoot("desktop", 1440, 900);
    await shoot("mobile", 390, 844);
    if (problems.length) console.warn(`[watchRunPage] browser reported:\n${problems.join("\n")}`);
    return { phaseCountsSeen, chartPointsSeen, screenshots };
  } finally {
    await ctx.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
}
