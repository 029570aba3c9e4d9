/**
 * SIP datagram fuzzing, shared by `fuzz.test.ts` (20,000 datagrams) and `bench/fuzz.ts`
 * (1,000,000): a seeded PRNG, seeds (RFC 4475 torture messages + traffic captured from our own
 * UA talking to the built-in registrar), mutators, and a live harness that fires mutated datagrams
 * at a real `createUserAgent` UA and the built-in registrar over UDP on 127.0.0.1 and checks that
 * both survive: no exception escapes a receive loop, every datagram our parser rejects is counted
 * in `stats.malformed`, the heap is bounded, and registration and calls still work afterwards.
 *
 * Safety: fuzzed messages carry arbitrary Via/Contact/Route hosts, and the stack answers or
 * forwards to them. While the harness runs, every node:dgram send in this process that is not for
 * one of the harness's own sockets is redirected to a local sink socket: nothing leaves
 * 127.0.0.1 and nothing reaches other services on loopback (no DNS lookups either).
 */
import dgram, { createSocket, type Socket } from "node:dgram";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startRegistrar, type RegistrarHandle } from "../registrar/index.js";
import { parseMessage } from "./parser.js";
import { createUserAgent } from "./ua/core.js";
import type { IncomingCall, UserAgent } from "./ua/types.js";

// ---- PRNG -------------------------------------------------------------------------------------

/** mulberry32: tiny, fast, good enough for fuzzing; the same seed gives the same datagrams. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform uint32. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.float() * n);
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

// ---- Seeds ------------------------------------------------------------------------------------

const RFC4475_DIRS = [fileURLToPath(new URL("../../../test/fixtures/rfc4475", import.meta.url))];

/** The RFC 4475 torture messages (exact datagram octets), from the copy vendored in test/fixtures. */
export function loadRfc4475Seeds(): Buffer[] {
  for (const dir of RFC4475_DIRS) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => f.endsWith(".dat")).sort();
    if (files.length) return files.map((f) => readFileSync(join(dir, f)));
  }
  return [];
}

// ---- Mutators ---------------------------------------------------------------------------------

/** Largest datagram we send: the UDP/IPv4 payload limit is 65,507 octets. */
export const MAX_DATAGRAM = 65_000;
const INTERESTING_BYTES = [0x00, 0xff, 0x20, 0x09, 0x0d, 0x0a, 0x3a, 0x3b, 0x2c, 0x3c, 0x3e, 0x22, 0x25, 0x5c, 0x7f, 0x80, 0x3d, 0x40];
const HUGE_NUMBERS = ["99999999999999999999999999", "4294967296", "4294967295", "2147483648", "-1", "-0", "1e400", "0x10", "NaN", " ", "", "00000000000000000000000000000000001"];
const HEADER_NAMES = ["Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq", "Contact", "m", "Content-Length", "l", "Max-Forwards", "Route", "Record-Route", "Expires", "Authorization", "Proxy-Authorization", "WWW-Authenticate", "Content-Type", "c"];

type Mutator = (rng: Prng, s: string, seeds: readonly Buffer[]) => string;

/** Header lines of a message held as a latin1 string: [start of first header, end of head]. */
function headRange(s: string): [number, number] {
  const first = s.indexOf("\n") + 1;
  let end = s.indexOf("\r\n\r\n");
  if (end < 0) end = s.indexOf("\n\n");
  if (end < 0) end = s.length;
  return [first, Math.max(first, end)];
}

function headerLines(s: string): { lines: string[]; before: string; after: string; eol: string } {
  const eol = s.includes("\r\n") ? "\r\n" : "\n";
  const [a, b] = headRange(s);
  return { lines: s.slice(a, b).split(eol), before: s.slice(0, a), after: s.slice(b), eol };
}

const withLines = (s: string, f: (lines: string[], eol: string) => string[]): string => {
  const h = headerLines(s);
  return h.before + f(h.lines, h.eol).join(h.eol) + h.after;
};

