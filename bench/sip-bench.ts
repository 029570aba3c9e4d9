/**
 * `npm run bench` part 1: SIPp vs Ringfleet's SIP stack as load generators against the same
 * Kamailio (test/fixtures/kamailio, 1024 MB shared memory), on 127.0.0.1 only.
 *
 * Scenarios, each at every rate of BENCH_RATES for BENCH_SECONDS (default 200,500,1000 /s × 20 s):
 *  - register: REGISTER → 401 → REGISTER (digest) → 200
 *  - call:     INVITE → 407 → ACK, INVITE (digest) → 100/180/200 → ACK → BYE → 200
 * The callee of both generators' calls is the same SIPp UAS (bench/sipp/uas.xml), whose AoRs are
 * registered with a separate SIPp instance (bench/sipp/register.xml, contact = the UAS's port):
 * so both generators' figures are UAC-only and the far end is identical.
 *
 * Per run: achieved rate, failures, retransmissions, generator CPU-s per 1,000 operations (SIPp:
 * the whole sipp process via bash `times`; ours: process.cpuUsage() over the load phase, whole
 * process reported too), and Kamailio's CPU (all its processes, /proc) separately.
 * Results: bench/results/sip.json and bench/results/sip.md (markdown table for the README).
 *
 * Env: BENCH_RATES, BENCH_SECONDS, BENCH_SCENARIOS (register,call), BENCH_GENERATORS (sipp,ours),
 * BENCH_RUNTIME (bun|node: runtime of our generator, default bun = what the agent ships on),
 * BENCH_SETTLE (s between runs, default 6: Kamailio keeps finished transactions ~5 s),
 * BENCH_PROFILE=1 (our generator under node --cpu-prof; top frames printed and saved), BENCH_PROFILE=bun
 * (the same under bun --cpu-prof: what the agent ships on, JavaScriptCore's sampler), BENCH_PERF=<dir>
 * (our generator on bun under `perf record -g`, perf-<scenario>-<rate>.data in <dir>).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startKamailio, type KamailioHandle } from "../test/support/kamailio.js";
import { freeUdpPort } from "../test/support/ports.js";
import type { LoadConfig, LoadResult } from "./load.js";
import { topFrames } from "./prof-top.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");
const RESULTS = join(HERE, "results");
const SIPP = "/usr/bin/sipp";
/**
 * SIPp's default socket buffers are 64 KB (our sockets get the kernel default, 208 KB, and there
 * are hundreds of them): with a busy CPU SIPp then drops datagrams and retransmits. 1 MB each.
 */
const SIPP_BUF = ["-buff_size", "1048576"];

const env = process.env;
const rates = (env.BENCH_RATES ?? "200,500,1000").split(",").map(Number).filter((x) => x > 0);
const seconds = Number(env.BENCH_SECONDS ?? 20);
const scenarios = (env.BENCH_SCENARIOS ?? "register,call").split(",") as ("register" | "call")[];
const generators = (env.BENCH_GENERATORS ?? "sipp,ours").split(",");
const runtime = env.BENCH_RUNTIME ?? "bun";
const settleS = Number(env.BENCH_SETTLE ?? 6);
const profileBun = env.BENCH_PROFILE === "bun";
const profile = env.BENCH_PROFILE === "1" || profileBun;
/** BENCH_PERF=<dir>: our generator (bun) runs under `perf record -g` (one perf.data per run in <dir>). */
const perfDir = env.BENCH_PERF;

// Accounts in Kamailio's subscriber table.
const range = (prefix: number, n: number) => Array.from({ length: n }, (_, i) => ({ username: String(prefix + i), password: `pw-${prefix + i}` }));
const REG_ACCOUNTS = range(100000, 500);
const CALLERS = range(200000, 100);
const CALLEES = range(300000, 20);

interface GenResult {
  generator: "sipp" | "ours";
  scenario: string;
  targetRate: number;
  attempted: number;
  ok: number;
  failed: number;
  retransmissions: number;
  elapsedS: number;
  achievedRate: number;
  /** Generator CPU (user+sys) in seconds; per 1,000 successful operations. */
  cpuS: number;
  cpuPer1000: number;
  /** Whole generator process including start-up (for ours: module load and UA sockets). */
  processCpuS: number;
  kamailioCpuS: number;
  kamailioCpuPer1000: number;
  perSecond: number[];
  detail?: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** utime+stime (s) of a process and all its direct children (Kamailio forks its workers). */
function treeCpuS(pid: number): number {
  let ticks = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      if (Number(d) === pid || Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // process ended meanwhile
    }
  }
  return ticks / 100; // CLK_TCK = 100 on Linux x86-64
}

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Children's user+sys seconds from bash `times` (the wrapped command's whole process). */
  childCpuS: number;
}

