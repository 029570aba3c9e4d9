/**
 * A user-space network emulator for the media-truth test, run in the middle namespace
 * (`ip netns exec <ns-m> bun relay.ts '<json config>'`). It stands in for `tc … netem` where the
 * kernel has no sch_netem: each side's endpoint sends its RTP/RTCP to the relay's address facing
 * it, and the relay forwards to the other endpoint from its address facing that one (a
 * media-relay/SBC topology), impairing on the way exactly as netem does by default:
 *
 *  - RTP: each packet independently dropped with probability lossPct/100 ("loss random"), else
 *    sent after delayMs + U(−jitterMs, +jitterMs) (netem's default uniform jitter, clamped at 0,
 *    so packets may overtake each other as with netem's time-sorted queue).
 *  - RTCP (port + 1): the constant delay only, so the round trip has one true value (2 × delay)
 *    and RTT can be checked tightly.
 *
 * Loss and jitter use a seeded PRNG (mulberry32, one per direction) so a run can be repeated.
 * The captures on the endpoints' veth ends, not this process's intentions, are the truth the
 * test compares against.
 *
 * stdin lines: "stats" → one JSON line of counters; "stop" or EOF → exit.
 */
import { createSocket, type Socket } from "node:dgram";
import { createInterface } from "node:readline";

export interface RelayConfig {
  /** Relay's address facing A and the RTP port A sends to (RTCP on +1). */
  sideA: { bind: string; port: number };
  /** Relay's address facing B and the RTP port B sends to (RTCP on +1). */
  sideB: { bind: string; port: number };
  peerA: { address: string; port: number };
  peerB: { address: string; port: number };
  media: { delayMs: number; jitterMs: number; lossPct: number };
  seed: number;
}

export interface RelayStats {
  aToB: { received: number; dropped: number; forwarded: number };
  bToA: { received: number; dropped: number; forwarded: number };
  rtcp: number;
}

const cfg = JSON.parse(process.argv[2] ?? "{}") as RelayConfig;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bind(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(port, address, () => {
      s.off("error", reject);
      s.on("error", () => undefined);
      resolve(s);
    });
  });
}

const [aRtp, aRtcp, bRtp, bRtcp] = await Promise.all([
  bind(cfg.sideA.bind, cfg.sideA.port),
  bind(cfg.sideA.bind, cfg.sideA.port + 1),
  bind(cfg.sideB.bind, cfg.sideB.port),
  bind(cfg.sideB.bind, cfg.sideB.port + 1),
]);

const stats: RelayStats = { aToB: { received: 0, dropped: 0, forwarded: 0 }, bToA: { received: 0, dropped: 0, forwarded: 0 }, rtcp: 0 };
const { delayMs, jitterMs, lossPct } = cfg.media;

function later(ms: number, fn: () => void): void {
  // Plain timers: they fire up to a millisecond or two late, which the captures see (spinning on
  // setImmediate to be punctual cost so much CPU on 2 cores that every other timing got worse).
  if (ms <= 0) fn();
  else setTimeout(fn, ms);
}

function media(out: Socket, to: { address: string; port: number }, c: { received: number; dropped: number; forwarded: number }, seed: number) {
  // One generator per direction, so each direction's loss pattern depends only on the seed.
  const rnd = mulberry32(seed);
  return (msg: Buffer): void => {
    c.received++;
    if (lossPct > 0 && rnd() * 100 < lossPct) {
      c.dropped++;
      return;
    }
    const d = jitterMs > 0 ? Math.max(0, delayMs + (rnd() * 2 - 1) * jitterMs) : delayMs;
    later(d, () => {
      c.forwarded++;
      out.send(msg, to.port, to.address);
    });
  };
}

function control(out: Socket, to: { address: string; port: number }) {
  return (msg: Buffer): void => {
    stats.rtcp++;
    later(delayMs, () => out.send(msg, to.port + 1, to.address));
  };
}

aRtp.on("message", media(bRtp, cfg.peerB, stats.aToB, cfg.seed));
bRtp.on("message", media(aRtp, cfg.peerA, stats.bToA, cfg.seed ^ 0x5bd1e995));
aRtcp.on("message", control(bRtcp, cfg.peerB));
bRtcp.on("message", control(aRtcp, cfg.peerA));

const exit = (): void => {
  for (const s of [aRtp, aRtcp, bRtp, bRtcp]) s.close();
  process.exit(0);
};
createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line.trim() === "stats") process.stdout.write(JSON.stringify(stats) + "\n");
    else if (line.trim() === "stop") exit();
  })
  .on("close", exit);
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
// Hard bound: never outlive a call by much, whatever happens to the test.
setTimeout(() => process.exit(3), 120_000).unref();