const randomByte = (rng: Prng) => (rng.chance(0.6) ? rng.pick(INTERESTING_BYTES) : rng.int(256));

const MUTATORS: [string, Mutator][] = [
  ["bitflip", (rng, s) => {
    const b = Buffer.from(s, "latin1");
    if (b.length === 0) return s;
    for (let n = 1 + rng.int(8); n > 0; n--) b[rng.int(b.length)] ^= 1 << rng.int(8);
    return b.toString("latin1");
  }],
  ["byteset", (rng, s) => {
    const b = Buffer.from(s, "latin1");
    if (b.length === 0) return s;
    for (let n = 1 + rng.int(4); n > 0; n--) b[rng.int(b.length)] = randomByte(rng);
    return b.toString("latin1");
  }],
  ["truncate", (rng, s) => {
    // Half the time cut at a line boundary (a clean-looking but incomplete message).
    if (rng.chance(0.5)) {
      const nl: number[] = [];
      for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) nl.push(i);
      if (nl.length) return s.slice(0, rng.pick(nl) + 1);
    }
    return s.slice(0, rng.int(s.length + 1));
  }],
  ["nul", (rng, s) => {
    const at = rng.int(s.length + 1);
    return s.slice(0, at) + "\0".repeat(1 + rng.int(8)) + s.slice(at);
  }],
  ["dupheader", (rng, s) =>
    withLines(s, (lines) => {
      if (!lines.length) return lines;
      const i = rng.int(lines.length);
      const times = rng.chance(0.8) ? 1 + rng.int(3) : 1 + rng.int(400);
      return [...lines.slice(0, i + 1), ...Array<string>(times).fill(lines[i]), ...lines.slice(i + 1)];
    })],
  ["hugevalue", (rng, s) =>
    withLines(s, (lines) => {
      if (!lines.length) return lines;
      const i = rng.int(lines.length);
      const colon = lines[i].indexOf(":");
      const name = colon > 0 ? lines[i].slice(0, colon) : rng.pick(HEADER_NAMES);
      const keep = colon > 0 ? lines[i].slice(colon + 1) : "";
      let value: string;
      switch (rng.int(6)) {
        case 0: value = rng.pick(["a", "%", "<", ";", ",", "\"", "9", "\\"]).repeat(1 + rng.int(60_000)); break;
        case 1: value = rng.pick(HUGE_NUMBERS) + (rng.chance(0.5) ? " " + rng.pick(["INVITE", "REGISTER", "BYE", "X"]) : ""); break;
        case 2: value = keep + ";p=v".repeat(1 + rng.int(5_000)); break;
        case 3: value = keep + ("," + keep).repeat(1 + rng.int(500)); break;
        case 4: value = keep + ";expires=" + rng.pick(HUGE_NUMBERS); break;
        default: value = "\"" + "x".repeat(rng.int(10_000)) + (rng.chance(0.5) ? "\"" : "") + " <sip:a@b>";
      }
      lines[i] = `${name}:${value}`;
      return lines;
    })],
  ["deleteline", (rng, s) =>
    withLines(s, (lines) => {
      if (lines.length) lines.splice(rng.int(lines.length), 1);
      return lines;
    })],
  ["swaplines", (rng, s) =>
    withLines(s, (lines) => {
      if (lines.length < 2) return lines;
      const i = rng.int(lines.length), j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines;
    })],
  ["lineends", (rng, s) => (rng.chance(0.5) ? s.replace(/\r\n/g, rng.pick(["\n", "\r", "\r\r\n", "\n\r"])) : s.replace(/\r\n/, "\n"))],
  ["fold", (rng, s) => {
    const [a, b] = headRange(s);
    const at = a + rng.int(Math.max(1, b - a));
    return s.slice(0, at) + rng.pick(["\r\n ", "\r\n\t", "\r\n", " \r\n  "]) + s.slice(at);
  }],
  ["contentlength", (rng, s) =>
    withLines(s, (lines) => {
      const v = rng.chance(0.5) ? String(rng.int(100_000)) : rng.pick(HUGE_NUMBERS);
      const i = lines.findIndex((l) => /^(content-length|l)\s*:/i.test(l));
      if (i >= 0 && rng.chance(0.8)) lines[i] = `Content-Length: ${v}`;
      else lines.push(`${rng.pick(["Content-Length", "l"])}: ${v}`);
      return lines;
    })],
  ["splice", (rng, s, seeds) => {
    const o = rng.pick(seeds).toString("latin1");
    const a = rng.int(s.length + 1), b = rng.int(o.length + 1), n = rng.int(Math.min(2_000, o.length - b) + 1);
    return rng.chance(0.5) ? s.slice(0, a) + o.slice(b, b + n) + s.slice(a) : s.slice(0, a) + o.slice(b);
  }],
  ["double", (rng, s) => s + (rng.chance(0.5) ? "" : "\r\n") + s],
  ["startline", (rng, s) => {
    const eol = s.indexOf("\r\n") >= 0 ? s.indexOf("\r\n") : Math.max(0, s.indexOf("\n"));
    const parts = s.slice(0, eol).split(" ");
    const k = rng.int(parts.length);
    parts[k] = rng.pick(["", "SIP/3.0", "SIP/2.0", "INVITE", "sip:", "<sip:a@b>", "999", "1000", "10", "ACK", "REGISTER", "x".repeat(rng.int(5_000)), "sip:a@b?h=v", "SIP/2.0 200"]);
    return parts.join(rng.chance(0.9) ? " " : rng.pick(["  ", "\t", ""])) + s.slice(eol);
  }],
  ["insertheader", (rng, s) =>
    withLines(s, (lines) => {
      const v = rng.pick(["", ";", "<", "<sip:", "\"", "SIP/2.0/UDP", "Digest", "Digest realm=", ",,,", "0", "1 INVITE", "sip:a@127.0.0.1;lr"]);
      lines.splice(rng.int(lines.length + 1), 0, `${rng.pick(HEADER_NAMES)}:${v}`);
      return lines;
    })],
  ["random", (rng) => {
    const b = Buffer.alloc(rng.int(2_000));
    for (let i = 0; i < b.length; i++) b[i] = rng.u32() & 0xff;
    return b.toString("latin1");
  }],
];

