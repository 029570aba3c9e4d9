/**
 * Ringfleet's SIP load generator for the benchmark (its own process, so its CPU is measured alone).
 * Drives authenticated REGISTERs or short calls through our SIP stack (createUserAgent) at a fixed
 * rate, paced on the wall clock like SIPp's -r, bounded in count (rate × seconds) and time.
 *
 *   bun bench/load.ts '<json LoadConfig>'      (or: node --import tsx bench/load.ts '<json>')
 *
 * Prints one line `RESULT <json LoadResult>` on stdout.
 */
import { createUserAgent, type UserAgent } from "../agent/src/sip/index.js";
import { InviteClientTransaction, NonInviteClientTransaction } from "../agent/src/sip/transaction/client.js";
import { InviteClientState, NonInviteClientState } from "../agent/src/sip/transaction/states.js";

export interface LoadConfig {
  mode: "register" | "call";
  /** Operations (registrations or calls) started per second. */
  rate: number;
  seconds: number;
  server: { host: string; port: number };
  domain: string;
  /** Accounts the UAs use (one UA, one UDP socket each). For calls: the callers. */
  accounts: { username: string; password: string }[];
  /** Call mode: callee users (registered at the server by the callee side). */
  callees?: string[];
  /** Max operations in flight (like SIPp's -l). */
  limit?: number;
  /** After the last start, wait at most this long for operations to finish (then counted failed). */
  drainMs?: number;
}

export interface LoadResult {
  mode: string;
  targetRate: number;
  attempted: number;
  ok: number;
  failed: number;
  /** Not started: the run's time bound was hit first, or the limit / UA pool was exhausted. */
  notStarted: number;
  unfinished: number;
  /** Our own request retransmissions (Timer A / E firings). */
  retransmissions: number;
  /** Seconds from the first start to the last successful completion. */
  elapsedS: number;
  achievedRate: number;
  /** CPU (user+system) of this process during the load phase (setup of the UAs excluded). */
  cpuS: number;
  cpuUserS: number;
  cpuSysS: number;
  setupCpuS: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  perSecond: number[];
  failures: Record<string, number>;
  uas: number;
  runtime: string;
}

const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/** Counts Timer A/E retransmissions by wrapping the client transactions' timer handlers. */
function countRetransmissions(): () => number {
  let n = 0;
  const inv = InviteClientTransaction.prototype as unknown as { fireA(this: { state: string }): void };
  const non = NonInviteClientTransaction.prototype as unknown as { fireE(this: { state: string }): void };
  const a = inv.fireA, e = non.fireE;
  inv.fireA = function () {
    if (this.state === InviteClientState.Calling) n++;
    return a.call(this);
  };
  non.fireE = function () {
    if (this.state === NonInviteClientState.Trying || this.state === NonInviteClientState.Proceeding) n++;
    return e.call(this);
  };
  return () => n;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export async function runLoad(cfg: LoadConfig): Promise<LoadResult> {
  const cpuSetup0 = process.cpuUsage();
  const retrans = countRetransmissions();
  const uas: UserAgent[] = [];
  for (let i = 0; i < cfg.accounts.length; i += 50) {
    const batch = cfg.accounts.slice(i, i + 50).map((account) =>
      createUserAgent({ server: { ...cfg.server, transport: "UDP" }, domain: cfg.domain, account, userAgent: "ringfleet-bench" }),
    );
    uas.push(...(await Promise.all(batch)));
  }
  const setupCpu = process.cpuUsage(cpuSetup0);
  const total = Math.max(1, Math.round(cfg.rate * cfg.seconds));
  const limit = cfg.limit ?? 10_000;
  const drainMs = cfg.drainMs ?? 35_000;
  const callees = cfg.callees ?? [];
  if (cfg.mode === "call" && callees.length === 0) throw new Error("call mode needs callees");

  // Register mode: one REGISTER in flight per UA (its registration has one Call-ID and CSeq order).
  const idle: number[] = uas.map((_, i) => i);
  let rr = 0;
  let started = 0, ok = 0, failed = 0, inFlight = 0;
  const latencies: number[] = [];
  const perSecond: number[] = [];
  const failures: Record<string, number> = {};
  let tLast = 0;

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const finish = (good: boolean, startedAt: number, why?: string) => {
    const now = performance.now();
    inFlight--;
    if (good) {
      tLast = now;
      ok++;
      latencies.push(now - startedAt);
      const sec = Math.floor((now - t0) / 1000);
      while (perSecond.length <= sec) perSecond.push(0);
      perSecond[sec]++;
    } else {
      failed++;
      const k = why ?? "failed";
      failures[k] = (failures[k] ?? 0) + 1;
    }
  };

  const startOne = (): boolean => {
    if (inFlight >= limit) return false;
    const at = performance.now();
    if (cfg.mode === "register") {
      const i = idle.pop();
      if (i === undefined) return false;
      inFlight++;
      uas[i].register({ expires: 3600, refresh: false }).then(
        (r) => {
          idle.push(i);
          finish(r.ok, at, r.ok ? undefined : `REGISTER ${r.statusCode ?? "timeout"}`);
        },
        () => finish(false, at, "exception"),
      );
    } else {
      const ua = uas[rr++ % uas.length];
      const callee = callees[started % callees.length];
      inFlight++;
      const call = ua.invite(`sip:${callee}@${cfg.domain}`, SDP);
      call.final.then(
        async (f) => {
          if (!f.ok) return finish(false, at, `INVITE ${f.statusCode ?? "timeout"}`);
          const b = await call.bye();
          finish(b.ok, at, b.ok ? undefined : `BYE ${b.statusCode ?? "timeout"}`);
        },
        () => finish(false, at, "exception"),
      );
    }
    started++;
    return true;
  };

  // Pacing: start what is due on the wall clock (catch up after a late timer, like SIPp).
  const hardStop = cfg.seconds * 1000 * 1.5 + 2_000;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const el = performance.now() - t0;
      const due = Math.min(total, Math.floor((cfg.rate * el) / 1000) + 1);
      while (started < due && startOne());
      if (started >= total || el > hardStop) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  const drainUntil = performance.now() + drainMs;
  while (inFlight > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  const cpu = process.cpuUsage(cpu0);
  const unfinished = inFlight;
  for (const ua of uas) await ua.close();

  const elapsedS = Math.max(0.001, (tLast - t0) / 1000);
  latencies.sort((a, b) => a - b);
  return {
    mode: cfg.mode,
    targetRate: cfg.rate,
    attempted: started,
    ok,
    failed: failed + unfinished,
    notStarted: total - started,
    unfinished,
    retransmissions: retrans(),
    elapsedS: r3(elapsedS),
    achievedRate: Math.round((ok / elapsedS) * 10) / 10,
    cpuS: r3((cpu.user + cpu.system) / 1e6),
    cpuUserS: r3(cpu.user / 1e6),
    cpuSysS: r3(cpu.system / 1e6),
    setupCpuS: r3((setupCpu.user + setupCpu.system) / 1e6),
    latencyMs: { p50: r3(pct(latencies, 50)), p95: r3(pct(latencies, 95)), p99: r3(pct(latencies, 99)), max: r3(latencies[latencies.length - 1] ?? 0) },
    perSecond,
    failures,
    uas: uas.length,
    runtime: process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.version}`,
  };
}

// CLI: run when executed directly with a JSON config.
const arg = process.argv[2];
if (arg && arg.startsWith("{")) {
  const r = await runLoad(JSON.parse(arg) as LoadConfig);
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
  process.exit(0);
}
