/**
 * `npm run bench` part 3: the dashboard with a synthetic 10,000-endpoint run in Debian's chromium
 * (playwright-core). The built dashboard (web/dist) is served by a small static server; the API
 * and the run's live socket are synthetic (Playwright route + routeWebSocket), so what is measured
 * is the browser side: parsing a 10,000-endpoint snapshot, the run page, the virtual list, charts.
 *
 * Measures, each cold load in a fresh browser context:
 *  - first paint: the run page's first contentful paint (PerformanceObserver `paint`), from navigation start;
 *  - interactive list: from navigation start until the list shows its rows *and* has answered a key
 *    press (Home → the first row becomes current), checked every animation frame;
 * and, on one loaded page, tick-to-screen: from a tick message reaching the page (the WebSocket's
 * message event's data is read) until after the frame that draws its change (a row's MOS), over BENCH_TICKS
 * ticks (default 40), each tick changing 500 endpoints and adding an aggregate point.
 *
 * Goals (issue 7): first paint and interactive list < 2 s; tick-to-screen < 1 s.
 * Env: BENCH_DASHBOARD_LOADS (5), BENCH_TICKS (40), BENCH_ENDPOINTS (10000). Writes bench/results/dashboard.json.
 */
import { chromium, type Page } from "playwright-core";
import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, cpus, loadavg } from "node:os";
import { execFileSync } from "node:child_process";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { ENDPOINT_PHASES, type LiveAggregate, type LiveEndpoint, type LiveRunState, type Me, type TestRun } from "../protocol/index.js";
import { CHROMIUM_ARGS } from "../test/browser/run-page.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "web/dist");
const N = Number(process.env.BENCH_ENDPOINTS ?? 10_000);
const LOADS = Number(process.env.BENCH_DASHBOARD_LOADS ?? 5);
const TICKS = Math.max(30, Number(process.env.BENCH_TICKS ?? 40));
const CHANGES_PER_TICK = 500;
const GOALS = { firstPaintMs: 2000, interactiveListMs: 2000, tickToScreenMs: 1000 } as const;
const PID = "prj_bench";
const RUN_ID = "run_bench10k";

// ---- synthetic run ----------------------------------------------------------------------------
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
const eps = endpoints();
const startedAt = Date.now() - 60_000;
const runState = (): LiveRunState => ({
  runId: RUN_ID, status: "RUNNING", reasonCode: null, reason: null, durationSec: 600, startedAt, endedAt: null,
  phaseCounts: Object.fromEntries(ENDPOINT_PHASES.map((p) => [p, eps.filter((e) => e.phase === p).length])), outcomeCounts: { CALL_FAILED: eps.filter((e) => e.outcome).length },
});
const aggregate = (t: number): LiveAggregate => ({ t, mos: 4.1 + Math.sin(t / 7) * 0.2, jitter_ms: 8 + (t % 5), fraction_lost: 0.002, rtt_ms: 40 + (t % 9), reporting: N * 0.8 });
const series = Array.from({ length: 60 }, (_, i) => aggregate(Math.floor(startedAt / 1000) + i));
const restRun: TestRun = {
  id: RUN_ID, projectId: PID, testId: "tst_bench", testName: "Synthetic 10k", status: "RUNNING", reasonCode: null, reason: null, durationSec: 600,
  createdAt: new Date(startedAt - 5000).toISOString(), queuedAt: new Date(startedAt - 2000).toISOString(), startedAt: new Date(startedAt).toISOString(), endedAt: null, summary: null,
};
const me: Me = {
  user: { id: "usr_bench", email: "bench@ringfleet.local", name: "Bench" }, auth: "token", activeOrgId: "org_bench",
  orgs: [{ id: "org_bench", name: "Bench", role: "OWNER" }], projects: [{ id: PID, orgId: "org_bench", name: "Bench", slug: "bench", createdAt: restRun.createdAt }],
};

// ---- static server for web/dist ---------------------------------------------------------------
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json" };
function serveDist(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(DIST, path);
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    const a = server.address() as { port: number };
    resolve({ url: `http://127.0.0.1:${a.port}`, close: () => server.close() });
  }));
}

// ---- in-page probes ---------------------------------------------------------------------------
/** Installed before the dashboard's scripts: paint entries, message arrival times, the list's readiness. */
const PROBE = `
(() => {
  const b = (window.__bench = { fcp: null, rows: null, interactive: null, lastMsgAt: 0 });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === "first-contentful-paint") b.fcp = e.startTime; }).observe({ type: "paint", buffered: true });
  // Playwright's WebSocket routing replaces window.WebSocket, so note a tick's arrival where the
  // dashboard reads it: the first read of a message event's data.
  const seen = new WeakSet();
  const desc = Object.getOwnPropertyDescriptor(MessageEvent.prototype, "data");
  Object.defineProperty(MessageEvent.prototype, "data", {
    configurable: true,
    get() {
      const v = desc.get.call(this);
      if (!seen.has(this)) {
        seen.add(this);
        if (typeof v === "string" && v.startsWith('{"v":1,"type":"tick"')) b.lastMsgAt = performance.now();
      }
      return v;
    },
  });
  let pressed = false;
  const loop = () => {
    if (!pressed) {
      const row = document.querySelector('[data-testid="endpoint-row"]');
      const box = document.querySelector('[data-testid="endpoint-scroll"]');
      if (row && box) {
        b.rows = performance.now();
        pressed = true;
        box.focus();
        box.dispatchEvent(new KeyboardEvent("keydown", { key: "Home", bubbles: true, cancelable: true }));
      }
    } else if (document.querySelector('[data-testid="endpoint-scroll"] tr[aria-current="true"]')) {
      b.interactive = performance.now();
      return;
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
})();
`;

