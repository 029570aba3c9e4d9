/**
 * One side of a media-truth call, run inside a network namespace (`ip netns exec <ns> bun peer.ts
 * <bindAddress> <rtpPort>`). It opens one RtpSession on its own MediaScheduler and obeys JSON-line
 * commands on stdin, answering one JSON line per command on stdout:
 *
 *   {"cmd":"offer"}                       → {"ok":true,"sdp":…}
 *   {"cmd":"answer","sdp":…}              → {"ok":true,"sdp":…}
 *   {"cmd":"applyAnswer","sdp":…}         → {"ok":true}
 *   {"cmd":"start","samples":N}           → {"ok":true}  then samples once a second, N times
 *   {"cmd":"mute"}                        → {"ok":true}  the clock stops: no more RTP/RTCP out
 *   {"cmd":"report"}                      → {"ok":true,"report":PeerReport}
 *   {"cmd":"stop"}                        → {"ok":true}  then exits
 *
 * Muting before the report lets packets still in the (delayed) link arrive and be counted, so the
 * receiver's statistics cover exactly what a capture of the link sees.
 */
import { createInterface } from "node:readline";
import { MediaScheduler, RtpSession, type MediaSummary, type SecondMetricValues } from "../../agent/src/media/index.js";

export interface PeerSample extends SecondMetricValues {
  /** Wall-clock ms (Date.now()) when sample() was taken. */
  at: number;
}

export interface PeerReport {
  samples: PeerSample[];
  summary: MediaSummary;
  /** §A.3 totals at the end. */
  expected: number;
  received: number;
  cumulativeLost: number;
  ssrc: number;
  remoteSsrc: number;
  /** Mean of the §A.8 estimate over every accepted packet after the first (what tshark's Mean Jitter is). */
  jitterPerPacketMeanMs: number;
  jitterFinalMs: number;
  rttMs: number | null;
}

const [bindAddress = "127.0.0.1", portArg = "0"] = process.argv.slice(2);
const scheduler = new MediaScheduler();
// No modelled playout buffer: the truth test holds MOS to G.107 on what the capture can know
// (network loss, §A.8 jitter, RTT); late discards of a modelled phone buffer are not on the wire.
const session = await RtpSession.open({ localAddress: bindAddress, port: Number(portArg), codec: "PCMU", scheduler, jitterBuffer: { mode: "none" } });

// Observe the per-packet jitter estimate without touching the engine: wrap this instance's onPacket.
let jitterSum = 0;
let jitterN = 0;
const stats = session.stats;
const origOnPacket = stats.onPacket.bind(stats);
stats.onPacket = (seq, ts, arrival, size, ssrc) => {
  const accepted = origOnPacket(seq, ts, arrival, size, ssrc);
  if (accepted && stats.received > 1) {
    jitterSum += stats.jitterMs;
    jitterN++;
  }
  return accepted;
};

const samples: PeerSample[] = [];
let sampleTimer: ReturnType<typeof setInterval> | null = null;
const out = (o: unknown): void => {
  process.stdout.write(JSON.stringify(o) + "\n");
};

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  let msg: { cmd: string; sdp?: string; samples?: number };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch {
    out({ ok: false, reason: "bad json" });
    return;
  }
  try {
    switch (msg.cmd) {
      case "offer":
        out({ ok: true, sdp: session.offer() });
        break;
      case "answer":
        out(session.answer(msg.sdp ?? ""));
        break;
      case "applyAnswer":
        out(session.applyAnswer(msg.sdp ?? ""));
        break;
      case "start": {
        session.start();
        let left = msg.samples ?? 10;
        sampleTimer = setInterval(() => {
          samples.push({ at: Date.now(), ...session.sample() });
          if (--left <= 0 && sampleTimer) {
            clearInterval(sampleTimer);
            sampleTimer = null;
          }
        }, 1000);
        out({ ok: true });
        break;
      }
      case "mute":
        scheduler.stop();
        out({ ok: true });
        break;
      case "report": {
        const report: PeerReport = {
          samples,
          summary: session.summary(),
          expected: stats.expected,
          received: stats.received,
          cumulativeLost: stats.cumulativeLost,
          ssrc: session.ssrc,
          remoteSsrc: stats.currentSsrc,
          jitterPerPacketMeanMs: jitterN ? jitterSum / jitterN : 0,
          jitterFinalMs: stats.jitterMs,
          rttMs: session.rttMs,
        };
        out({ ok: true, report });
        break;
      }
      case "stop":
        if (sampleTimer) clearInterval(sampleTimer);
        session.stop();
        out({ ok: true });
        setTimeout(() => process.exit(0), 50);
        break;
      default:
        out({ ok: false, reason: `unknown command ${msg.cmd}` });
    }
  } catch (err) {
    out({ ok: false, reason: String(err) });
  }
});
rl.on("close", () => {
  // The test went away: never linger.
  session.stop();
  process.exit(0);
});
out({ ok: true, ready: true, port: session.localPort });
// Hard bound: a peer never outlives a call by much, whatever happens to the test.
setTimeout(() => process.exit(3), 120_000).unref();