export const MUTATOR_NAMES = MUTATORS.map(([n]) => n);

/**
 * One fuzzed datagram: a random seed with 1-4 random mutations (2 % of datagrams are a seed
 * unchanged, so valid traffic is mixed in).
 */
export function mutate(rng: Prng, seeds: readonly Buffer[], used?: Record<string, number>): Buffer {
  let s = rng.pick(seeds).toString("latin1");
  if (!rng.chance(0.02)) {
    for (let n = 1 + rng.int(4); n > 0; n--) {
      const [name, m] = MUTATORS[rng.int(MUTATORS.length)];
      s = m(rng, s, seeds);
      if (used) used[name] = (used[name] ?? 0) + 1;
      if (s.length > MAX_DATAGRAM) s = s.slice(0, MAX_DATAGRAM);
    }
  }
  if (s.length === 0) s = "\r\n";
  return Buffer.from(s, "latin1");
}

// ---- Live harness -----------------------------------------------------------------------------

export interface FuzzOptions {
  /** Datagrams to send, split between the UA and the registrar. */
  count: number;
  /** PRNG seed (fixed by default, so a failure is reproducible). */
  seed?: number;
  /** Stop sending after this many ms even if `count` is not reached (default 10 min). */
  timeBudgetMs?: number;
  /** Progress callback every ~10 % of the datagrams. */
  onProgress?: (sent: number, total: number) => void;
}