async function openRunPage(baseUrl: string, ctxDir: string) {
  const ctx = await chromium.launchPersistentContext(ctxDir, { executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 } });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  await page.addInitScript(PROBE);
  await page.route("**/api/v1/**", (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\/api\/v1/, "");
    let data: unknown = [];
    if (path === "/me") data = me;
    else if (path === "/projects") data = me.projects;
    else if (path === `/projects/${PID}/test-runs/${RUN_ID}`) data = restRun;
    else if (path === `/projects/${PID}/test-runs/${RUN_ID}/series`) data = [];
    // The run page fetches its test for the topology: two groups, as the synthetic endpoints have.
    else if (path.startsWith(`/projects/${PID}/tests/`) && !path.endsWith("/run"))
      data = {
        id: restRun.testId, projectId: PID, name: restRun.testName, description: "", durationSec: restRun.durationSec, buildupSec: 0, totalEndpoints: N,
        createdAt: restRun.createdAt, updatedAt: restRun.createdAt,
        groups: [...new Set(eps.map((e) => e.group))].map((g, i, all) => ({
          name: g, registrarId: "reg_bench", endpoints: eps.filter((e) => e.group === g).length, codec: "PCMU", srtp: "OFF", region: null, agents: null,
          callee: i === 0 && all[1] ? { type: "GROUP", group: all[1] } : { type: "RECEIVE" },
        })),
      };
    return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ data, meta: { requestId: "bench" } }) });
  });
  const live: { send: (m: unknown) => void } = { send: () => undefined };
  const snapshot = JSON.stringify({ v: 1, type: "snapshot", run: runState(), series, endpoints: eps });
  await page.routeWebSocket(/\/live\/runs\//, (ws) => {
    ws.send(snapshot);
    live.send = (m) => ws.send(JSON.stringify(m));
  });
  await page.goto(`${baseUrl}/?token=rf_bench#/projects/${PID}/runs/${RUN_ID}`, { waitUntil: "domcontentloaded" });
  await page.waitForFunction(() => (window as any).__bench?.interactive !== null && (window as any).__bench?.fcp !== null, null, { timeout: 30_000 });
  const b = (await page.evaluate(() => (window as any).__bench)) as { fcp: number; rows: number; interactive: number };
  const count = await page.getByTestId("endpoint-count").textContent();
  if (count !== String(N)) problems.push(`endpoint count shows ${count}, expected ${N}`);
  return { ctx, page, live, problems, firstPaintMs: b.fcp, rowsMs: b.rows, interactiveListMs: b.interactive };
}

/** In the page: resolves with ms from the next tick's arrival until after the frame that shows ep_1's MOS as `text`. */
const WAIT_FOR_ROW = `(text) => new Promise((resolve, reject) => {
  const start = window.__bench.lastMsgAt;
  const deadline = performance.now() + 10000;
  const check = () => {
    const b = window.__bench;
    const row = document.querySelector('tr[data-endpoint-id="ep_1"]');
    const shown = row ? row.querySelector('td[data-col="mos"]').textContent.trim() : null;
    if (b.lastMsgAt !== start && shown === text) {
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - b.lastMsgAt), 0));
      return;
    }
    if (performance.now() > deadline) return reject(new Error("tick MOS " + text + " not drawn (tick seen: " + (b.lastMsgAt !== start) + ", ep_1 MOS shown: " + shown + ")"));
    requestAnimationFrame(check);
  };
  check();
})`;

