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
  if (workers >= 1) await checkPooledPorts(workers);
}

/**
 * An agent endpoint's media on workers (pooled-port.ts): two ports negotiate by SDP through their
 * workers (PCMU plain, SDES and DTLS-SRTP, and Opus: libopus's wasm loads on the worker, also inside
 * the compiled binary), exchange media, and the frame's prefetch brings each one row of real
 * metrics once; a DTLS fingerprint that does not match reaches the port as a failure.
 */
async function checkPooledPorts(workers: number): Promise<void> {
  const pool = await MediaPool.create(workers);
  const cases = [{ codec: "PCMU" }, { codec: "PCMU", srtp: "SDES" }, { codec: "PCMU", srtp: "DTLS" }, { codec: "OPUS" }] as const;
  for (const c of cases) {
    const srtp = "srtp" in c ? c.srtp : undefined;
    const what = `${c.codec} ${srtp ?? "RTP"}`;
    const caller = await pool.openPort({ localAddress: "127.0.0.1", codec: c.codec, ...(srtp ? { srtp } : {}) });
    const callee = await pool.openPort({ localAddress: "127.0.0.1", codec: c.codec, ...(srtp ? { srtp } : {}) });
    if (workers >= 2) assert(caller.worker !== callee.worker, "caller and callee on two workers");
    const offer = await caller.offer();
    assert(offer.includes(`m=audio ${caller.localPort} `), `offer carries the worker's RTP port (${what})`);
    if (c.codec === "OPUS") assert(offer.includes("a=rtpmap:111 opus/48000/2\r\n"), "Opus offered on PT 111 (RFC 7587 §7)");
    const answer = await callee.answer(offer);
    assert(answer.ok, `answer (${what}): ${answer.ok ? "" : answer.reason}`);
    if (c.codec === "OPUS") assert(/m=audio \d+ RTP\/AVP 111 /.test(answer.sdp), `Opus answered: ${answer.sdp}`);
    const neg = await caller.applyAnswer(answer.sdp);
    assert(neg.ok, `applyAnswer (${what}): ${neg.ok ? "" : neg.reason}`);
    callee.start();
    caller.start();
    await sleep(1200);
    assert(Object.keys(caller.sample(Date.now())).length === 0, "no metrics before a prefetch");
    await pool.prefetch([caller, callee], Date.now());
    for (const [name, port] of [["caller", caller], ["callee", callee]] as const) {
      const m = port.sample(Date.now());
      const d = port.detail();
      assert((m.packets_received ?? 0) > 20 && (m.packets_sent ?? 0) > 20, `${name} (${what}) sends and receives: ${JSON.stringify(m)}`);
      assert((m.mos ?? 0) > 4 && m.srtp_decrypt_failures === 0, `${name} (${what}) MOS ${m.mos}, SRTP failures ${m.srtp_decrypt_failures}`);
      assert(Object.keys(d).length === 23 && (d.avg_packet_spacing ?? 0) > 10, `${name} detail metrics come with the row: ${JSON.stringify(d)}`);
      // Levels of the decoded audio (G.711 by table, Opus through libopus): the source's, not the floor.
      assert((d.audio_level_dbov ?? -127) > -60, `${name} (${what}) audio level ${d.audio_level_dbov} dBov`);
      // Jitter at the codec's clock (48 kHz for Opus; read at 8 kHz it would be ~100 ms).
      assert((m.jitter_ms ?? 99) < 20, `${name} (${what}) jitter ${m.jitter_ms} ms`);
      assert(Object.keys(port.sample(Date.now())).length === 0, `${name}: a fetched row is handed out once`);
    }
    caller.stop();
    callee.stop();
  }
  // DTLS against an answer whose fingerprint is not the callee's certificate: the handshake
  // completes, the check fails, and the failure reaches the main thread's port.
  const a = await pool.openPort({ localAddress: "127.0.0.1", codec: "PCMU", srtp: "DTLS" });
  const b = await pool.openPort({ localAddress: "127.0.0.1", codec: "PCMU", srtp: "DTLS" });
  const ans = await b.answer(await a.offer());
  assert(ans.ok, "DTLS answer");
  const forged = ans.sdp.replace(/a=fingerprint:sha-256 ([0-9A-F:]+)/i, (_m, fp: string) => `a=fingerprint:sha-256 ${fp.startsWith("00") ? "11" : "00"}${fp.slice(2)}`);
  assert((await a.applyAnswer(forged)).ok, "forged answer is well-formed");
  const failed = new Promise<string>((resolve) => a.onFailure(resolve));
  b.start();
  a.start();
  const reason = await Promise.race([failed, sleep(5000).then(() => "")]);
  assert(/fingerprint/i.test(reason), `fingerprint mismatch pushed to the port (got "${reason}")`);
  a.stop();
  b.stop();
  if (workers >= 2) await checkWorkerLoss(pool);
  await pool.close();
}

/**
 * A media thread that dies takes only its own calls: their ports fail with the reason, the
 * frame's prefetch still returns, and new calls go to the threads that are left.
 */
async function checkWorkerLoss(pool: MediaPool): Promise<void> {
  const p = await pool.openPort({ localAddress: "127.0.0.1", codec: "PCMU" });
  const failed = new Promise<string>((resolve) => p.onFailure(resolve));
  // The test reaches into the pool to stop one thread the way a crash would (the thread is gone).
  const lanes = (pool as unknown as { lanes: { worker: { terminate(): Promise<number> } }[] }).lanes;
  await lanes[p.worker]!.worker.terminate();
  const reason = await Promise.race([failed, sleep(3000).then(() => "")]);
  assert(reason.startsWith("media thread stopped"), `a dead media thread fails its calls (got "${reason}")`);
  await pool.prefetch([p], Date.now());
  assert(Object.keys(p.sample(Date.now())).length === 0, "prefetch returns without the dead thread's rows");
  const q = await pool.openPort({ localAddress: "127.0.0.1", codec: "PCMU" });
  assert(q.worker !== p.worker, "new calls go to a live media thread");
  assert((await q.offer()).includes("m=audio "), "and negotiate there");
  q.stop();
  p.stop();
}

if (process.argv[1]?.endsWith("media-check.ts")) {
  const workers = Number(process.argv[2] ?? 0);
  await checkMedia(workers);
  console.log(`MEDIA-CHECK ok (backend ${mediaUdpBackend()}, workers ${workers})`);
  process.exit(0);
}
