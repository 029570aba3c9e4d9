/**
 * What the captures say: tshark's own RTP stream analysis (`-z rtp,streams`), and the packets as
 * tshark dissects them (`-T fields`: capture time, sequence number, RTP timestamp), from which the
 * test derives the RFC 3550 quantities over exactly the same packets and instants as the engine.
 *
 * RTP is forced with `-d udp.port==<port>,rtp` (there is no SIP/SDP in the capture to learn it from).
 */
import { execFileSync } from "node:child_process";
import { referenceMos } from "./g107.js";

function tshark(args: string[]): string {
  return execFileSync("tshark", args, { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 });
}

export interface TsharkStream {
  ssrc: number;
  packets: number;
  lost: number;
  lostPct: number;
  meanDeltaMs: number;
  maxDeltaMs: number;
  meanJitterMs: number;
  maxJitterMs: number;
}

/** `tshark -q -z rtp,streams`: one row per stream. */
export function tsharkStreams(pcap: string, port: number): TsharkStream[] {
  const out = tshark(["-r", pcap, "-d", `udp.port==${port},rtp`, "-q", "-z", "rtp,streams"]);
  const rows: TsharkStream[] = [];
  for (const line of out.split("\n")) {
    // … SSRC Payload Pkts Lost (pct%) MinΔ MeanΔ MaxΔ MinJ MeanJ MaxJ [Problems]
    const m = /\s(0x[0-9A-Fa-f]+)\s+\S+\s+(\d+)\s+(-?\d+)\s+\((-?[\d.]+)%\)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(line);
    if (!m) continue;
    rows.push({
      ssrc: Number.parseInt(m[1]!, 16),
      packets: Number(m[2]),
      lost: Number(m[3]),
      lostPct: Number(m[4]),
      meanDeltaMs: Number(m[6]),
      maxDeltaMs: Number(m[7]),
      meanJitterMs: Number(m[9]),
      maxJitterMs: Number(m[10]),
    });
  }
  return rows;
}

/**
 * Round trips as the wire saw them at the endpoint's veth: for every RTCP report arriving at
 * `localAddress` whose block carries an LSR, the SR it refers to is found among the endpoint's
 * outgoing SRs by its NTP middle 32 bits, and RTT = (report capture time − SR capture time) − DLSR
 * (RFC 3550 §6.4.1 with capture timestamps; what Wireshark's "roundtrip delay" does, unrounded).
 */
export interface WireRtt {
  /** Capture time of the report that gave it (Unix ms). */
  at: number;
  rttMs: number;
}

export function wireRtts(pcap: string, rtcpPort: number, localAddress: string): WireRtt[] {
  const out = tshark(["-r", pcap, "-d", `udp.port==${rtcpPort},rtcp`, "-Y", "rtcp", "-T", "fields", "-E", "separator=;", "-E", "aggregator=,",
    "-e", "frame.time_epoch", "-e", "ip.src", "-e", "rtcp.timestamp.ntp.msw", "-e", "rtcp.timestamp.ntp.lsw", "-e", "rtcp.ssrc.lsr", "-e", "rtcp.ssrc.dlsr"]);
  const srAt = new Map<number, number>();
  const rtts: WireRtt[] = [];
  for (const line of out.split("\n")) {
    const [t, src, msw, lsw, lsr, dlsr] = line.split(";");
    if (!t) continue;
    const at = Number(t) * 1000;
    if (src === localAddress) {
      if (msw && lsw) srAt.set((((Number(msw) & 0xffff) << 16) | (Number(lsw) >>> 16)) >>> 0, at);
      continue;
    }
    if (!lsr) continue;
    const l = Number(lsr.split(",")[0]);
    const sent = srAt.get(l);
    if (!l || sent === undefined) continue;
    rtts.push({ at, rttMs: at - sent - (Number((dlsr ?? "0").split(",")[0]) * 1000) / 65536 });
  }
  return rtts;
}

export interface CapturedPacket {
  /** Capture time, Unix ms. */
  t: number;
  seq: number;
  ts: number;
  /** Sequence number extended over wraps (relative to the first packet's cycle). */
  ext: number;
}

/** Every RTP packet of the capture in capture order, as tshark dissects it. */
export function capturedPackets(pcap: string, port: number): CapturedPacket[] {
  const out = tshark(["-r", pcap, "-d", `udp.port==${port},rtp`, "-Y", "rtp", "-T", "fields", "-E", "separator=,", "-e", "frame.time_epoch", "-e", "rtp.seq", "-e", "rtp.timestamp"]);
  const pkts: CapturedPacket[] = [];
  let maxExt = Number.NaN;
  for (const line of out.split("\n")) {
    const [t, seq, ts] = line.split(",");
    if (!t || seq === undefined || ts === undefined) continue;
    const s = Number(seq);
    let ext: number;
    if (Number.isNaN(maxExt)) ext = s;
    else {
      const d = ((s - (maxExt & 0xffff) + 0x8000) & 0xffff) - 0x8000; // signed 16-bit distance to the highest so far
      ext = maxExt + d;
    }
    if (Number.isNaN(maxExt) || ext > maxExt) maxExt = ext;
    pkts.push({ t: Number(t) * 1000, seq: s, ts: Number(ts), ext });
  }
  return pkts;
}

