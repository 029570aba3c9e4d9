/**
 * Fleet-scale benchmark of the edge (issue "Runs at fleet scale"): synthetic agents that speak
 * the real wire protocol (no SIP) connect to a real workerd (wrangler dev) + sqld. Default: 50
 * agents × 200 endpoints, one frame per agent per second, for 120 s, with 20 dashboard viewers.
 * Prints the run object's processing time per frame (agent send → ack, p50/p99), the lag from an
 * agent's send to the viewers' receipt (p50/p99), overall and per phase (ramp, steady, stop),
 * ingest rate, and workerd's memory. The agents behave as real ones do: registrations spread over
 * the test's buildup (each spec's startDelayMs), CLOSED once after the stop, then "done".
 *
 *   bun bench/fleet/fleet-scale.ts            (env: FLEET_AGENTS, FLEET_ENDPOINTS_PER_AGENT, FLEET_SECONDS, FLEET_VIEWERS,
 *                                              FLEET_BUILDUP_SEC (10), FLEET_DETAIL=0 for key metrics only,
 *                                              FLEET_INSPECTOR_PORT to profile the Worker per phase)
 */
import WebSocket from "ws";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack } from "../../scripts/stack.js";
import { freeTcpPort, freeUdpPort } from "../../test/support/ports.js";
import { SyntheticAgent, seqResidueFromProbeMos } from "./synthetic-agent.js";
import { startEdgeProfile } from "./profile-edge.js";
import type { ViewerReport, ViewerStart } from "./viewers-worker.js";
import { busyPerSecond, topFrames } from "../prof-top.js";

const AGENTS = Number(process.env.FLEET_AGENTS ?? 50);
const PER_AGENT = Number(process.env.FLEET_ENDPOINTS_PER_AGENT ?? 200);
const SECONDS = Number(process.env.FLEET_SECONDS ?? 120);
const VIEWERS = Number(process.env.FLEET_VIEWERS ?? 20);
const TOTAL = AGENTS * PER_AGENT;
/** The test's buildup: registrations spread over it, as a user ramping 10,000 endpoints would (0 = all at once). */
const BUILDUP = Number(process.env.FLEET_BUILDUP_SEC ?? 10);

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const countCodes = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");

/** CPU seconds (user + system) used so far by every workerd process: robust to a busy machine, unlike latency. */
function workerdCpuSec(): number {
  const hz = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      /* process gone */
    }
  }
  return ticks / hz;
}

/** RSS of every workerd process (the Worker and its Durable Objects run there). */
function workerdRssMb(): number {
  let kb = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {
      /* process gone */
    }
  }
  return kb / 1024;
}

const dir = mkdtempSync(join(tmpdir(), "ringfleet-fleetbench-"));
const stack = await startStack({
  dir, dbPort: await freeTcpPort(), edgePort: await freeTcpPort(), registrarPort: await freeUdpPort(),
  agent: false, registrar: false, accounts: 1, log: (l) => console.log(l),
  edgeArgs: process.env.FLEET_INSPECTOR_PORT ? ["--inspector-port", process.env.FLEET_INSPECTOR_PORT] : [],
});
const H = { authorization: `Bearer ${stack.token}`, "content-type": "application/json" };
const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${stack.url}/api/v1${path}`, { method, headers: H, body: body ? JSON.stringify(body) : undefined });
  const j = (await r.json()) as any;
  if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(j)}`);
  return j.data;
};