export interface TargetReport {
  /** Fuzz datagrams sent to this socket, and those that arrived (the rest: kernel drops). */
  sent: number;
  delivered: number;
  /** Delivered fuzz datagrams our parser rejects (what `stats.malformed` must at least count). */
  expectedMalformed: number;
  /** Datagrams from other harness sockets (proxied traffic) that did not parse. */
  internalMalformed: number;
  /** Increase of the endpoint's `stats.malformed` during the run. */
  malformedDelta: number;
  /** malformedDelta - expectedMalformed - internalMalformed: handler exceptions caught by the transport. */
  handlerErrors: number;
}

export interface FuzzReport {
  seed: number;
  seeds: { rfc4475: number; captured: number };
  sent: number;
  bytes: number;
  ms: number;
  mutators: Record<string, number>;
  ua: TargetReport;
  registrar: TargetReport;
  /** Exceptions that escaped to the process (must be 0). */
  uncaught: string[];
  /** Sends by the stack towards addresses other than the harness's own sockets, redirected to the sink. */
  redirected: number;
  heap: { beforeMb: number; peakMb: number; afterMb: number; growthMb: number };
  /** After the fuzz: the fuzzed UA re-registers, and a call to it through the registrar is answered. */
  after: { uaRegistered: boolean; peerRegistered: boolean; callAnswered: boolean; byeOk: boolean };
}

export const FUZZ_SEED = 0x5eed_4475;
/** Short transaction timers so fuzz-created transactions (and their memory) drain in ~1.3 s. */
const FUZZ_TIMERS = { t1: 20, t2: 160, t4: 200 };
const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
const ACCOUNTS = [
  { username: "7001", password: "fuzz-7001" },
  { username: "7002", password: "fuzz-7002" },
  { username: "7003", password: "fuzz-7003" },
];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let gcFn: (() => void) | null | undefined;
/** A full GC, whichever way the runtime offers one (node: --expose-gc set at run time; bun: Bun.gc). */
export function fullGc(): void {
  if (gcFn === undefined) {
    const g = globalThis as { gc?: () => void; Bun?: { gc(sync: boolean): void } };
    if (typeof g.gc === "function") gcFn = g.gc;
    else if (g.Bun) gcFn = () => g.Bun!.gc(true);
    else {
      try {
        setFlagsFromString("--expose-gc");
        gcFn = runInNewContext("gc") as () => void;
      } catch {
        gcFn = null;
      }
    }
  }
  gcFn?.();
}

async function heapMb(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    fullGc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}

type SendArgs = unknown[];

/**
 * Redirects every datagram sent by this process to a port outside `allowed` (or to any host but
 * 127.0.0.1) to the sink port. Returns the undo function and a counter.
 */
function installSendGuard(allowed: Set<number>, sinkPort: number): { undo: () => void; redirected: () => number } {
  const proto = dgram.Socket.prototype as unknown as { send: (...a: SendArgs) => void };
  const orig = proto.send;
  let redirected = 0;
  proto.send = function (this: Socket, ...a: SendArgs) {
    // send(msg, port, address?, cb?) or send(msg, offset, length, port, address?, cb?)
    const pi = typeof a[1] === "number" && typeof a[2] === "number" && typeof a[3] === "number" ? 3 : 1;
    const port = a[pi], addr = a[pi + 1];
    if (typeof port === "number") {
      if (typeof addr !== "string") a.splice(pi + 1, 0, "127.0.0.1");
      if (addr !== "127.0.0.1" || !allowed.has(port)) {
        redirected++;
        a[pi] = sinkPort;
        a[pi + 1] = "127.0.0.1";
      }
    }
    return orig.apply(this, a);
  };
  return { undo: () => (proto.send = orig), redirected: () => redirected };
}

/** The dgram sockets bound while `f` runs (to watch what arrives at the registrar's socket). */
async function captureBoundSockets<T>(f: () => Promise<T>): Promise<[T, Socket[]]> {
  const proto = dgram.Socket.prototype as unknown as { bind: (...a: unknown[]) => unknown };
  const orig = proto.bind;
  const got: Socket[] = [];
  proto.bind = function (this: Socket, ...a: unknown[]) {
    got.push(this);
    return orig.apply(this, a);
  };
  try {
    return [await f(), got];
  } finally {
    proto.bind = orig;
  }
}

