/**
 * `BENCH_ONLY=media npm run bench` (= bun bench/media/media-scale.ts): N bidirectional PCMU calls
 * of our media engine against an echo, and SIPp's for the same N, in the same run, on 127.0.0.1.
 *
 * Ours: bench/media/generator.ts (RtpSession + MediaScheduler in a MediaPool, real UDP sockets,
 * every session's sample()/detail() every second) against bench/media/echo-peer.ts (a separate
 * process returning every RTP packet). SIPp: a UAC streaming PCMU with rtp_stream
 * (bench/sipp/uac-rtp-stream.xml) to a SIPp UAS with -rtp_echo (its single echo socket, -mp).
 *
 * Generator loss (ours) = (frames skipped by the scheduler's catch-up + frames sent more than
 * 20 ms late + send errors + packets the echo returned that we had not read once they stopped arriving) ÷ (frames due +
 * packets echoed). Kernel drops per socket (/proc/net/udp) and machine-wide (/proc/net/snmp) are
 * printed beside it. SIPp: loss = (N·duration·50 packets its UAC should have sent − packets its
 * echo returned) ÷ that: the echoed-packet loss of issue 5's SIPp figures (its UAC neither reports
 * what it sent nor reads the echoes, which the kernel drops at the UAC's sockets: printed, not
 * counted). CPU = utime + stime from /proc/<pid>/stat over the measured window, per process, with
 * its user / system split (stime: the kernel's share, for these programs mostly the UDP path).
 *
 * UDP floor (before our engine's rows for each N): the same N streams with no RTP code at all, so
 * a reader sees how much of the engine's CPU is the datagram path's cost on this machine rather
 * than ours. bench/media/floor-gen.ts (N Bun.udpSocket sockets, one 172-byte datagram every 20 ms
 * each, counting receives) against the same echo-peer.ts: the kernel's and Bun's cost per datagram,
 * which our engine pays too. If a C compiler is on the machine (`command -v cc`; never installed
 * for this), also bench/media/floor.c compiled with cc -O2 into the temp dir, its "gen" against its
 * own "echo": the native floor, what any program (SIPp included) pays per datagram in this kernel.
 * Floor loss = (skipped + send errors + sent − received after the drain) ÷ (skipped + send errors
 * + sent), round trip (skipped: slots over two periods overdue, the engine scheduler's catch-up cap).
 * Engine CPU minus the Bun floor ≈ our RTP code; the Bun floor minus the C floor ≈ Bun's runtime.
 *
 * Env: MEDIA_CALLS ("500,1000,2000"), MEDIA_SECONDS (60), MEDIA_WORKERS (comma list of pool sizes
 * to run, default: mediaWorkerCount of this host, i.e. RINGFLEET_MEDIA_WORKERS or one per core),
 * MEDIA_PEER (ours|sipp: the far end of our calls, our echo process or SIPp's -rtp_echo UAS, which costs
 * less CPU per packet; its own drops are then the peer's, counted apart), MEDIA_WARMUP (3 s), MEDIA_SIPP=0 to skip SIPp, MEDIA_SIPP_RATE (calls/s while ramping, 200),
 * MEDIA_GEN_BASE (20000), MEDIA_PEER_BASE (26000), MEDIA_SIPP_BASE (32000; below the ephemeral range),
 * MEDIA_FLOOR=0 to skip the UDP floor rows, MEDIA_FLOOR_SECONDS (20: each floor row measures
 * min(MEDIA_SECONDS, this) seconds after the same warm-up).
 * Results: bench/results/media.json.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeG711 } from "../../agent/src/media/g711.js";
import { generateSpeechLike } from "../../agent/src/media/source.js";
import { mediaWorkerCount } from "../../agent/src/media/worker-assign.js";
import type { FloorResult } from "./floor-gen.js";
import type { GeneratorResult } from "./generator.js";
import { processCpu, processCpuS, snmpDelta, udpSnmp, type ProcessCpu } from "./udp-drops.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const RESULTS = join(ROOT, "bench", "results");
const SIPP = "/usr/bin/sipp";
const env = process.env;
const calls = (env.MEDIA_CALLS ?? "500,1000,2000").split(",").map(Number).filter((x) => x > 0);
const seconds = Number(env.MEDIA_SECONDS ?? 60);
const warmupS = Number(env.MEDIA_WARMUP ?? 3);
const workerSet = (env.MEDIA_WORKERS ?? String(mediaWorkerCount(cpus().length, env))).split(",").map(Number);
const runSipp = env.MEDIA_SIPP !== "0" && existsSync(SIPP);
const peerKind = env.MEDIA_PEER === "sipp" ? "sipp" : "ours";
const sippRate = Number(env.MEDIA_SIPP_RATE ?? 200);
const GEN_BASE = Number(env.MEDIA_GEN_BASE ?? 20000);
const PEER_BASE = Number(env.MEDIA_PEER_BASE ?? 26000);
const SIPP_BASE = Number(env.MEDIA_SIPP_BASE ?? 32000);
const runFloor = env.MEDIA_FLOOR !== "0";
const floorSeconds = Math.min(seconds, Number(env.MEDIA_FLOOR_SECONDS ?? 20));
const BUN = process.execPath;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const pct = (a: number, b: number) => (b > 0 ? (100 * a) / b : 0);

/** A child whose stdout lines can be awaited. */
function child(cmd: string, args: string[], cwd = ROOT): { p: ChildProcess; line(prefix: string, timeoutMs: number): Promise<string>; err: () => string } {
  const p = spawn(cmd, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters: { prefix: string; resolve(l: string): void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const l = out.split("\n").find((x) => x.startsWith(w.prefix));
      if (l !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  };
  p.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    check();
  });
  p.stderr!.on("data", (d: Buffer) => {
    const s = d.toString();
    if (s.startsWith("  [gen")) process.stdout.write(s);
    else if (err.length < 100_000) err += s;
  });
  process.once("exit", () => p.kill("SIGKILL"));
  return {
    p,
    err: () => err,
    line: (prefix, timeoutMs) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${cmd} ${args[0]}: no "${prefix}" within ${timeoutMs} ms\n${err.slice(-2000)}`)), timeoutMs);
        waiters.push({ prefix, resolve: (l) => (clearTimeout(t), resolve(l)) });
        check();
      }),
  };
}

interface OursRow {
  n: number;
  workers: number;
  gen: GeneratorResult;
  peerKind: "ours" | "sipp";
  peer: { received: number; echoed: number; sendErrors: number; kernelDrops: number };
  genCpuS: number;
  peerCpuS: number;
  /** The same CPU-s split into user and system (kernel) time. */
  genCpu: ProcessCpu;
  peerCpu: ProcessCpu;
  snmp: Record<string, number>;
  /** Loss as defined in the header, and its parts. */
  lossPct: number;
  notOnTime: number;
  unread: number;
  peerLossPct: number;
}

/** SIPp's echo as the far end of our calls: -rtp_echo's thread answers on -mp from start-up, no SIP needed. */
function sippEchoPeer(work: string): { p: ChildProcess; report(): Promise<OursRow["peer"]> } {
  const screen = join(work, "echo-peer-screen.log");
  rmSync(screen, { force: true });
  const c = child(SIPP, ["-sn", "uas", "-i", "127.0.0.1", "-p", String(PEER_BASE - 10), "-mp", String(PEER_BASE), "-rtp_echo", "-nostdin", "-trace_screen", "-screen_file", screen], work);
  const drops = pollDrops(PEER_BASE, PEER_BASE + 3);
  return {
    p: c.p,
    async report() {
      c.p.kill("SIGUSR2");
      await sleep(500);
      const text = existsSync(screen) ? readFileSync(screen, "utf8") : "";
      const echoed = [...text.matchAll(/(\d+) Total echo RTP pckts 1st stream/g)].map((m) => Number(m[1])).pop() ?? 0;
      const kernelDrops = drops.stop();
      c.p.kill("SIGTERM");
      return { received: echoed, echoed, sendErrors: 0, kernelDrops };
    },
  };
}

type Peer = { p: ChildProcess; report(): Promise<OursRow["peer"]> };

/** Our echo process (echo-peer.ts) on PEER_BASE+2i for N calls; report() ends it. */
async function ourEchoPeer(n: number): Promise<Peer> {
  const c = child(BUN, [join(HERE, "echo-peer.ts"), JSON.stringify({ base: PEER_BASE, first: 0, count: n })]);
  await c.line("READY", 60_000);
  return {
    p: c.p,
    async report() {
      c.p.stdin!.write("report\n");
      return JSON.parse(await c.line("{", 30_000)) as OursRow["peer"];
    },
  };
}

const exited = (p: ChildProcess) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(0) : p.once("exit", r)));

/** utime/stime of both processes, read at MEASURE and at END of a generator's run. */
const cpuNow = (gen: ChildProcess, peer: ChildProcess) => ({ gen: processCpu(gen.pid!), peer: processCpu(peer.pid!), snmp: udpSnmp() });
const cpuDelta = (a: ProcessCpu, b: ProcessCpu): ProcessCpu => ({ user: r3(b.user - a.user), system: r3(b.system - a.system) });

async function runOurs(n: number, workers: number, work: string): Promise<OursRow> {
  let peer: Peer;
  if (peerKind === "sipp") {
    peer = sippEchoPeer(work);
    await sleep(700);
  } else {
    peer = await ourEchoPeer(n);
  }
  const gen = child(BUN, [join(HERE, "generator.ts"), JSON.stringify({ n, workers, genBase: GEN_BASE, peerBase: PEER_BASE, seconds, warmupS, peerOnePort: peerKind === "sipp" })]);
  const total = (seconds + warmupS) * 1000 + 120_000;
  await gen.line("MEASURE", total);
  const c0 = cpuNow(gen.p, peer.p);
  await gen.line("END", total);
  const c1 = cpuNow(gen.p, peer.p);
  const res = JSON.parse((await gen.line("RESULT ", 60_000)).slice(7)) as GeneratorResult;
  // The peer reads /proc/net/udp for its drops: not while the generator's sockets are closing,
  // which makes the kernel's walk of that table skip lines (a third of the peer's sockets, seen).
  await exited(gen.p);
  const p = await peer.report();
  await exited(peer.p);
  const notOnTime = res.framesSkipped + res.framesLate + res.sendErrors;
  const unread = Math.max(0, p.echoed - res.packetsReceived);
  const genCpu = cpuDelta(c0.gen, c1.gen);
  const peerCpu = cpuDelta(c0.peer, c1.peer);
  return {
    n, workers, peerKind, gen: res, peer: p,
    genCpuS: r3(genCpu.user + genCpu.system), peerCpuS: r3(peerCpu.user + peerCpu.system), genCpu, peerCpu, snmp: snmpDelta(c0.snmp, c1.snmp),
    notOnTime, unread,
    lossPct: pct(notOnTime + unread, res.framesSent + res.framesSkipped + p.echoed),
    peerLossPct: pct(Math.max(0, res.packetsSent - p.received), res.packetsSent),
  };
}

interface FloorRow {
  n: number;
  /** bun: floor-gen.ts against echo-peer.ts; c: floor.c gen against floor.c echo. */
  kind: "bun" | "c";
  gen: FloorResult;
  peer: OursRow["peer"];
  seconds: number;
  /** Datagrams per second over the measured window: sent by the generator, and echoed back to it. */
  sentPerS: number;
  receivedPerS: number;
  /** Round trip, over the whole run: (skipped + send errors + sent − received) ÷ (skipped + send errors + sent). */
  lossPct: number;
  /** Of what the generator sent, what the peer did not receive. */
  peerLossPct: number;
  genCpu: ProcessCpu;
  peerCpu: ProcessCpu;
  snmp: Record<string, number>;
}

/** floor.c built into `work` with cc -O2 when cc is on this machine (never installed for it). */
function buildCFloor(work: string): { bin?: string; note: string } {
  if (spawnSync("sh", ["-c", "command -v cc"]).status !== 0) return { note: "no cc on this machine: native floor skipped" };
  const bin = join(work, "floor");
  const r = spawnSync("cc", ["-O2", "-o", bin, join(HERE, "floor.c")], { encoding: "utf8" });
  if (r.status !== 0) return { note: `cc -O2 floor.c failed, native floor skipped: ${(r.stderr ?? "").slice(0, 500)}` };
  return { bin, note: "native floor: floor.c built with cc -O2" };
}

/** One floor row: the no-op generator (Bun or C) against an echo (ours, or C's), same ports and N. */
async function runFloorRow(n: number, kind: "bun" | "c", cBin: string | undefined): Promise<FloorRow> {
  let peer: Peer;
  let gen: ReturnType<typeof child>;
  if (kind === "bun") {
    peer = await ourEchoPeer(n);
    gen = child(BUN, [join(HERE, "floor-gen.ts"), JSON.stringify({ n, genBase: GEN_BASE, peerBase: PEER_BASE, seconds: floorSeconds, warmupS })]);
  } else {
    const e = child(cBin!, ["echo", String(n), String(PEER_BASE)]);
    await e.line("READY", 30_000);
    peer = {
      p: e.p,
      async report() {
        e.p.kill("SIGTERM"); // it prints its counters (and its sockets' kernel drops) and exits
        return JSON.parse(await e.line("{", 30_000)) as OursRow["peer"];
      },
    };
    gen = child(cBin!, ["gen", String(n), String(GEN_BASE), String(PEER_BASE), String(floorSeconds), String(warmupS)]);
  }
  const total = (floorSeconds + warmupS) * 1000 + 60_000;
  await gen.line("MEASURE", total);
  const c0 = cpuNow(gen.p, peer.p);
  await gen.line("END", total);
  const c1 = cpuNow(gen.p, peer.p);
  const res = JSON.parse((await gen.line("RESULT ", 30_000)).slice(7)) as FloorResult;
  await exited(gen.p); // as in runOurs: the peer's /proc/net/udp walk once the generator's sockets are closed
  const p = await peer.report();
  await exited(peer.p);
  const tried = res.sent + res.sendErrors + res.skipped;
  const secs = res.measured.seconds;
  return {
    n, kind, gen: res, peer: p, seconds: secs,
    sentPerS: Math.round(res.measured.sent / secs), receivedPerS: Math.round(res.measured.received / secs),
    lossPct: pct(Math.max(0, tried - res.received), tried),
    peerLossPct: pct(Math.max(0, res.sent - p.received), res.sent),
    genCpu: cpuDelta(c0.gen, c1.gen), peerCpu: cpuDelta(c0.peer, c1.peer), snmp: snmpDelta(c0.snmp, c1.snmp),
  };
}

interface SippRow {
  n: number;
  ok: number;
  failed: number;
  expected: number;
  echoed: number;
  echoSocketDrops: number;
  uacSocketDrops: number;
  lossPct: number;
  uacCpuS: number;
  uasCpuS: number;
  snmp: Record<string, number>;
}

/** Max drops seen per socket (inode) while SIPp's per-call sockets come and go. */
function pollDrops(lo: number, hi: number): { stop(): number } {
  const seen = new Map<string, number>();
  const poll = () => {
    for (const l of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
      const f = l.trim().split(/\s+/);
      if (f.length < 13) continue;
      const port = parseInt(f[1]!.split(":")[1]!, 16);
      if (port < lo || port > hi) continue;
      const key = `${port}/${f[9]}`;
      seen.set(key, Math.max(seen.get(key) ?? 0, Number(f[f.length - 1])));
    }
  };
  const t = setInterval(poll, 1000);
  return {
    stop() {
      clearInterval(t);
      poll();
      let s = 0;
      for (const v of seen.values()) s += v;
      return s;
    },
  };
}

async function runSippOnce(n: number, work: string): Promise<SippRow> {
  const sipPort = SIPP_BASE - 10;
  const echoPort = SIPP_BASE; // -rtp_echo also listens on +2
  const uacMp = SIPP_BASE + 10;
  const rampS = Math.ceil(n / sippRate);
  const durMs = (rampS + seconds + 2) * 1000;
  const uas = child(SIPP, ["-sn", "uas", "-i", "127.0.0.1", "-p", String(sipPort), "-mp", String(echoPort), "-rtp_echo", "-nostdin", "-buff_size", "1048576", "-trace_screen", "-screen_file", join(work, "uas-screen.log")], work);
  await sleep(700);
  const echoDrops = pollDrops(echoPort, echoPort + 3);
  const uacDrops = pollDrops(uacMp, uacMp + 4 * n + 100);
  const s0 = udpSnmp();
  const uac = child(SIPP, [
    `127.0.0.1:${sipPort}`, "-sf", join(ROOT, "bench", "sipp", "uac-rtp-stream.xml"), "-i", "127.0.0.1", "-p", String(sipPort + 2),
    "-m", String(n), "-l", String(n), "-r", String(sippRate), "-d", String(durMs), "-mp", String(uacMp), "-nostdin", "-buff_size", "1048576",
    "-trace_stat", "-stf", join(work, "uac-stat.csv"), "-fd", "1", "-timeout", `${Math.ceil(durMs / 1000) + rampS + 60}s`,
  ], work);
  const uacDone = new Promise((r) => uac.p.once("exit", r));
  // CPU over the window in which all N calls stream (after the ramp), like ours after warm-up.
  await sleep((rampS + 1) * 1000);
  const c0 = { uac: processCpuS(uac.p.pid!), uas: processCpuS(uas.p.pid!) };
  await sleep(seconds * 1000);
  const c1 = { uac: processCpuS(uac.p.pid!), uas: processCpuS(uas.p.pid!) };
  const s1 = udpSnmp();
  await uacDone;
  await sleep(300);
  uas.p.kill("SIGUSR2"); // dump the screens (echo counters) now
  await sleep(500);
  uas.p.kill("SIGTERM");
  await new Promise((r) => (uas.p.exitCode !== null ? r(0) : uas.p.once("exit", r)));
  const screen = existsSync(join(work, "uas-screen.log")) ? readFileSync(join(work, "uas-screen.log"), "utf8") : "";
  const echoed = [...screen.matchAll(/(\d+) Total echo RTP pckts 1st stream/g)].map((m) => Number(m[1])).pop() ?? 0;
  const stat = readFileSync(join(work, "uac-stat.csv"), "utf8").trim().split("\n");
  const head = stat[0]!.split(";");
  const last = stat[stat.length - 1]!.split(";");
  const col = (k: string) => Number(last[head.indexOf(k)] ?? 0);
  const ok = col("SuccessfulCall(C)");
  const expected = Math.round(ok * (durMs / 20));
  const echoSocketDrops = echoDrops.stop();
  const uacSocketDrops = uacDrops.stop();
  rmSync(join(work, "uas-screen.log"), { force: true });
  return {
    n, ok, failed: col("FailedCall(C)"), expected, echoed, echoSocketDrops, uacSocketDrops,
    lossPct: pct(Math.max(0, expected - echoed), expected),
    uacCpuS: r3(c1.uac - c0.uac), uasCpuS: r3(c1.uas - c0.uas), snmp: snmpDelta(s0, s1),
  };
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "–");
/** CPU-s per s as "total (user + system)". */
const cpuCell = (c: ProcessCpu, secs: number) => `${f((c.user + c.system) / secs)} (${f(c.user / secs)} + ${f(c.system / secs)})`;
const usPer = (c: ProcessCpu, datagrams: number) => f((1e6 * (c.user + c.system)) / datagrams, 1);

function table(ours: OursRow[], sipp: SippRow[]): string {
  const out = [
    "| calls | generator | loss % | not on time | unread (kernel drops) | send lateness p50/p99/max ms | event-loop lag p99/max ms | metrics pass p99 ms (changed/s) | CPU-s per s: generator / peer (user + sys) | SIPp echo loss % (shortfall; echo-socket drops) | SIPp CPU-s per s: UAC / UAS |",
    "|---:|---|---:|---:|---:|---|---|---|---|---:|---|",
  ];
  for (const o of ours) {
    const s = sipp.find((x) => x.n === o.n);
    const g = o.gen;
    out.push(
      `| ${o.n} | ours, ${o.workers ? `${o.workers} media workers` : "main thread"}${o.peerKind === "sipp" ? " → SIPp echo" : ""} | ${f(o.lossPct, 3)} | ${o.notOnTime} | ${o.unread} (${g.kernelDrops}) | ` +
        `${f(g.latenessMs.p50, 1)} / ${f(g.latenessMs.p99, 1)} / ${f(g.latenessMs.max, 1)} | ${f(g.loopLagMs.p99, 1)} / ${f(g.loopLagMs.max, 1)} | ` +
        `${f(g.metricsPassMs.p99, 1)} (${g.changedPerReport}) | ${cpuCell(o.genCpu, g.seconds)} / ${cpuCell(o.peerCpu, g.seconds)} | ` +
        (s ? `${f(s.lossPct, 3)} (${Math.max(0, s.expected - s.echoed)}; ${s.echoSocketDrops}) | ${f(s.uacCpuS / seconds)} / ${f(s.uasCpuS / seconds)} |` : "– | – |"),
    );
  }
  return out.join("\n");
}

/** The floor rows of each N with our engine's rows beside them, in the same units. */
function floorTable(floor: FloorRow[], ours: OursRow[]): string {
  const out = [
    "| calls | generator → echo | datagrams/s out / back | loss % (gen; peer kernel drops) | generator CPU-s per s (user + sys) | peer CPU-s per s (user + sys) | generator µs CPU per datagram |",
    "|---:|---|---|---:|---|---|---:|",
  ];
  for (const n of calls) {
    for (const r of floor.filter((x) => x.n === n)) {
      out.push(
        `| ${n} | ${r.kind === "bun" ? "UDP floor, Bun (floor-gen.ts → echo-peer.ts)" : "UDP floor, native (floor.c gen → floor.c echo)"} | ${r.sentPerS} / ${r.receivedPerS} | ` +
          `${f(r.lossPct, 3)} (${r.gen.kernelDrops}; ${r.peer.kernelDrops}) | ${cpuCell(r.genCpu, r.seconds)} | ${cpuCell(r.peerCpu, r.seconds)} | ${usPer(r.genCpu, r.gen.measured.sent + r.gen.measured.received)} |`,
      );
    }
    for (const o of ours.filter((x) => x.n === n)) {
      const g = o.gen;
      const sent = g.perSecond.reduce((a, x) => a + x.sent, 0);
      const back = g.perSecond.reduce((a, x) => a + x.received, 0);
      out.push(
        `| ${n} | our engine, ${o.workers ? `${o.workers} media workers` : "main thread"} → ${o.peerKind === "sipp" ? "SIPp echo" : "echo-peer.ts"} | ${Math.round(sent / g.seconds)} / ${Math.round(back / g.seconds)} | ` +
          `${f(o.lossPct, 3)} (${g.kernelDrops}; ${o.peer.kernelDrops}) | ${cpuCell(o.genCpu, g.seconds)} | ${cpuCell(o.peerCpu, g.seconds)} | ${usPer(o.genCpu, sent + back)} |`,
      );
    }
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const work = join(tmpdir(), `ringfleet-media-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  // SIPp streams this file (raw µ-law, looped): 4 s of our speech-like source.
  writeFileSync(join(work, "tone.ulaw"), encodeG711("ulaw", generateSpeechLike(4)));
  const started = new Date();
  const loadavgBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  const cFloor = runFloor ? buildCFloor(work) : { note: "MEDIA_FLOOR=0: floor skipped" };
  console.log(
    `media benchmark: ${calls.join(",")} calls × ${seconds} s (+${warmupS} s warm-up), ours with ${workerSet.join(" and ")} media worker(s) against ${peerKind === "sipp" ? "SIPp's echo" : "our echo"}${runSipp ? ", SIPp beside" : ""}` +
      `${runFloor ? `, UDP floor first (${floorSeconds} s; ${cFloor.note})` : ""}; load ${loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  );
  const ours: OursRow[] = [];
  const sipp: SippRow[] = [];
  const floor: FloorRow[] = [];
  const cpuLog = (c: ProcessCpu) => `${r3(c.user + c.system)} s (user ${c.user} sys ${c.system})`;
  try {
    for (const n of calls) {
      if (runFloor) {
        for (const kind of cFloor.bin ? (["bun", "c"] as const) : (["bun"] as const)) {
          const r = await runFloorRow(n, kind, cFloor.bin);
          floor.push(r);
          console.log(`  floor n=${n} ${kind}: ${r.sentPerS}/s out ${r.receivedPerS}/s back, loss ${f(r.lossPct, 3)} % (skipped ${r.gen.skipped}, send errors ${r.gen.sendErrors}, late ${r.gen.late}, kernel drops gen ${r.gen.kernelDrops} peer ${r.peer.kernelDrops}), CPU gen ${cpuLog(r.genCpu)} peer ${cpuLog(r.peerCpu)} over ${r.seconds} s`);
          await sleep(1000);
        }
      }
      for (const w of workerSet) {
        const o = await runOurs(n, w, work);
        ours.push(o);
        console.log(`  ours  n=${n} workers=${w}: loss ${f(o.lossPct, 3)} % (not on time ${o.notOnTime}, unread ${o.unread}, kernel drops ${o.gen.kernelDrops}; peer lost ${f(o.peerLossPct, 3)} %), lateness p99 ${o.gen.latenessMs.p99} ms, loop lag p99 ${o.gen.loopLagMs.p99} ms, pass p99 ${o.gen.metricsPassMs.p99} ms, CPU gen ${cpuLog(o.genCpu)} peer ${cpuLog(o.peerCpu)}`);
        await sleep(1000);
      }
      if (runSipp) {
        const s = await runSippOnce(n, work);
        sipp.push(s);
        console.log(`  SIPp  n=${n}: ${s.ok} ok ${s.failed} failed, echoed ${s.echoed}/${s.expected} expected, loss ${f(s.lossPct, 3)} %, echo-socket drops ${s.echoSocketDrops}, UAC socket drops ${s.uacSocketDrops}, CPU UAC ${s.uacCpuS} s UAS ${s.uasCpuS} s`);
        await sleep(1000);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const t = table(ours, sipp) + (floor.length ? `\n\nUDP floor (${floorSeconds} s per row; CPU-s per s over the measured window):\n\n${floorTable(floor, ours)}` : "");
  const meta = {
    when: started.toISOString(), host: { cpus: cpus().length, loadavgBefore, loadavgAfter: loadavg().map((x) => Math.round(x * 100) / 100) }, seconds, warmupS, calls, workers: workerSet, peer: peerKind,
    floorSeconds: runFloor ? floorSeconds : 0, floorNote: cFloor.note,
  };
  writeFileSync(join(RESULTS, "media.json"), JSON.stringify({ ...meta, ours, floor, sipp }, null, 2) + "\n");
  console.log("\n" + t + "\n\nresults: bench/results/media.json");
}

await main();