export interface CaptureTruth {
  received: number;
  /** RFC 3550 §A.3 over the capture: highest − lowest extended sequence number + 1. */
  expected: number;
  lost: number;
  lostPct: number;
  /** tshark's own definition, reproduced: last − first packet in capture order (see the test). */
  tsharkDefExpected: number;
  tsharkDefLost: number;
  /** Mean of the §A.8 estimate over packets 2…n, from capture times (ms). */
  jitterMeanMs: number;
  reordered: number;
}

/** §A.8 estimate after each packet (ms; index 0 is 0), from capture times and RTP timestamps. */
export function jitterSeries(pkts: readonly CapturedPacket[], clockRate = 8000): number[] {
  const out = [0];
  let j = 0;
  for (let i = 1; i < pkts.length; i++) {
    const a = pkts[i - 1]!;
    const b = pkts[i]!;
    let dts = b.ts - a.ts; // RTP timestamps are 32-bit: take the short way round a wrap
    if (dts > 2 ** 31) dts -= 2 ** 32;
    else if (dts < -(2 ** 31)) dts += 2 ** 32;
    const d = ((b.t - a.t) * clockRate) / 1000 - dts;
    j += (Math.abs(d) - j) / 16;
    out.push((j * 1000) / clockRate);
  }
  return out;
}

export function captureTruth(pkts: readonly CapturedPacket[]): CaptureTruth {
  let lo = Infinity;
  let hi = -Infinity;
  let reordered = 0;
  for (const p of pkts) {
    if (p.ext < hi) reordered++;
    lo = Math.min(lo, p.ext);
    hi = Math.max(hi, p.ext);
  }
  const expected = pkts.length ? hi - lo + 1 : 0;
  const lost = expected - pkts.length;
  const tsharkDefExpected = pkts.length ? pkts[pkts.length - 1]!.ext - pkts[0]!.ext + 1 : 0;
  const js = jitterSeries(pkts);
  const jitterMeanMs = js.length > 1 ? js.slice(1).reduce((s, x) => s + x, 0) / (js.length - 1) : 0;
  return {
    received: pkts.length,
    expected,
    lost,
    lostPct: expected ? (100 * lost) / expected : 0,
    tsharkDefExpected,
    tsharkDefLost: tsharkDefExpected - pkts.length,
    jitterMeanMs,
    reordered,
  };
}

export interface IntervalTruth {
  at: number;
  expected: number;
  lost: number;
  lossPct: number;
  jitterMs: number;
  mos: number;
}

/**
 * The per-second metric inputs as the capture has them, for each sample instant `at` (the
 * receiver's wall clock, the same clock the capture stamps with):
 *  - loss over the sequence numbers that became "settled" in (previous at, at] — those more than
 *    `settle` packets below the highest captured so far, as the engine defines its per-second
 *    loss — counting as lost only the numbers that never appear in the whole capture (truth);
 *  - the §A.8 estimate at `at` from capture times;
 * and the reference MOS with the round trip `rttAt(at)`.
 */
export function intervalTruth(pkts: readonly CapturedPacket[], sampleTimes: readonly number[], rttAt: (at: number) => number, settle: number): IntervalTruth[] {
  const js = jitterSeries(pkts);
  const present = new Set(pkts.map((p) => p.ext));
  const lo = pkts.reduce((m, p) => Math.min(m, p.ext), Infinity);
  let horizon = lo - 1;
  let high = -Infinity;
  let i = 0;
  const out: IntervalTruth[] = [];
  for (const at of sampleTimes) {
    while (i < pkts.length && pkts[i]!.t <= at) {
      high = Math.max(high, pkts[i]!.ext);
      i++;
    }
    const target = Math.max(horizon, high - settle);
    let lost = 0;
    for (let e = horizon + 1; e <= target; e++) if (!present.has(e)) lost++;
    const expected = target - horizon;
    horizon = target;
    const lossPct = expected > 0 ? (100 * lost) / expected : 0;
    const jitterMs = i > 0 ? js[i - 1]! : 0;
    out.push({ at, expected, lost, lossPct, jitterMs, mos: referenceMos(rttAt(at), jitterMs, lossPct) });
  }
  return out;
}