/**
 * Runs `cmd args` under `bash -c '…; times'` so its exact CPU (rusage of the reaped child) is
 * known; killed (by its PID, process group) after timeoutMs.
 */
function runTimed(cmd: string, args: string[], timeoutMs: number, opts: { cwd?: string; quietStdout?: boolean } = {}): Promise<Spawned> {
  const script = opts.quietStdout ? '"$@" >/dev/null; rc=$?; times >&2; exit $rc' : '"$@"; rc=$?; times >&2; exit $rc';
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script, "bash", cmd, ...args], { cwd: opts.cwd ?? ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 1_000_000) stderr += d.toString();
    });
    const t = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(t);
      // `times` prints two lines: the shell's own user/sys, then its children's.
      const m = [...stderr.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)];
      const last = m[m.length - 1];
      const childCpuS = last ? Number(last[1]) * 60 + Number(last[2]) + Number(last[3]) * 60 + Number(last[4]) : NaN;
      resolve({ code, stdout, stderr, childCpuS });
    });
  });
}

function writeCsv(path: string, rows: string[][]): void {
  writeFileSync(path, "SEQUENTIAL\n" + rows.map((r) => r.join(";") + ";").join("\n") + "\n");
}

/**
 * SIPp's -trace_stat CSV: the cumulative columns of its last line, the per-period successes, and
 * the elapsed time at the first line that shows the final success count (1 s resolution).
 */
function readSippStats(path: string): { last: Record<string, string>; perSecond: number[]; lastSuccessS: number } {
  if (!existsSync(path)) return { last: {}, perSecond: [], lastSuccessS: NaN };
  const lines = readFileSync(path, "utf8").trim().split("\n");
  const head = lines[0].split(";");
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(";").map((v, i) => [head[i], v])));
  const last = rows[rows.length - 1] ?? {};
  const final = last["SuccessfulCall(C)"];
  const firstFinal = rows.find((r) => r["SuccessfulCall(C)"] === final);
  return { last, perSecond: rows.map((r) => Number(r["SuccessfulCall(P)"] ?? 0)), lastSuccessS: sippDuration(firstFinal?.["ElapsedTime(C)"]) };
}

/** "HH:MM:SS:mmm" or "HH:MM:SS:uuuuuu" → seconds. */
function sippDuration(v: string | undefined): number {
  if (!v) return NaN;
  const [h, m, s, frac = "0"] = v.split(":");
  return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(`0.${frac}`);
}

async function runSipp(k: KamailioHandle, scenario: "register" | "call", rate: number, work: string): Promise<GenResult> {
  const port = await freeUdpPort();
  const csv = join(work, `sipp-${scenario}.csv`);
  if (scenario === "register") writeCsv(csv, REG_ACCOUNTS.map((a) => [a.username, a.password, `127.0.0.1:${port}`]));
  else writeCsv(csv, CALLERS.map((a, i) => [a.username, a.password, CALLEES[i % CALLEES.length].username]));
  const stf = join(work, `sipp-${scenario}-${rate}.csv`);
  rmSync(stf, { force: true });
  const total = Math.round(rate * seconds);
  const args = [
    `127.0.0.1:${k.port}`, "-sf", join(HERE, "sipp", scenario === "register" ? "register.xml" : "uac-auth.xml"),
    "-inf", csv, "-i", "127.0.0.1", "-p", String(port), "-t", "u1",
    "-r", String(rate), "-rp", "1000", "-m", String(total), "-l", "10000",
    "-trace_stat", "-stf", stf, "-fd", "1",
    "-timeout", `${Math.ceil(seconds * 1.5 + 40)}s`, "-recv_timeout", "32000", "-nostdin", ...SIPP_BUF,
  ];
  const c0 = treeCpuS(k.pid);
  const r = await runTimed(SIPP, args, (seconds * 1.5 + 60) * 1000, { cwd: work, quietStdout: true });
  const kcpu = treeCpuS(k.pid) - c0;
  const { last, perSecond, lastSuccessS } = readSippStats(stf);
  const ok = Number(last["SuccessfulCall(C)"] ?? 0);
  const failed = Number(last["FailedCall(C)"] ?? 0);
  // Like ours: from the start to the last success (failures that time out later do not stretch it).
  const elapsedS = lastSuccessS;
  if (!ok) process.stderr.write(`sipp ${scenario} @${rate}: exit ${r.code}, no successes\n${r.stderr.slice(-2000)}\n`);
  return {
    generator: "sipp", scenario, targetRate: rate,
    attempted: Number(last["OutgoingCall(C)"] ?? total),
    ok, failed: failed + Math.max(0, total - ok - failed),
    retransmissions: Number(last["Retransmissions(C)"] ?? 0),
    elapsedS: r3(elapsedS), achievedRate: Math.round((ok / elapsedS) * 10) / 10,
    cpuS: r3(r.childCpuS), cpuPer1000: ok ? r3((r.childCpuS / ok) * 1000) : NaN, processCpuS: r3(r.childCpuS),
    kamailioCpuS: r3(kcpu), kamailioCpuPer1000: ok ? r3((kcpu / ok) * 1000) : NaN,
    perSecond: perSecond.slice(0, Math.ceil(elapsedS) + 1),
    detail: { exitCode: r.code, totalElapsedS: sippDuration(last["ElapsedTime(C)"]) },
  };
}

