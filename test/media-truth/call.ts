/**
 * Drives one media-truth call: two peers (peer.ts under Bun), one in each endpoint namespace, talk
 * through the impairing relay (relay.ts) in the middle namespace. SDP goes through the test process
 * (no SIP), rewritten like an SBC would so each side sends to the relay. While they exchange
 * RTP/RTCP for `seconds`, dumpcap (the capture engine tshark itself runs) records the RTP each
 * endpoint receives on its own veth end: A→B on B's end, B→A on A's end — each direction exactly
 * as its receiver gets it, after the impairment.
 *
 * Every child started here is tracked and killed by its own pid in `killAll()`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { PeerReport } from "./peer.js";
import type { RelayConfig, RelayStats } from "./relay.js";
import type { RelayedLink } from "../support/netns.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const PEER = join(here, "peer.ts");
const RELAY = join(here, "relay.ts");

/** Fixed ports: every call has its own namespaces, so they never collide. */
export const PORT_A = 40000;
export const PORT_B = 42000;

const children = new Set<ChildProcess>();

export function bunBinary(): string | null {
  for (const p of [join(root, "node_modules", "@oven", "bun-linux-x64", "bin", "bun"), join(root, "node_modules", "bun", "bin", "bun.exe")]) {
    if (existsSync(p)) return p;
  }
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A Bun child in a namespace speaking JSON lines on stdin/stdout. */
class Child {
  private readonly proc: ChildProcess;
  private readonly lines: string[] = [];
  private waiters: ((line: string) => void)[] = [];
  stderr = "";

  constructor(ns: string, script: string, args: string[]) {
    const bun = bunBinary();
    if (!bun) throw new Error("bun binary not found");
    // `ip netns exec` execs the command in place: the pid we get is Bun's own.
    this.proc = spawn("ip", ["netns", "exec", ns, bun, script, ...args], { stdio: ["pipe", "pipe", "pipe"], cwd: root });
    children.add(this.proc);
    this.proc.on("exit", () => children.delete(this.proc));
    this.proc.stderr!.on("data", (d: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += d.toString();
    });
    createInterface({ input: this.proc.stdout! }).on("line", (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
  }

  next(timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(JSON.parse(ready) as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`peer did not answer within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const waiter = (line: string): void => {
        clearTimeout(t);
        resolve(JSON.parse(line) as Record<string, unknown>);
      };
      this.waiters.push(waiter);
    });
  }

  async cmd(c: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.proc.stdin!.write(JSON.stringify(c) + "\n");
    const r = await this.next();
    if (r.ok !== true) throw new Error(`peer ${String(c.cmd)} failed: ${JSON.stringify(r)}`);
    return r;
  }

  async line(text: string): Promise<Record<string, unknown>> {
    this.proc.stdin!.write(text + "\n");
    return this.next();
  }

  end(): void {
    this.proc.stdin!.end();
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.pid) {
      try {
        process.kill(this.proc.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }

  exited(timeoutMs: number): Promise<void> {
    if (this.proc.exitCode !== null) return Promise.resolve();
    return Promise.race([new Promise<void>((r) => this.proc.once("exit", () => r())), sleep(timeoutMs)]);
  }
}

/**
 * dumpcap on `dev` in `ns`, keeping the RTP to `host:port` (one direction) and the RTCP on
 * `port + 1` both ways (the endpoint's SRs out and the reports back: tshark's round-trip delay).
 */
function startCapture(ns: string, dev: string, host: string, port: number, file: string): Promise<ChildProcess> {
  const filter = `udp and ((dst host ${host} and dst port ${port}) or port ${port + 1})`;
  const p = spawn("ip", ["netns", "exec", ns, "dumpcap", "-q", "-i", dev, "-f", filter, "-w", file], { stdio: ["ignore", "ignore", "pipe"] });
  children.add(p);
  p.on("exit", () => children.delete(p));
  let err = "";
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 10_000);
    p.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      // dumpcap says "File: <name>" once the capture is running.
      if (err.includes("File:") || existsSync(file)) {
        clearTimeout(t);
        resolve(p);
      }
    });
    p.once("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`dumpcap exited ${code}: ${err}`));
    });
  });
}

async function stopCapture(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || !p.pid) return;
  const done = new Promise<void>((r) => p.once("exit", () => r()));
  process.kill(p.pid, "SIGINT"); // dumpcap flushes and closes the file
  await Promise.race([done, sleep(5_000)]);
  if (p.exitCode === null && p.pid) process.kill(p.pid, "SIGKILL");
}

export interface Impairment {
  lossPct: number;
  jitterMs: number;
  delayMs: number;
}

export interface CallResult {
  /** A's report: receiver of B→A. */
  a: PeerReport;
  /** B's report: receiver of A→B. */
  b: PeerReport;
  relay: RelayStats;
  link: RelayedLink;
  /** Capture of B→A on A's veth end, of A→B on B's. */
  pcapA: string;
  pcapB: string;
}

const rewrite = (sdp: string, fromAddr: string, toAddr: string, fromPort: number, toPort: number): string =>
  sdp.split(fromAddr).join(toAddr).replace(`m=audio ${fromPort} `, `m=audio ${toPort} `);

/**
 * One call of `seconds` (samples once a second on both sides) through an impairing relay. When
 * `gate` is given, the call sets everything up (captures, processes, SDP), calls `ready()` and
 * waits for `gate` before the media starts: calls started together do not suffer each other's
 * process start-up (Bun and dumpcap starting on 2 cores delay event loops by tens of ms, which
 * the RTT and jitter figures would otherwise carry).
 */
export async function runCall(
  link: RelayedLink,
  imp: Impairment,
  seed: number,
  pcapPrefix: string,
  seconds: number,
  gate?: { ready: () => void; go: Promise<void> },
): Promise<CallResult> {
  const pcapA = `${pcapPrefix}-a.pcapng`;
  const pcapB = `${pcapPrefix}-b.pcapng`;
  const captures: ChildProcess[] = [];
  const procs: Child[] = [];
  try {
    captures.push(await startCapture(link.nsA, link.devA, link.addrA, PORT_A, pcapA));
    captures.push(await startCapture(link.nsB, link.devB, link.addrB, PORT_B, pcapB));
    const cfg: RelayConfig = {
      sideA: { bind: link.addrMA, port: PORT_A },
      sideB: { bind: link.addrMB, port: PORT_B },
      peerA: { address: link.addrA, port: PORT_A },
      peerB: { address: link.addrB, port: PORT_B },
      media: imp,
      seed,
    };
    const relay = new Child(link.nsM, RELAY, [JSON.stringify(cfg)]);
    const a = new Child(link.nsA, PEER, [link.addrA, String(PORT_A)]);
    const b = new Child(link.nsB, PEER, [link.addrB, String(PORT_B)]);
    procs.push(relay, a, b);
    await Promise.all([relay.next(15_000), a.next(15_000), b.next(15_000)]);
    const offer = await a.cmd({ cmd: "offer" });
    const answer = await b.cmd({ cmd: "answer", sdp: rewrite(String(offer.sdp), link.addrA, link.addrMB, PORT_A, PORT_B) });
    await a.cmd({ cmd: "applyAnswer", sdp: rewrite(String(answer.sdp), link.addrB, link.addrMA, PORT_B, PORT_A) });
    if (gate) {
      gate.ready();
      await gate.go;
    }
    await Promise.all([b.cmd({ cmd: "start", samples: seconds }), a.cmd({ cmd: "start", samples: seconds })]);
    await sleep(seconds * 1000 + 300);
    await Promise.all([a.cmd({ cmd: "mute" }), b.cmd({ cmd: "mute" })]);
    await sleep(imp.delayMs + imp.jitterMs + 400); // everything still in the relay arrives
    const [ra, rb, rs] = await Promise.all([a.cmd({ cmd: "report" }), b.cmd({ cmd: "report" }), relay.line("stats")]);
    await Promise.all([a.cmd({ cmd: "stop" }), b.cmd({ cmd: "stop" })]);
    relay.end();
    await Promise.all(procs.map((p) => p.exited(2_000)));
    return { a: ra.report as PeerReport, b: rb.report as PeerReport, relay: rs as unknown as RelayStats, link, pcapA, pcapB };
  } finally {
    for (const p of procs) p.kill();
    await Promise.all(captures.map(stopCapture));
  }
}

/** Kill (by pid) every child this module started that is still running. */
export function killAll(): void {
  for (const p of children) {
    if (p.exitCode === null && p.pid) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
  children.clear();
}
