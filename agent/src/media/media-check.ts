/**
 * Checks of the media path that must also run under Bun (media-host.test.ts runs this file with
 * bun: vitest runs on Node, where Bun.udpSocket and Bun's worker threads do not exist).
 * `bun media-check.ts <workers>` prints `MEDIA-CHECK ok` or throws.
 *
 * Two sessions in a MediaPool (0 = calling thread, ≥ 1 = worker threads) call each other for
 * ~0.6 s: both send and receive, the merged report has both endpoints' rows, RTCP flowed (RTT known
 * on the calling thread), and after quiesce + close nothing is left running.
 */
import { MediaHost } from "./media-host.js";
import { MediaPool } from "./media-pool.js";
import { mediaUdpBackend } from "./udp.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assert(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`media check failed: ${what}`);
}

export async function checkMedia(workers: number): Promise<void> {
  // The single-thread host, directly: RTCP SR/RR both ways gives an RTT within ~1.5 s.
  const host = new MediaHost();
  const a = await host.open(1, { codec: "PCMU" });
  const b = await host.open(2, { codec: "PCMU" });
  assert(a.localPort % 2 === 0 && a.localRtcpPort === a.localPort + 1, "even RTP port, RTCP on the next");
  host.start(1, { address: "127.0.0.1", port: b.localPort, payloadType: 0 });
  host.start(2, { address: "127.0.0.1", port: a.localPort, payloadType: 0 });
  await sleep(1700);
  const r = host.report();
  assert(r.agg.packetsSent > 100 && r.agg.packetsReceived > 100, `packets flow (${r.agg.packetsSent}/${r.agg.packetsReceived})`);
  assert(a.rttMs !== null && b.rttMs !== null, "RTCP reports give an RTT");
  host.close();

  const pool = await MediaPool.create(workers);
  const x = await pool.open({ codec: "PCMU" });
  const y = await pool.open({ codec: "PCMU" });
  if (workers >= 2) assert(x.worker !== y.worker, "two sessions go to two workers");
  pool.start(x.id, { address: "127.0.0.1", port: y.port, payloadType: 0 });
  pool.start(y.id, { address: "127.0.0.1", port: x.port, payloadType: 0 });
  await sleep(600);
  const p = await pool.report();
  assert(p.agg.sessions === 2, "two sessions reported");
  assert(p.agg.packetsSent > 30 && p.agg.packetsReceived > 30, `pool packets flow (${p.agg.packetsSent}/${p.agg.packetsReceived})`);
  assert(p.ids.length === 2, "both endpoints' rows");
  await pool.quiesce();
  await sleep(100);
  await pool.report();
  const idle = await pool.report();
  assert(idle.agg.framesSent === 0, "quiesce stops sending");
  await pool.close();
}

if (process.argv[1]?.endsWith("media-check.ts")) {
  const workers = Number(process.argv[2] ?? 0);
  await checkMedia(workers);
  console.log(`MEDIA-CHECK ok (backend ${mediaUdpBackend()}, workers ${workers})`);
  process.exit(0);
}