async function tickToScreen(page: Page, live: { send: (m: unknown) => void }): Promise<number[]> {
  const out: number[] = [];
  let t = Math.floor(Date.now() / 1000);
  for (let k = 0; k < TICKS; k++) {
    // ep_1 (in view at the top of the list) gets a new MOS each tick; 499 others change too.
    const mos = Math.round((2 + k / 100) * 100) / 100;
    const expected = mos.toFixed(2);
    const changed: LiveEndpoint[] = [{ ...eps[1]!, mos }];
    for (let j = 0; j < CHANGES_PER_TICK - 1; j++) {
      const i = 2 + ((k * 7919 + j * 104_729) % (N - 2));
      changed.push({ ...eps[i]!, phase: ENDPOINT_PHASES[2 + ((i + k) % 4)]!, mos: Math.round((3 + ((i + k) % 15) / 10) * 100) / 100 });
    }
    // A string, so the bundler's helpers (e.g. __name) do not leak into the page.
    const waiting = page.evaluate(`(${WAIT_FOR_ROW})(${JSON.stringify(expected)})`) as Promise<number>;
    await page.waitForTimeout(20);
    live.send({ v: 1, type: "tick", run: runState(), aggregate: aggregate(++t + 60), endpoints: changed });
    out.push(await waiting);
    await page.waitForTimeout(150);
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const r0 = (x: number) => Math.round(x);

// ---- main -------------------------------------------------------------------------------------
if (!existsSync(join(DIST, "index.html"))) {
  console.log("▶ building the dashboard (web/dist)");
  execFileSync("npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit" });
}
const server = await serveDist();
const loads: { firstPaintMs: number; rowsMs: number; interactiveListMs: number }[] = [];
const problems: string[] = [];
let ticks: number[] = [];
try {
  for (let i = 0; i < LOADS; i++) {
    const dir = mkdtempSync(join(tmpdir(), "ringfleet-bench-"));
    const r = await openRunPage(server.url, dir);
    try {
      loads.push({ firstPaintMs: r.firstPaintMs, rowsMs: r.rowsMs, interactiveListMs: r.interactiveListMs });
      console.log(`  load ${i + 1}/${LOADS}: first paint ${r0(r.firstPaintMs)} ms, rows ${r0(r.rowsMs)} ms, interactive ${r0(r.interactiveListMs)} ms`);
      if (i === LOADS - 1) {
        await r.page.waitForTimeout(500);
        try {
          ticks = await tickToScreen(r.page, r.live);
        } finally {
          if (r.problems.length) console.log(r.problems.slice(0, 5).join("\n"));
        }
      }
      problems.push(...r.problems);
      if (r.problems.length) console.log(r.problems.slice(0, 5).join("\n"));
    } finally {
      await r.ctx.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  server.close();
}

const median = (xs: number[]) => pct(xs, 50);
const fp = loads.map((l) => l.firstPaintMs);
const il = loads.map((l) => l.interactiveListMs);
const rows = [
  { what: "First paint of the run page (median of loads)", value: median(fp), worst: Math.max(...fp), goal: GOALS.firstPaintMs },
  { what: "Interactive endpoint list (median of loads)", value: median(il), worst: Math.max(...il), goal: GOALS.interactiveListMs },
  { what: `Tick-to-screen p50 (${ticks.length} ticks)`, value: pct(ticks, 50), worst: Math.max(...ticks), goal: GOALS.tickToScreenMs },
  { what: `Tick-to-screen p99 (${ticks.length} ticks)`, value: pct(ticks, 99), worst: Math.max(...ticks), goal: GOALS.tickToScreenMs },
];
const chromiumVersion = (() => {
  try {
    return execFileSync("/usr/bin/chromium", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "chromium";
  }
})();
console.log(`\nDashboard, ${N.toLocaleString("en")} endpoints, ${chromiumVersion}, ${cpus().length} CPUs (load ${loadavg()[0]!.toFixed(1)}), ${LOADS} cold loads\n`);
console.log(`${"measure".padEnd(48)} ${"value".padStart(8)} ${"worst".padStart(8)} ${"goal".padStart(8)}  ok`);
for (const r of rows) console.log(`${r.what.padEnd(48)} ${`${r0(r.value)} ms`.padStart(8)} ${`${r0(r.worst)} ms`.padStart(8)} ${`< ${r.goal / 1000} s`.padStart(8)}  ${r.value < r.goal ? "yes" : "NO"}`);
const ok = problems.length === 0 && rows.every((r) => r.value < r.goal);
const out = {
  when: new Date().toISOString(), browser: chromiumVersion, cpus: cpus().length, loadAverage1m: Math.round(loadavg()[0]! * 10) / 10, endpoints: N, loads: LOADS, changesPerTick: CHANGES_PER_TICK, goals: GOALS, ok, problems,
  firstPaintMs: { median: r0(median(fp)), max: r0(Math.max(...fp)), all: fp.map(r0) },
  interactiveListMs: { median: r0(median(il)), max: r0(Math.max(...il)), all: il.map(r0) },
  rowsDrawnMs: loads.map((l) => r0(l.rowsMs)),
  tickToScreenMs: { p50: r0(pct(ticks, 50)), p99: r0(pct(ticks, 99)), max: r0(Math.max(...ticks)), n: ticks.length, all: ticks.map((x) => Math.round(x * 10) / 10) },
};
mkdirSync(join(ROOT, "bench/results"), { recursive: true });
writeFileSync(join(ROOT, "bench/results/dashboard.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`\n${ok ? "✔ goals met" : "✖ goals not met"}${problems.length ? `; problems: ${problems.join("; ")}` : ""} — bench/results/dashboard.json`);
process.exit(ok ? 0 : 1);
