/**
 * The UDP floor of the media benchmark (bun bench/media/floor-gen.ts '<json>'): what the generator
 * would cost with no RTP code at all. N sockets on 127.0.0.1 (port genBase+2i, as generator.ts),
 * each sending one 172-byte datagram (a PCMU packet's size) every 20 ms to peerBase+2i and counting
 * what comes back; no RTP header handling, statistics, jitter model or per-second pass. Against the
 * same echo-peer.ts, its CPU is the kernel's and Bun's cost per datagram on this machine, which our
 * engine pays too: the engine's CPU above it is ours to win back, the floor itself is not.
 *
 * Pacing: one 1 ms interval; each tick sends every stream whose 20 ms slot is due (stream i's
 * phase = i mod 20 ms, so N/20 streams per ms), catching up by performance.now() when the timer
 * fires late, so it sends exactly N×50 datagrams/s however the ticks fall (a slot sent 20 ms or
 * more after its due time is counted `late`). Catch-up is capped as MediaScheduler's is (its
 * default maxBurst 2: at most two periods owed per stream), the older slots counted `skipped`:
 * an overloaded process that caught up on everything owed would spend ever longer ticks (each
 * one owing more than the last) and never turn its event loop over. No per-stream timers: their
 * cost would be Bun's timer heap, not the datagram path.
 *
 * Same CLI contract as generator.ts: prints STARTED, MEASURE after the warm-up, END after
 * `seconds`, then stops sending, reads until 0.5 s pass with nothing arriving (max 10 s), reads the
 * kernel's drops for its sockets and prints RESULT <json> (FloorResult). bench/media/floor.c
 * prints the same RESULT shape in its "gen" mode.
 */
import { bunUdp, type BunUdpSocket } from "../../agent/src/net/bun-udp.js";
import { socketDrops } from "./udp-drops.js";

export interface FloorConfig {
  n: number;
  genBase: number;
  peerBase: number;
  seconds: number;
  warmupS: number;
}

export interface FloorResult {
  n: number;
  /** Over the whole run (the peer counts from its start too), after the drain. */
  sent: number;
  received: number;
  sendErrors: number;
  late: number;
  /** Datagrams not sent: slots more than two periods overdue when a tick came (catch-up cap). */
  skipped: number;
  kernelDrops: number;
  /** Between MEASURE and END: what the CPU figures of the orchestrator cover. */
  measured: { sent: number; received: number; seconds: number };
}

const PACKET_BYTES = 172; // 12-byte RTP header + 160 bytes of PCMU (20 ms at 8 kHz)
const SLOTS = 20; // ms per packet interval: one slot per ms
const MAX_OWED = 2 * SLOTS; // slots a tick may still send: MediaScheduler's default maxBurst (2 periods)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? "{}") as FloorConfig;
  const bun = bunUdp();
  if (!bun) throw new Error("floor-gen.ts runs under Bun (Bun.udpSocket)");
  const c = { sent: 0, received: 0, sendErrors: 0, late: 0, skipped: 0 };
  const payload = new Uint8Array(PACKET_BYTES);
  payload[0] = 0x80; // RTP version 2, payload type 0: a plausible packet if anything looks at it
  const sockets: BunUdpSocket[] = [];
  for (let i = 0; i < cfg.n; i++) {
    sockets.push(
      await bun.udpSocket({
        hostname: "127.0.0.1",
        port: cfg.genBase + 2 * i,
        binaryType: "buffer",
        socket: {
          data() {
            c.received++;
          },
          error() {
            c.sendErrors++;
          },
        },
      }),
    );
  }
  // Streams by slot, so a tick walks only the sockets due in it.
  const slots: { sock: BunUdpSocket; port: number }[][] = Array.from({ length: SLOTS }, () => []);
  for (let i = 0; i < cfg.n; i++) slots[i % SLOTS]!.push({ sock: sockets[i]!, port: cfg.peerBase + 2 * i });
  process.stdout.write("STARTED\n");

  const t0 = performance.now();
  let nextMs = 0; // the next 1 ms slot (since t0) not yet sent
  const tick = (): void => {
    const due = Math.floor(performance.now() - t0);
    for (; nextMs <= due - MAX_OWED; nextMs++) c.skipped += slots[nextMs % SLOTS]!.length;
    for (; nextMs <= due; nextMs++) {
      const slot = slots[nextMs % SLOTS]!;
      if (due - nextMs >= SLOTS) c.late += slot.length;
      for (const s of slot) {
        try {
          if (s.sock.send(payload, s.port, "127.0.0.1")) c.sent++;
          else c.sendErrors++;
        } catch {
          c.sendErrors++;
        }
      }
    }
  };
  const timer = setInterval(tick, 1);

  await sleep(Math.max(0, t0 + cfg.warmupS * 1000 - performance.now()));
  const m0 = { sent: c.sent, received: c.received, t: performance.now() };
  process.stdout.write("MEASURE\n");
  let last = { sent: c.sent, received: c.received };
  for (let k = 1; k <= cfg.seconds; k++) {
    await sleep(Math.max(0, m0.t + k * 1000 - performance.now()));
    if (k % 5 === 0) process.stderr.write(`  [gen floor n=${cfg.n}] ${k}s sent ${c.sent - last.sent}/s recv ${c.received - last.received}/s late ${c.late} skipped ${c.skipped} send errors ${c.sendErrors}\n`);
    last = { sent: c.sent, received: c.received };
  }
  const m1 = { sent: c.sent, received: c.received, t: performance.now() };
  process.stdout.write("END\n");
  clearInterval(timer);

  // Drain as generator.ts does: echoes still in flight are not loss.
  let quiet = 0;
  for (let i = 0; i < 40 && quiet < 2; i++) {
    const before = c.received;
    await sleep(250);
    quiet = c.received === before ? quiet + 1 : 0;
  }
  const drops = socketDrops(cfg.genBase, cfg.genBase + 2 * cfg.n - 1);
  const res: FloorResult = {
    n: cfg.n, ...c, kernelDrops: drops.drops,
    measured: { sent: m1.sent - m0.sent, received: m1.received - m0.received, seconds: r3((m1.t - m0.t) / 1000) },
  };
  process.stdout.write(`RESULT ${JSON.stringify(res)}\n`);
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      // exiting anyway
    }
  }
  process.exit(0);
}

await main();