async function runOurs(k: KamailioHandle, scenario: "register" | "call", rate: number, work: string): Promise<GenResult> {
  const cfg: LoadConfig = {
    mode: scenario, rate, seconds, server: { host: "127.0.0.1", port: k.port }, domain: "127.0.0.1",
    accounts: scenario === "register" ? REG_ACCOUNTS : CALLERS,
    callees: CALLEES.map((a) => a.username),
  };
  const load = join(HERE, "load.ts");
  let cmd: string, args: string[];
  if (profileBun) {
    cmd = bunBinary();
    args = ["--cpu-prof", "--cpu-prof-dir", join(work, `prof-${scenario}-${rate}`), load, JSON.stringify(cfg)];
  } else if (profile || runtime === "node") {
    // Node runs a plain-JS bundle (no TS loader in the process, and profile lines that mean something).
    const bundle = join(work, "load.mjs");
    if (!existsSync(bundle)) {
      const b = await runTimed(bunBinary(), ["build", load, "--target=node", "--format=esm", "--outfile", bundle], 60_000);
      if (b.code !== 0) throw new Error(`bundling bench/load.ts failed: ${b.stderr}`);
    }
    cmd = process.execPath;
    args = [...(profile ? ["--cpu-prof", "--cpu-prof-dir", join(work, `prof-${scenario}-${rate}`)] : []), bundle, JSON.stringify(cfg)];
  } else if (perfDir) {
    mkdirSync(perfDir, { recursive: true });
    cmd = "perf";
    args = ["record", "-F", "1999", "-g", "-o", join(perfDir, `perf-${scenario}-${rate}.data`), "--", bunBinary(), load, JSON.stringify(cfg)];
  } else {
    cmd = bunBinary();
    args = [load, JSON.stringify(cfg)];
  }
  const c0 = treeCpuS(k.pid);
  const r = await runTimed(cmd, args, (seconds * 1.5 + 60) * 1000);
  const kcpu = treeCpuS(k.pid) - c0;
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`our generator failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
  const res = JSON.parse(line.slice(7)) as LoadResult;
  let prof: unknown;
  if (profile) {
    const dir = join(work, `prof-${scenario}-${rate}`);
    const f = readdirSync(dir).find((x) => x.endsWith(".cpuprofile"));
    if (f) {
      const top = topFrames(join(dir, f), 15);
      prof = top;
      const keep = join(RESULTS, "profiles");
      mkdirSync(keep, { recursive: true });
      writeFileSync(join(keep, `${scenario}-${rate}.top.json`), JSON.stringify(top, null, 2) + "\n");
    }
  }
  return {
    generator: "ours", scenario, targetRate: rate, attempted: res.attempted, ok: res.ok, failed: res.failed,
    retransmissions: res.retransmissions, elapsedS: res.elapsedS, achievedRate: res.achievedRate,
    cpuS: res.cpuS, cpuPer1000: res.ok ? r3((res.cpuS / res.ok) * 1000) : NaN, processCpuS: r3(r.childCpuS),
    kamailioCpuS: r3(kcpu), kamailioCpuPer1000: res.ok ? r3((kcpu / res.ok) * 1000) : NaN,
    perSecond: res.perSecond,
    detail: { runtime: res.runtime, uas: res.uas, setupCpuS: res.setupCpuS, cpuUserS: res.cpuUserS, cpuSysS: res.cpuSysS, latencyMs: res.latencyMs, failures: res.failures, notStarted: res.notStarted, unfinished: res.unfinished, profile: prof },
  };
}

function bunBinary(): string {
  for (const b of [join(ROOT, "node_modules/bun/bin/bun.exe"), join(ROOT, "node_modules/@oven/bun-linux-x64/bin/bun")]) {
    try {
      if (existsSync(b) && readFileSync(b).length > 1_000_000) return b;
    } catch {
      // next
    }
  }
  throw new Error("bun binary not found (npm ci)");
}

/** Cumulative counters of the callee SIPp (its -trace_stat file, written every second). */
function uasCounters(work: string): { ok: number; failed: number; retrans: number } {
  const { last } = readSippStats(join(work, "uas-stat.csv"));
  return { ok: Number(last["SuccessfulCall(C)"] ?? 0), failed: Number(last["FailedCall(C)"] ?? 0), retrans: Number(last["Retransmissions(C)"] ?? 0) };
}

/** The shared callee: a SIPp UAS, its AoRs registered by a second SIPp pointing at its port. */
async function startCallee(k: KamailioHandle, work: string): Promise<{ stop(): Promise<void> }> {
  const uasPort = await freeUdpPort();
  const child = spawn(SIPP, ["-sf", join(HERE, "sipp", "uas.xml"), "-i", "127.0.0.1", "-p", String(uasPort), "-t", "u1", "-nostdin", "-timeout", "3600s", "-trace_stat", "-stf", join(work, "uas-stat.csv"), "-fd", "1", "-trace_err", "-error_file", join(work, "uas-errors.log"), ...SIPP_BUF], {
    cwd: work, stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  await sleep(500);
  if (child.exitCode !== null) throw new Error(`SIPp UAS exited: ${err}`);
  const csv = join(work, "callees.csv");
  writeCsv(csv, CALLEES.map((a) => [a.username, a.password, `127.0.0.1:${uasPort}`]));
  const regPort = await freeUdpPort();
  const r = await runTimed(SIPP, [`127.0.0.1:${k.port}`, "-sf", join(HERE, "sipp", "register.xml"), "-inf", csv, "-i", "127.0.0.1", "-p", String(regPort), "-m", String(CALLEES.length), "-r", "50", "-timeout", "30s", "-nostdin", ...SIPP_BUF], 40_000, { cwd: work, quietStdout: true });
  if (r.code !== 0) throw new Error(`registering the callees failed (sipp exit ${r.code}): ${r.stderr.slice(-1500)}`);
  return {
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((res) => child.once("exit", res));
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 3000);
        await gone;
        clearTimeout(t);
      }
      process.off("exit", reap);
      // The callee's error log (why it failed calls), first lines only.
      const log = join(work, "uas-errors.log");
      if (existsSync(log)) writeFileSync(join(RESULTS, "callee-errors.log"), readFileSync(log, "utf8").split("\n").slice(0, 300).join("\n"));
    },
  };
}

const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "–");

function table(results: GenResult[]): string {
  const out = [
    `| scenario | target /s | SIPp achieved /s | ours achieved /s | SIPp failed | ours failed | SIPp retrans | ours retrans | SIPp CPU-s/1000 | ours CPU-s/1000 | ours ÷ SIPp | Kamailio CPU-s/1000 (SIPp run / ours) |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
  ];
  const keys = [...new Set(results.map((r) => `${r.scenario}|${r.targetRate}`))];
  for (const key of keys) {
    const [scenario, rate] = key.split("|");
    const s = results.find((r) => r.generator === "sipp" && `${r.scenario}|${r.targetRate}` === key);
    const o = results.find((r) => r.generator === "ours" && `${r.scenario}|${r.targetRate}` === key);
    const ratio = s && o ? o.cpuPer1000 / s.cpuPer1000 : NaN;
    out.push(
      `| ${scenario} | ${rate} | ${s ? fmt(s.achievedRate, 0) : "–"} | ${o ? fmt(o.achievedRate, 0) : "–"} | ${s?.failed ?? "–"} | ${o?.failed ?? "–"} | ` +
        `${s?.retransmissions ?? "–"} | ${o?.retransmissions ?? "–"} | ${s ? fmt(s.cpuPer1000) : "–"} | ${o ? fmt(o.cpuPer1000) : "–"} | ` +
        `${Number.isFinite(ratio) ? ratio.toFixed(2) + "×" : "–"} | ${s ? fmt(s.kamailioCpuPer1000) : "–"} / ${o ? fmt(o.kamailioCpuPer1000) : "–"} |`,
    );
  }
  return out.join("\n");
}

