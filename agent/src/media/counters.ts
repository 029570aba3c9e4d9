/**
 * Process-wide media counters (all sessions), for the agent's load report (AgentCounters in
 * agent/src/runtime/agent.ts: pps and drops).
 */

/** Cumulative since process start. Written by RtpSession on the hot path (plain increments). */
export const mediaCounters = {
  packetsSent: 0,
  packetsReceived: 0,
  /** RTP/RTCP datagrams that failed validation and were dropped. */
  malformed: 0,
  /** Frames the scheduler could not send in time (catch-up skipped them). */
  skippedFrames: 0,
  sendErrors: 0,
  /** SRTP/SRTCP packets that failed authentication or decryption (RFC 3711 §3.3). */
  srtpDecryptFailures: 0,
};

export interface MediaRateMeter {
  /** RTP packets per second, sent + received, since the previous `pps()` call. */
  pps(): number;
  /** Drops (malformed + skipped frames + send errors) since the previous `drops()` call; integer. */
  drops(): number;
}

/**
 * A meter over `mediaCounters` (or `read()`: e.g. this thread's plus the media workers'); each
 * reader gets its own meter.
 */
export function createMediaRateMeter(clock: () => number = () => performance.now(), read: () => typeof mediaCounters = () => mediaCounters): MediaRateMeter {
  const first = read();
  let lastPackets = first.packetsSent + first.packetsReceived;
  let lastAt = clock();
  let lastDrops = first.malformed + first.skippedFrames + first.sendErrors;
  return {
    pps() {
      const now = clock();
      const c = read();
      const packets = c.packetsSent + c.packetsReceived;
      const dt = (now - lastAt) / 1000;
      const rate = dt > 0 ? (packets - lastPackets) / dt : 0;
      lastPackets = packets;
      lastAt = now;
      return Math.max(0, rate);
    },
    drops() {
      const c = read();
      const d = c.malformed + c.skippedFrames + c.sendErrors;
      const delta = d - lastDrops;
      lastDrops = d;
      return Math.max(0, Math.round(delta));
    },
  };
}
