/**
 * A stand-in for the edge while developing the dashboard: serves `web/dist`, a few `/api/v1`
 * routes with fake data and `/live/runs/{rid}` with a simulated run (snapshot, then a tick per
 * second). Not used by the real tests; `npx tsx test/browser/mock-stack.ts` or import it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import {
  ENDPOINT_PHASES,
  PROTOCOL_VERSION,
  type EndpointDetail,
  type EndpointPhase,
  type LiveAggregate,
  type LiveEndpoint,
  type LiveRunState,
  type Project,
  type RunStatus,
  type Test,
  type TestRun,
} from "../../protocol/index.js";

const DIST = new URL("../../web/dist/", import.meta.url).pathname;
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png" };

export interface MockStack {
  url: string;
  token: string;
  projectId: string;
  runId: string;
  close: () => Promise<void>;
}

export async function startMockStack(opts: { port?: number; endpoints?: number; durationSec?: number } = {}): Promise<MockStack> {
  const token = "rf_mocktoken";
  const projectId = "prj_demo";
  const testId = "tst_demo";
  const runId = "run_live";
  const n = opts.endpoints ?? 10;
  const durationSec = opts.durationSec ?? 30;
  const t0 = Date.now();
  let status: RunStatus = "RUNNING";
  let endedAt: number | null = null;
  const series: LiveAggregate[] = [];

  const eps: LiveEndpoint[] = Array.from({ length: n }, (_, i) => {
    const caller = i < n / 2;
    const idx = caller ? i : i - Math.ceil(n / 2);
    return {
      id: `ep_${i}`, group: caller ? "callers" : "receivers", index: idx, username: `${1000 + i}`,
      role: caller ? "CALLER" : "RECEIVER", phase: "INITIALIZING", outcome: null, statusCode: null, mos: null,
    };
  });
  const changed = new Set<string>();
  const setPhase = (e: LiveEndpoint, p: EndpointPhase) => {
    if (ENDPOINT_PHASES.indexOf(p) > ENDPOINT_PHASES.indexOf(e.phase)) {
      e.phase = p;
      changed.add(e.id);
    }
  };
  const step = () => {
    const sec = (Date.now() - t0) / 1000;
    eps.forEach((e, i) => {
      const at = sec - i * 0.7;
      if (at > 0) setPhase(e, "REGISTERED");
      if (at > 2) setPhase(e, e.role === "CALLER" ? "CALLING" : "RINGING");
      if (at > 3) setPhase(e, "NEGOTIATING");
      if (at > 4 && !(i === n - 1)) {
        setPhase(e, "INCALL");
        e.mos = 4.3 + Math.sin(sec + i) * 0.1;
        e.statusCode = 200;
        changed.add(e.id);
      }
      if (i === n - 1 && at > 5 && !e.outcome) {
        e.outcome = "CALL_FAILED";
        e.statusCode = 486;
        setPhase(e, "CLOSED");
        changed.add(e.id);
      }
      if (sec > durationSec && e.phase !== "CLOSED") {
        setPhase(e, "CLOSED");
        e.outcome = e.outcome ?? "SUCCESS";
      }
    });
    if (sec > durationSec && status === "RUNNING") {
      status = "COMPLETED";
      endedAt = Date.now();
    }
    const incall = eps.filter((e) => e.phase === "INCALL").length;
    if (incall > 0 && status === "RUNNING")
      series.push({
        t: Math.floor(Date.now() / 1000),
        mos: 4.2 + Math.sin(sec / 3) * 0.15,
        jitter_ms: 3 + Math.random() * 4,
        fraction_lost: Math.random() * 0.5,
        rtt_ms: 20 + Math.random() * 10,
        reporting: incall,
      });
  };
  const runState = (): LiveRunState => {
    const phaseCounts: Record<string, number> = {};
    const outcomeCounts: Record<string, number> = {};
    for (const e of eps) {
      phaseCounts[e.phase] = (phaseCounts[e.phase] ?? 0) + 1;
      if (e.outcome) outcomeCounts[e.outcome] = (outcomeCounts[e.outcome] ?? 0) + 1;
    }
    return { runId, status, reasonCode: null, reason: null, durationSec, startedAt: t0, endedAt, phaseCounts, outcomeCounts };
  };

  const project: Project = { id: projectId, orgId: "org_1", name: "Demo project", slug: "demo", createdAt: new Date(t0 - 86_400_000).toISOString() };
  const test: Test = {
    id: testId, projectId, name: "Demo: 5 callers → 5 receivers", description: "", durationSec, buildupSec: 0, totalEndpoints: n,
    createdAt: project.createdAt, updatedAt: project.createdAt,
    groups: [
      { name: "callers", registrarId: "reg_1", endpoints: n / 2, codec: "PCMU", callee: { type: "GROUP", group: "receivers" }, region: null },
      { name: "receivers", registrarId: "reg_1", endpoints: n / 2, codec: "PCMU", callee: { type: "RECEIVE" }, region: null },
    ],
  };
  const restRun = (): TestRun => {
    const s = runState();
    return {
      id: runId, projectId, testId, testName: test.name, status, reasonCode: null, reason: null, durationSec,
      createdAt: new Date(t0 - 2000).toISOString(), queuedAt: new Date(t0 - 1000).toISOString(), startedAt: new Date(t0).toISOString(),
      endedAt: endedAt ? new Date(endedAt).toISOString() : null,
      summary: status === "COMPLETED" ? {
        endpoints: n, phaseCounts: s.phaseCounts, outcomeCounts: s.outcomeCounts, groups: [], mos: 4.25, jitter_ms: 4.1, fraction_lost: 0.2, rtt_ms: 24,
        callSuccessRate: 90, registrationRate: 100, setupTimeMs: { p50: 40, p95: 80 },
      } : null,
    };
  };
  const oldRun: TestRun = {
    ...restRun(), id: "run_old", status: "CANNOT_RUN_FOR_NOW", reasonCode: "NO_ONLINE_AGENT",
    reason: "No agent is online. Start one with `ringfleet-agent --token …`.", startedAt: null, createdAt: new Date(t0 - 3_600_000).toISOString(), summary: null,
  };

  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, data: unknown) => send(res, 200, { data, meta: { requestId: "req_mock" } });
  const notFound = (res: ServerResponse, what: string) => send(res, 404, { error: { code: "NOT_FOUND", message: `${what} not found` } });

  const api = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: { code: "UNAUTHORIZED", message: "Missing or invalid API token." } });
    const p = path.replace(/^\/api\/v1/, "");
    const base = `/projects/${projectId}`;
    if (p === "/projects") return ok(res, [project]);
    if (p === `${base}/tests`) return ok(res, [test]);
    if (p === `${base}/tests/${testId}/run` && req.method === "POST") return send(res, 201, { data: { testRunId: runId, status: "PENDING" }, meta: { requestId: "r" } });
    if (p === `${base}/test-runs`) return ok(res, [restRun(), oldRun]);
    if (p === `${base}/test-runs/${runId}`) return ok(res, restRun());
    if (p === `${base}/test-runs/run_old`) return ok(res, oldRun);
    if (p === `${base}/test-runs/${runId}/stop` && req.method === "POST") {
      if (status === "RUNNING") setTimeout(() => ((status = "COMPLETED"), (endedAt = Date.now())), 3000), (status = "STOPPING");
      return ok(res, restRun());
    }
    const m = p.match(new RegExp(`^${base}/test-runs/${runId}/endpoints/(.+)$`));
    if (m) {
      const e = eps.find((x) => x.id === m[1]);
      if (!e) return notFound(res, "endpoint");
      const now = Math.floor(Date.now() / 1000);
      const detail: EndpointDetail = {
        ...e, runId, agentId: "agt_1", statusText: e.statusCode === 200 ? "OK" : null,
        timings: { time_to_register_ms: 12, registration_expires_s: 3600, time_to_trying_ms: 3, time_to_ringing_ms: 9, post_dial_delay_ms: 9, call_setup_time_ms: 31, final_status_code: 200 },
        metrics: { mos: e.mos ?? 0 },
        series: Array.from({ length: 20 }, (_, k) => ({ t: now - 20 + k, m: { mos: 4.3, r_factor: 92, jitter_ms: 2 + k % 3, rtt_ms: 20 + k, fraction_lost: 0, packets_lost: 0, packets_sent: 50 * k, packets_received: 49 * k, bytes_sent: 8600 * k, bytes_received: 8400 * k } })),
        trace: [
          { t: t0 + 10, dir: "out", remote: "UDP 127.0.0.1:5060", text: `REGISTER sip:ringfleet.local SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK1\r\nCSeq: 1 REGISTER\r\n\r\n` },
          { t: t0 + 14, dir: "in", remote: "UDP 127.0.0.1:5060", text: `SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm="ringfleet"\r\n\r\n` },
          { t: t0 + 22, dir: "out", remote: "UDP 127.0.0.1:5060", text: `INVITE sip:2000@ringfleet.local SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\nv=0\r\n` },
          { t: t0 + 60, dir: "in", remote: "UDP 127.0.0.1:5060", text: `SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n` },
        ],
      };
      return ok(res, detail);
    }
    if (p.startsWith(`${base}/test-runs/${runId}/endpoints`)) return send(res, 200, { data: [], meta: { requestId: "r", pagination: { page: 1, perPage: 25, total: 0 } } });
    return notFound(res, "route");
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname.startsWith("/api/")) return api(req, res, url.pathname);
    let file = normalize(join(DIST, url.pathname));
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  const wss = new WebSocketServer({ noServer: true });
  const viewers = new Set<WebSocket>();
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== `/live/runs/${runId}` || url.searchParams.get("token") !== token) {
      socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      viewers.add(ws);
      ws.on("close", () => viewers.delete(ws));
      ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: "snapshot", run: runState(), series, endpoints: eps }));
    });
  });
  const timer = setInterval(() => {
    step();
    const msg = JSON.stringify({
      v: PROTOCOL_VERSION, type: "tick", run: runState(), aggregate: series[series.length - 1] ?? null,
      endpoints: eps.filter((e) => changed.has(e.id)),
    });
    changed.clear();
    for (const v of viewers) v.send(msg);
  }, 1000);
  await new Promise<void>((r) => server.listen(opts.port ?? 0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`, token, projectId, runId,
    close: async () => {
      clearInterval(timer);
      for (const v of viewers) v.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startMockStack({ port: Number(process.env.PORT ?? 8790), durationSec: Number(process.env.DURATION ?? 120) });
  console.log(`${s.url}/?token=${s.token}#/projects/${s.projectId}/runs/${s.runId}`);
}