try {
  console.log(`▶ registrar with ${TOTAL} accounts, test ${TOTAL / 2} → ${TOTAL / 2}, ${AGENTS} synthetic agents`);
  const reg = await api("POST", `/projects/${stack.projectId}/registrars`, { name: "bench", domain: "bench.invalid", transport: "UDP" });
  for (let i = 0; i < TOTAL; i += 5000)
    await api("POST", `/projects/${stack.projectId}/registrars/${reg.id}/accounts`, {
      accounts: Array.from({ length: Math.min(5000, TOTAL - i) }, (_, k) => ({ username: `u${i + k}`, password: "x" })),
    });
  const test = await api("POST", `/projects/${stack.projectId}/tests`, {
    name: "fleet bench", durationSec: Math.max(5, SECONDS), buildupSec: BUILDUP,
    groups: [
      { name: "A", registrarId: reg.id, endpoints: TOTAL / 2, callee: { type: "GROUP", group: "B" }, region: "bench" },
      { name: "B", registrarId: reg.id, endpoints: TOTAL / 2, callee: { type: "RECEIVE" }, region: "bench" },
    ],
  });
  const agents = Array.from({ length: AGENTS }, (_, i) => new SyntheticAgent(stack.url, stack.agentToken, `agt_bench_${i}`, PER_AGENT, PER_AGENT));
  await Promise.all(agents.map((a) => a.ready()));
  const memBefore = workerdRssMb();

  const runId = (await api("POST", `/projects/${stack.projectId}/tests/${test.id}/run`, {})).testRunId;
  const probeOwner = new Map<string, SyntheticAgent>();
  const viewerLags: number[] = [];
  /** performance.now() of the frame each viewer lag was measured for (same order as viewerLags). */
  const viewerLagSentAt: number[] = [];
  let ticks = 0;
  const shown = new Set<string>();
  // Viewers run on their own thread; probe sightings come back with an epoch receipt time.
  const viewerThread = new Worker(new URL("./viewers-worker.ts", import.meta.url).href);
  const viewersOpen = new Promise<void>((resolve) => {
    viewerThread.onmessage = (ev: MessageEvent<ViewerReport>) => {
      const r = ev.data;
      if (r.type === "open") return resolve();
      ticks += r.ticks;
      for (const [viewer, id, mos, atEpoch] of r.seen) {
        const agent = probeOwner.get(id) ?? agents.find((a) => (a as any).endpoints[0]?.id === id);
        if (!agent) continue;
        probeOwner.set(id, agent);
        const at = atEpoch - performance.timeOrigin; // this thread's performance.now() clock
        // The newest frame this agent had sent by then whose seq has the probe's residue is the one shown.
        const residue = seqResidueFromProbeMos(mos);
        let seq = agent.stats.framesSent;
        while (seq > 0 && (seq % 16 !== residue || (agent.stats.sentAt.get(seq) ?? Infinity) > at)) seq--;
        const sent = agent.stats.sentAt.get(seq);
        // A row is re-sent when something else about it changes (its phase at the stop, say) with
        // the same mos: only the first time a viewer sees a frame's value counts as its lag.
        const key = `${viewer}:${id}:${seq}`;
        if (sent === undefined || seq <= 0 || shown.has(key)) continue;
        shown.add(key);
        viewerLags.push(at - sent);
        viewerLagSentAt.push(sent);
      }
    };
  });
  const viewerUrl = new URL(`/live/runs/${runId}?token=${stack.token}`, stack.url);
  viewerUrl.protocol = "ws:";
  viewerThread.postMessage({ url: viewerUrl.href, count: VIEWERS } satisfies ViewerStart);
  if (VIEWERS > 0) await viewersOpen;

  const cpuBefore = workerdCpuSec();
  const profiler = process.env.FLEET_INSPECTOR_PORT ? await startEdgeProfile(Number(process.env.FLEET_INSPECTOR_PORT)) : null;
  const started = Date.now();
  const startedPerf = performance.now();
  let stopPerf = Infinity;
  let peakMem = memBefore;
  while (Date.now() - started < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 5000));
    peakMem = Math.max(peakMem, workerdRssMb());
    const sent = agents.reduce((n, a) => n + a.stats.framesSent, 0);
    console.log(`  t+${Math.round((Date.now() - started) / 1000)} s: ${sent} frames sent, ${agents.reduce((n, a) => n + a.stats.ackLatenciesMs.length, 0)} acked, workerd ${peakMem.toFixed(0)} MB`);
    if ((await api("GET", `/projects/${stack.projectId}/test-runs/${runId}`)).status === "COMPLETED") break;
  }
  const cpuUsed = workerdCpuSec() - cpuBefore;
  // Stop the run: agents close their endpoints, the run completes.
  stopPerf = performance.now();
  await api("POST", `/projects/${stack.projectId}/test-runs/${runId}/stop`, {}).catch(() => undefined);
  let finalStatus = "";
  for (let i = 0; i < 60 && finalStatus !== "COMPLETED"; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    finalStatus = (await api("GET", `/projects/${stack.projectId}/test-runs/${runId}`)).status;
  }
  console.log(`  run ${finalStatus} after stop`);
  // The ramp ends once every endpoint of every agent is in its call (receivers register over the
  // buildup, then callers over theirs), plus 2 s.
  const allInCall = agents.map((a) => a.stats.allInCallAt);
  const steadyFrom = allInCall.every((x) => x !== null) ? Math.max(...(allInCall as number[])) + 2000 : startedPerf + (2 * BUILDUP + 5) * 1000;
  if (profiler) {
    // The profile spans the whole run including its stop, so the start and stop bursts show.
    const file = join(tmpdir(), `fleet-edge-${Date.now()}.cpuprofile`);
    await profiler.stop(file);
    const busy = busyPerSecond(file);
    console.log(`edge CPU profile ${file}\n  busy ms per second: ${busy.join(" ")}`);
    const windows: [string, [number, number]][] = [["ramp", [0, steadyFrom - startedPerf]], ["steady", [steadyFrom - startedPerf, stopPerf - startedPerf]], ["stop", [stopPerf - startedPerf, 1e9]]];
    for (const [name, w] of windows) {
      const top = topFrames(file, 12, w);
      console.log(`  ${name}: ${top.totalMs} ms sampled`);
      for (const x of top.self) console.log(`    ${x.selfPct.toFixed(1).padStart(5)} %  ${x.frame}`);
    }
  }
  const acks = agents.flatMap((a) => a.stats.ackLatenciesMs);
  const ackSentAt = agents.flatMap((a) => a.stats.ackSentAt);
  // Phases by when the frame was sent: the ramp (registrations over the buildup, then every call's
  // setup), steady state, and the stop (every endpoint closes, the run completes and is written).
  const phaseOf = (sentAt: number) => (sentAt < steadyFrom ? "ramp" : sentAt < stopPerf ? "steady" : "stop");
  const byPhase = (values: number[], sentAt: number[]) => {
    const out: Record<string, { p50: number; p99: number; n: number }> = {};
    for (const ph of ["ramp", "steady", "stop"]) {
      const xs = values.filter((_, i) => phaseOf(sentAt[i]!) === ph);
      out[ph] = { p50: pct(xs, 50), p99: pct(xs, 99), n: xs.length };
    }
    return out;
  };
  const ackByPhase = byPhase(acks, ackSentAt);
  const lagByPhase = byPhase(viewerLags, viewerLagSentAt);
  const steadyAcks = acks.filter((_, i) => phaseOf(ackSentAt[i]!) === "steady");
  const framesSent = agents.reduce((n, a) => n + a.stats.framesSent, 0);
  // Where the slow acks (> 250 ms) fall in time: a periodic stall (flushes, checkpoints) shows as
  // evenly spaced clusters; GC or contention as scattered singles.
  const runStart = startedPerf;
  const slowBySecond = new Map<number, { n: number; worst: number }>();
  for (const a of agents)
    a.stats.ackLatenciesMs.forEach((ms, i) => {
      if (ms <= 250) return;
      const sec = Math.floor((a.stats.ackSentAt[i]! - runStart) / 1000);
      const b = slowBySecond.get(sec) ?? { n: 0, worst: 0 };
      slowBySecond.set(sec, { n: b.n + 1, worst: Math.max(b.worst, ms) });
    });
  const slowTimeline = [...slowBySecond.entries()].sort((x, y) => x[0] - y[0]).map(([sec, b]) => `${sec}s:${b.n}×≤${Math.round(b.worst)}ms`);
  console.log(`  slow acks (> 250 ms) by second of sending: ${slowTimeline.join(" ") || "none"}`);
  const slowLags = new Map<number, { n: number; worst: number }>();
  viewerLags.forEach((ms, i) => {
    if (ms <= 250) return;
    const sec = Math.floor((viewerLagSentAt[i]! - runStart) / 1000);
    const b = slowLags.get(sec) ?? { n: 0, worst: 0 };
    slowLags.set(sec, { n: b.n + 1, worst: Math.max(b.worst, ms) });
  });
  console.log(`  slow viewer updates (> 250 ms) by second of sending: ${[...slowLags.entries()].sort((x, y) => x[0] - y[0]).map(([sec, b]) => `${sec}s:${b.n}×≤${Math.round(b.worst)}ms`).join(" ") || "none"}`);
  const elapsed = (Date.now() - started) / 1000;
  const result = {
    agents: AGENTS, endpointsPerAgent: PER_AGENT, detailMetrics: process.env.FLEET_DETAIL !== "0", endpoints: TOTAL, seconds: SECONDS, viewers: VIEWERS,
    framesSent, framesAcked: acks.length,
    endpointSecondsPerSecond: Math.round((acks.length * PER_AGENT) / elapsed),
    // Steady state: every endpoint in its call, each frame carries all of its agent's endpoints.
    steadyEndpointSecondsPerSecond: Math.round((steadyAcks.length * PER_AGENT) / Math.max(1, (stopPerf - steadyFrom) / 1000)),
    ackMs: { p50: pct(acks, 50), p99: pct(acks, 99), max: Math.max(...acks) },
    buildupSec: BUILDUP,
    steadyAckMs: { p50: pct(steadyAcks, 50), p99: pct(steadyAcks, 99), frames: steadyAcks.length },
    ackMsByPhase: ackByPhase,
    viewerLagMsByPhase: lagByPhase,
    viewerLagMs: { p50: pct(viewerLags, 50), p99: pct(viewerLags, 99), samples: viewerLags.length },
    ticksPerViewer: Math.round(ticks / Math.max(1, VIEWERS)),
    workerdRssMb: { before: Math.round(memBefore), peak: Math.round(peakMem) },
    workerdCpuSecPer10kEndpointSeconds: Number(((cpuUsed / Math.max(1, acks.length * PER_AGENT)) * 10_000).toFixed(3)),
    runSocketCloses: agents.reduce((n, a) => n + a.stats.closes.length, 0),
    framesResent: agents.reduce((n, a) => n + a.stats.resent, 0),
    slowAckTimeline: slowTimeline,
  };
  const closeCodes = countCodes(agents.flatMap((a) => a.stats.closes.map((c) => `${c.code} ${c.reason}`)));
  console.log(`
Fleet scale — ${AGENTS} agents × ${PER_AGENT} endpoints, ${VIEWERS} viewers, ${SECONDS} s, buildup ${BUILDUP} s${process.env.FLEET_DETAIL !== "0" ? ", detail metrics in every sample" : ""}
| metric | value |
|---|---|
| frames sent / acknowledged | ${framesSent} / ${acks.length} |
| endpoint-seconds ingested per second, whole run (ramp and stop included) / steady state | ${result.endpointSecondsPerSecond} / ${result.steadyEndpointSecondsPerSecond} |
| run object per frame (send → ack) p50 / p99 / max | ${f(result.ackMs.p50)} / ${f(result.ackMs.p99)} / ${f(result.ackMs.max)} ms |
${["ramp", "steady", "stop"].map((ph) => `| same, ${ph === "ramp" ? `ramp (until every call is up + 2 s: ${((steadyFrom - startedPerf) / 1000).toFixed(0)} s)` : ph === "steady" ? "steady state" : "stop (frames sent after the stop request)"} p50 / p99 | ${f(ackByPhase[ph]!.p50)} / ${f(ackByPhase[ph]!.p99)} ms (${ackByPhase[ph]!.n} frames) |`).join("\n")}
| agent send → viewer receipt p50 / p99 | ${f(result.viewerLagMs.p50)} / ${f(result.viewerLagMs.p99)} ms (${viewerLags.length} samples) |
| same, ramp / steady / stop p99 | ${f(lagByPhase.ramp!.p99)} / ${f(lagByPhase.steady!.p99)} / ${f(lagByPhase.stop!.p99)} ms |
| workerd CPU-s per 10,000 endpoint-seconds (1.0 = one core saturated at 10 k endpoints) | ${result.workerdCpuSecPer10kEndpointSeconds} |
| workerd RSS before / peak | ${result.workerdRssMb.before} / ${result.workerdRssMb.peak} MB |
| run-socket closes (agents rejoined) / frames resent | ${result.runSocketCloses} ${JSON.stringify(closeCodes)} / ${result.framesResent} |
`);
  const out = new URL("../results/", import.meta.url).pathname;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "fleet-scale.json"), JSON.stringify(result, null, 2));
  viewerThread.postMessage("close");
  setTimeout(() => viewerThread.terminate(), 500);
  for (const a of agents) a.close();
} finally {
  await stack.stop();
  if (process.env.FLEET_KEEP_LOGS) console.log(`logs kept in ${dir}/logs`);
  else rmSync(dir, { recursive: true, force: true });
}
