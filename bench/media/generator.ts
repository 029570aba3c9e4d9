/**
 * The generator of the media benchmark (bun bench/media/generator.ts '<json>'): N PCMU sessions of
 * our media engine (RtpSession on MediaScheduler, in a MediaPool of `workers` threads; 0 = all on
 * the main thread as the agent ran before the pool), RTP port genBase+2i talking to the peer's
 * peerBase+2i (or all to peerBase with `peerOnePort`, SIPp's single echo socket). Every second it asks the pool for its report (every session's sample() and
 * detail(), as the agent's frame does, merged over threads) and keeps the totals.
 *
 * Timeline: open + start all sessions, print STARTED; warm-up; print MEASURE; `seconds` of
 * measurement (latency histograms are kept only for this window); print END; stop the clock, read
 * until echoes stop arriving, read the kernel's drops for our sockets, print RESULT <json>, close.
 * Packet counts are over the whole run (the peer counts from its start too).
 */
import { LatencyHistogram } from "../../agent/src/media/histogram.js";
import { addSparse, type MediaAggregate } from "../../agent/src/media/aggregate.js";
import { MediaPool } from "../../agent/src/media/media-pool.js";
import { socketDrops } from "./udp-drops.js";

export interface GeneratorConfig {
  n: number;
  workers: number;
  genBase: number;
  peerBase: number;
  seconds: number;
  warmupS: number;
  /** Run sample()/detail() of every session each second (default true). */
  sample?: boolean;
  /** Every session sends to peerBase itself (one echo socket for all calls, SIPp's -rtp_echo). */
  peerOnePort?: boolean;
}

export interface GeneratorResult {
  n: number;
  workers: number;
  seconds: number;
  framesSent: number;
  framesSkipped: number;
  framesLate: number;
  packetsSent: number;
  packetsReceived: number;
  sendErrors: number;
  malformed: number;
  kernelDrops: number;
  latenessMs: { p50: number; p99: number; p999: number; max: number };
  loopLagMs: { p99: number; max: number };
  /** Worst thread's sample()/detail() pass per second; the main thread's report round trip (ask, merge). */
  metricsPassMs: { p99: number; max: number };
  reportMs: { p99: number; max: number };
  changedPerReport: number;
  perSecond: { sent: number; received: number; skipped: number; lateP99: number; loopP99: number; passMs: number }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? "{}") as GeneratorConfig;
  const pool = await MediaPool.create(cfg.workers);
  const ids: number[] = [];
  for (let i = 0; i < cfg.n; i++) {
    const s = await pool.open({ localAddress: "127.0.0.1", codec: "PCMU", port: cfg.genBase + 2 * i });
    ids.push(s.id);
  }
  for (let i = 0; i < cfg.n; i++) pool.start(ids[i]!, { address: "127.0.0.1", port: cfg.peerOnePort ? cfg.peerBase : cfg.peerBase + 2 * i, payloadType: 0 });
  process.stdout.write("STARTED\n");
  const sample = cfg.sample !== false;
  const total: MediaAggregate[] = [];
  const lateness = new LatencyHistogram();
  const loopLag = new LatencyHistogram();
  const pass = new LatencyHistogram();
  const reportMs = new LatencyHistogram();
  const perSecond: GeneratorResult["perSecond"] = [];
  let changed = 0;
  let measured = 0;
  // Reports once a second on a fixed grid, as the agent's frame clock does.
  const t0 = performance.now();
  const seconds = cfg.warmupS + cfg.seconds;
  for (let k = 1; k <= seconds; k++) {
    await sleep(Math.max(0, t0 + k * 1000 - performance.now()));
    const a = performance.now();
    const r = await pool.report(sample);
    const took = performance.now() - a;
    total.push(r.agg);
    if (k === cfg.warmupS) process.stdout.write("MEASURE\n");
    if (k <= cfg.warmupS) continue;
    measured++;
    addSparse(lateness, r.agg.lateness, r.agg.latenessMax);
    addSparse(loopLag, r.agg.loopLag, r.agg.loopLagMax);
    pass.add(r.agg.metricsPassMaxMs);
    reportMs.add(took);
    changed += r.agg.changed;
    const sl = new LatencyHistogram();
    addSparse(sl, r.agg.lateness, r.agg.latenessMax);
    const ll = new LatencyHistogram();
    addSparse(ll, r.agg.loopLag, r.agg.loopLagMax);
    perSecond.push({ sent: r.agg.packetsSent, received: r.agg.packetsReceived, skipped: r.agg.framesSkipped, lateP99: r3(sl.quantile(0.99)), loopP99: r3(ll.quantile(0.99)), passMs: r3(r.agg.metricsPassMaxMs) });
    if (k % 5 === 0) process.stderr.write(`  [gen n=${cfg.n} w=${cfg.workers}] ${k}s sent ${r.agg.packetsSent}/s recv ${r.agg.packetsReceived}/s skipped ${r.agg.framesSkipped} late p99 ${sl.quantile(0.99).toFixed(1)} ms loop p99 ${ll.quantile(0.99).toFixed(1)} ms pass ${r.agg.metricsPassMaxMs.toFixed(1)} ms\n`);
  }
  process.stdout.write("END\n");
  await pool.quiesce();
  // Drain: a lagging echo returns packets long after we stopped; read until 0.5 s pass with nothing
  // arriving (at most 10 s), so what is left unread is loss, not packets still in flight.
  let quiet = 0;
  for (let i = 0; i < 40 && quiet < 2; i++) {
    await sleep(250);
    const r = (await pool.report(false)).agg;
    total.push(r);
    quiet = r.packetsReceived === 0 ? quiet + 1 : 0;
  }
  const drops = socketDrops(cfg.genBase, cfg.genBase + 2 * cfg.n - 1);
  const sum = (k: keyof MediaAggregate) => total.reduce((s, a) => s + (a[k] as number), 0);
  const res: GeneratorResult = {
    n: cfg.n, workers: cfg.workers, seconds: measured,
    framesSent: sum("framesSent"), framesSkipped: sum("framesSkipped"), framesLate: sum("framesLate"),
    packetsSent: sum("packetsSent"), packetsReceived: sum("packetsReceived"), sendErrors: sum("sendErrors"), malformed: sum("malformed"),
    kernelDrops: drops.drops,
    latenessMs: { p50: r3(lateness.quantile(0.5)), p99: r3(lateness.quantile(0.99)), p999: r3(lateness.quantile(0.999)), max: r3(lateness.max) },
    loopLagMs: { p99: r3(loopLag.quantile(0.99)), max: r3(loopLag.max) },
    metricsPassMs: { p99: r3(pass.quantile(0.99)), max: r3(pass.max) },
    reportMs: { p99: r3(reportMs.quantile(0.99)), max: r3(reportMs.max) },
    changedPerReport: measured ? Math.round(changed / measured) : 0,
    perSecond,
  };
  process.stdout.write(`RESULT ${JSON.stringify(res)}\n`);
  await pool.close();
  process.exit(0);
}

await main();