function openSocket(): Promise<Socket> {
  const s = createSocket("udp4");
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      s.off("error", reject);
      resolve(s);
    });
  });
}

const closeSocket = (s: Socket) => new Promise<void>((r) => s.close(() => r()));

interface Watch {
  report: TargetReport;
  malformedAtStart: number;
}

/** Counts, on the target's own socket, what the fuzzer delivered and what our parser says of it. */
function watchTarget(sock: Socket, fuzzPort: number): Watch {
  const report: TargetReport = { sent: 0, delivered: 0, expectedMalformed: 0, internalMalformed: 0, malformedDelta: 0, handlerErrors: 0 };
  sock.on("message", (buf, rinfo) => {
    const bad = !parseMessage(buf).ok;
    if (rinfo.port === fuzzPort) {
      report.delivered++;
      if (bad) report.expectedMalformed++;
    } else if (bad) report.internalMalformed++;
  });
  return { report, malformedAtStart: 0 };
}

const socketOf = (ua: UserAgent): Socket => (ua as unknown as { transport: { socket: { raw: Socket } } }).transport.socket.raw;

/** Fires `count` mutated datagrams at a live UA and registrar; see the file comment. */
export async function runLiveFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const seed = opts.seed ?? FUZZ_SEED;
  const rng = new Prng(seed);
  const t0 = performance.now();
  // The harness watches and redirects traffic by patching node:dgram's Socket: keep the UDP
  // transport on node:dgram even under Bun (udp.ts would otherwise use Bun.udpSocket).
  const udpBackend = process.env.RINGFLEET_UDP;
  process.env.RINGFLEET_UDP = "dgram";
  const uncaught: string[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.on("uncaughtException", onUncaught);

  const sink = await openSocket();
  sink.on("message", () => {});
  const fuzz = await openSocket();
  fuzz.on("message", () => {});
  const fuzzPort = fuzz.address().port;
  const allowed = new Set<number>([fuzzPort]);
  const guard = installSendGuard(allowed, sink.address().port);
  const closers: (() => Promise<void>)[] = [];
  try {
    const [reg, regSockets] = await captureBoundSockets(() =>
      startRegistrar({ host: "127.0.0.1", port: 0, domain: "127.0.0.1", accounts: ACCOUNTS, timers: FUZZ_TIMERS }),
    );
    closers.push(() => reg.stop());
    const regSocket = regSockets[regSockets.length - 1];
    allowed.add(reg.port);
    const mkUa = async (i: number, trace?: string[]) => {
      const ua = await createUserAgent({
        server: { host: "127.0.0.1", port: reg.port, transport: "UDP" },
        domain: "127.0.0.1",
        account: ACCOUNTS[i],
        timers: FUZZ_TIMERS,
        onTrace: trace ? (e) => trace.push(e.text) : undefined,
      });
      allowed.add(ua.localPort);
      closers.push(() => ua.close());
      return ua;
    };

    // 1. Real traffic between our UA and the registrar, captured as seeds.
    const captured: string[] = [];
    const target = await mkUa(0, captured);
    target.onIncomingCall((call: IncomingCall) => {
      call.ringing();
      call.answer(SDP);
    });
    const peer = await mkUa(1, captured);
    await target.register({ expires: 600 });
    await peer.register({ expires: 600 });
    const c = peer.invite(`sip:${ACCOUNTS[0].username}@127.0.0.1`, SDP);
    if ((await c.final).ok) await c.bye();
    const o = peer.invite(`sip:${ACCOUNTS[2].username}@127.0.0.1`, SDP); // 404 path
    await o.final;
    await peer.unregister();
    (target as unknown as { opts: { onTrace?: unknown } }).opts.onTrace = undefined;
    (target as unknown as { transport: { onTrace(cb: null): void } }).transport.onTrace(null);
    (peer as unknown as { transport: { onTrace(cb: null): void } }).transport.onTrace(null);
    const rfc = loadRfc4475Seeds();
    const seeds = [...rfc, ...captured.map((t) => Buffer.from(t, "utf8"))];
    if (seeds.length === 0) throw new Error("no fuzz seeds");
    await sleep(50);

    // 2. Fuzz, with flow control so the kernel's receive buffer does not drop datagrams.
    const watchUa = watchTarget(socketOf(target), fuzzPort);
    const watchReg = watchTarget(regSocket, fuzzPort);
    watchUa.malformedAtStart = target.stats.malformed;
    watchReg.malformedAtStart = reg.stats.malformed;
    const heapBefore = await heapMb();
    let peak = heapBefore;
    const mutators: Record<string, number> = {};
    const budget = opts.timeBudgetMs ?? 600_000;
    let sent = 0, bytes = 0, windowBytes = 0, windowCount = 0;
    const every = Math.max(1, Math.floor(opts.count / 10));
    const inFlight = () => watchUa.report.sent - watchUa.report.delivered + (watchReg.report.sent - watchReg.report.delivered);
    const drainSends = async (maxMs: number) => {
      const until = performance.now() + maxMs;
      while (inFlight() > 0 && performance.now() < until) await new Promise((r) => setImmediate(r));
    };
    while (sent < opts.count && performance.now() - t0 < budget) {
      const d = mutate(rng, seeds, mutators);
      const toUa = rng.chance(0.5);
      const w = toUa ? watchUa : watchReg;
      w.report.sent++;
      fuzz.send(d, toUa ? target.localPort : reg.port, "127.0.0.1");
      sent++;
      bytes += d.length;
      windowBytes += d.length;
      windowCount++;
      if (windowBytes > 48_000 || windowCount >= 24) {
        await drainSends(500);
        windowBytes = 0;
        windowCount = 0;
      }
      if (sent % every === 0) {
        const h = process.memoryUsage().heapUsed / 2 ** 20;
        if (h > peak) peak = h;
        opts.onProgress?.(sent, opts.count);
      }
    }
    await drainSends(2_000);
    const sendMs = performance.now() - t0;
    // Transactions and calls created by fuzzed requests end within 64*T1 (+ a BYE's own 64*T1).
    await sleep(FUZZ_TIMERS.t1 * 64 * 2 + 300);
    const heapAfter = await heapMb();

    for (const [w, m] of [[watchUa, target.stats.malformed], [watchReg, reg.stats.malformed]] as const) {
      w.report.malformedDelta = m - w.malformedAtStart;
      w.report.handlerErrors = w.report.malformedDelta - w.report.expectedMalformed - w.report.internalMalformed;
    }

    // 3. Still alive: the fuzzed UA re-registers and answers a call through the registrar.
    const ru = await target.register({ expires: 600 });
    const peer2 = await mkUa(2);
    const rp = await peer2.register({ expires: 600 });
    const call = peer2.invite(`sip:${ACCOUNTS[0].username}@127.0.0.1`, SDP);
    const fin = await call.final;
    const bye = fin.ok ? await call.bye() : { ok: false };

    return {
      seed,
      seeds: { rfc4475: rfc.length, captured: captured.length },
      sent,
      bytes,
      ms: Math.round(sendMs),
      mutators,
      ua: watchUa.report,
      registrar: watchReg.report,
      uncaught,
      redirected: guard.redirected(),
      heap: { beforeMb: round1(heapBefore), peakMb: round1(peak), afterMb: round1(heapAfter), growthMb: round1(heapAfter - heapBefore) },
      after: { uaRegistered: ru.ok, peerRegistered: rp.ok, callAnswered: fin.ok, byeOk: bye.ok },
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    guard.undo();
    await closeSocket(fuzz);
    await closeSocket(sink);
    process.off("uncaughtException", onUncaught);
    if (udpBackend === undefined) delete process.env.RINGFLEET_UDP;
    else process.env.RINGFLEET_UDP = udpBackend;
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