async function main() {
  if (!existsSync(SIPP)) throw new Error("sipp not installed (apt-get install sip-tester)");
  const work = join(tmpdir(), `ringfleet-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const started = new Date();
  console.log(`SIP benchmark: scenarios ${scenarios.join(",")} × rates ${rates.join(",")}/s × ${seconds} s; generators ${generators.join(",")}; ours on ${profileBun ? "bun (profiling)" : profile ? "node (profiling)" : runtime}`);
  const k = await startKamailio({ port: await freeUdpPort(), accounts: [...REG_ACCOUNTS, ...CALLERS, ...CALLEES], sharedMemMb: 1024 });
  const results: GenResult[] = [];
  let callee: { stop(): Promise<void> } | null = null;
  try {
    for (const scenario of scenarios) {
      if (scenario === "call") callee = await startCallee(k, work);
      for (const rate of rates) {
        for (const g of generators) {
          const uas0 = scenario === "call" ? uasCounters(work) : null;
          const r = g === "sipp" ? await runSipp(k, scenario, rate, work) : await runOurs(k, scenario, rate, work);
          if (uas0) {
            await sleep(1100);
            const uas1 = uasCounters(work);
            (r.detail as Record<string, unknown>).callee = { answered: uas1.ok - uas0.ok, failed: uas1.failed - uas0.failed, retransmissions: uas1.retrans - uas0.retrans };
          }
          results.push(r);
          console.log(
            `  ${scenario.padEnd(8)} ${String(rate).padStart(5)}/s ${g.padEnd(4)}: ${r.ok}/${r.attempted} ok, ${r.failed} failed, ${r.retransmissions} retrans, ` +
              `${r.achievedRate}/s over ${r.elapsedS} s, CPU ${r.cpuS} s (${fmt(r.cpuPer1000)} s/1000; process ${r.processCpuS} s), Kamailio ${r.kamailioCpuS} s` +
              ((r.detail as { callee?: unknown })?.callee ? `, callee ${JSON.stringify((r.detail as { callee?: unknown }).callee)}` : "") +
              ((r.detail as { failures?: Record<string, number> })?.failures && Object.keys((r.detail as { failures: object }).failures).length ? `, failures ${JSON.stringify((r.detail as { failures?: unknown }).failures)}` : ""),
          );
          await sleep(settleS * 1000);
        }
      }
      if (callee) {
        await callee.stop();
        callee = null;
      }
    }
  } finally {
    await callee?.stop();
    await k.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const t = table(results);
  const meta = {
    when: started.toISOString(),
    host: { cpus: (await import("node:os")).cpus().length, loadavg: (await import("node:os")).loadavg().map((x) => Math.round(x * 100) / 100) },
    seconds, rates, oursRuntime: profileBun ? "bun (--cpu-prof)" : profile ? "node (--cpu-prof)" : runtime,
    callee: "one SIPp UAS (bench/sipp/uas.xml) for both generators, AoRs registered by a second SIPp",
    cpu: "generator CPU-s per 1,000 successful operations: SIPp = whole sipp process (bash times); ours = process.cpuUsage() over the load phase (processCpuS = whole process incl. start-up)",
  };
  writeFileSync(join(RESULTS, "sip.json"), JSON.stringify({ ...meta, results }, null, 2) + "\n");
  const md = [
    `### SIP load generation: SIPp vs Ringfleet (${meta.when.slice(0, 16).replace("T", " ")} UTC, ${seconds} s per run, load average ${meta.host.loadavg.join(" ")})`,
    "",
    t,
    "",
    `Same Kamailio (test/fixtures/kamailio, 1024 MB) for both; callee for calls: ${meta.callee}. ` +
      `CPU: ${meta.cpu}. Our generator runs on ${meta.oursRuntime}. Reproduce: \`npm run bench\` (env BENCH_RATES, BENCH_SECONDS).`,
    "",
  ].join("\n");
  writeFileSync(join(RESULTS, "sip.md"), md);
  console.log("\n" + t + "\n");
  if (profile) {
    for (const r of results.filter((x) => x.generator === "ours")) {
      const p = (r.detail as { profile?: { self: { frame: string; selfPct: number }[] } }).profile;
      if (!p) continue;
      console.log(`top self-time frames, ours, ${r.scenario} @${r.targetRate}/s:`);
      for (const f of p.self.slice(0, 12)) console.log(`  ${f.selfPct.toFixed(1).padStart(5)} %  ${f.frame}`);
    }
  }
  console.log(`results: bench/results/sip.json, bench/results/sip.md`);
}

await main();
