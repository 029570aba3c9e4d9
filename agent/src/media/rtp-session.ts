/**
 * One call's media: RTP over UDP with RTCP on port + 1 (RFC 3550 §11; on the RTP port when the peer
 * offered rtcp-mux, RFC 5761), G.711, G.722 or Opus from the pre-encoded loop, optional SDES-SRTP,
 * RFC 4733 DTMF, receiver statistics, RTCP SR/RR
 * with RTT, and per-second quality metrics.
 *
 * Usage:
 *   const scheduler = sharedScheduler();                       // one per process
 *   const s = await RtpSession.open({ localAddress: "127.0.0.1", codec: "PCMU", scheduler });
 *   const offer = s.offer();                                   // or s.answer(remoteOffer)
 *   const neg = s.applyAnswer(remoteAnswerSdp);                // { ok } | { ok: false, reason }
 *   s.start();                                                 // or s.start({ address, port, payloadType })
 *   s.sample(Date.now());  // SECOND_METRICS: { mos, r_factor, jitter_ms, rtt_ms, fraction_lost,
 *                          //   packets_lost, packets_sent/received, bytes_sent/received,
 *                          //   srtp_decrypt_failures, dtmf_digits_sent/received }
 *   s.detail();            // DETAIL_METRICS of the same interval
 *   s.sendDtmf("123#");    // RFC 4733, when the peer negotiated telephone-event
 *   s.summary();           // per-call aggregates
 *   s.stop();
 *
 * `offer / answer / applyAnswer / start / sample / stop` match the runtime's MediaPort.
 *
 * Behaviour:
 *  - Sockets: RTP on an even port, RTCP on the next (odd) one; `port: 0` picks ephemeral ones.
 *    Bun.udpSocket under Bun, node:dgram elsewhere (udp.ts).
 *  - Codec and clock: the negotiated codec (its PT from the SDP; Opus's is dynamic, RFC 7587 §7)
 *    sets the RTP clock (codecs.ts): 8000 Hz for G.711 and G.722 (RFC 3551 §4.5.2), 48000 Hz for
 *    Opus (RFC 7587 §4.1). Timestamps advance one 20 ms packet's units (160 or 960), and every
 *    receive statistic in time units (jitter, spacing, drift, timestamp jumps, the jitter-buffer
 *    model) and RFC 4733 events (telephone-event at the audio's clock, §2.1) use that clock. An
 *    endpoint given `preferCodec` answers with it whenever the offer lists it (sdp.ts).
 *  - Sending: driven by the process's MediaScheduler (no per-call timers); a preallocated ring of
 *    packet buffers (packet-ring.ts; Opus payloads vary in size, each packet is an exact-length
 *    view); header written by hand, payload copied from the pre-encoded loop.
 *  - Symmetric RTP / comedia: we send to the SDP address; when valid RTP (or RTCP) arrives from
 *    another source address, we learn it and send there from then on.
 *  - RTCP: first SR 0.5 s after start, then every 1 s for the next three, then every 5 s (so RTT
 *    is known early in short calls). Each compound is SR (RR before we sent anything) + SDES CNAME
 *    with one report block about the peer once we heard it. Received SR give LSR/DLSR for our
 *    blocks; received blocks about our SSRC give RTT = A − LSR − DLSR (RFC 3550 §6.4.1).
 *  - `stop()` sends an RTCP BYE (§6.6) and closes both sockets.
 *  - RTCP arriving on the RTP port (a peer using rtcp-mux, RFC 5761 §4: PT 200–204) is handled
 *    as RTCP. Anything malformed is counted in `malformed` and dropped.
 *  - `sample()`:
 *      fraction_lost  — RFC 3550 §A.3 interval loss since the previous sample, in %, over sequence
 *                       numbers settled against reordering (rtp-stats.ts `settledInterval`: a
 *                       packet counts once the stream is 10 packets past it). If the session
 *                       has been started for ≥ 1.5 s, the peer declared it sends (sendrecv or
 *                       sendonly) and nothing at all arrived in the interval, it is 100 (dead
 *                       media is reported, not hidden behind "nothing expected").
 *      rtt_ms         — 0 until the first report block about our stream arrives (metrics.ts).
 *      r_factor, mos  — G.107 (emodel.ts) once RTP has been received or the session has run
 *                       1.5 s (before that both are 0), from what a phone would suffer with the
 *                       modelled playout buffer (jitter-buffer.ts, option `jitterBuffer`, default
 *                       adaptive): loss = interval loss + packets its buffer discarded as late in
 *                       the interval, delay = RTT/2 + buffer delay + one packet. With
 *                       `jitterBuffer: { mode: "none" }` it is the network's: interval loss and
 *                       RTT/2 + max(20 ms, 2 × jitter) + 20 ms.
 *      jitter_ms      — current §A.8 estimate in ms.
 *      counters       — cumulative; bytes are RTP header + payload.
 *  - SRTP (SDES, RFC 4568) when `srtp` lists suites: the offer is RTP/SAVP with one `a=crypto` per
 *    suite (fresh keys per session), the answer echoes the chosen tag with our own key; every RTP
 *    and RTCP packet is protected/unprotected by srtp.ts (werift). A packet that fails
 *    authentication or decryption is dropped and counted (`srtp_decrypt_failures`); it never
 *    reaches the statistics. Byte counters then count the SRTP packet (header + payload + tag).
 *  - DTLS-SRTP (RFC 5764, dtls-srtp.ts) when `dtls` gives the endpoint's certificate: the offer is
 *    UDP/TLS/RTP/SAVP with `a=fingerprint`, `a=setup:actpass` and `a=rtcp-mux`; the answerer takes
 *    `a=setup:active` (RFC 5763 §5) and starts the handshake on start(); the offerer becomes the
 *    server when a ClientHello arrives (possibly before the answer) or the client if the answer says
 *    passive. DTLS shares the RTP port (RFC 7983 §7: first octet 20–63 = DTLS, 128–191 = RTP/RTCP).
 *    Keys are installed only after the handshake and a match of the peer's certificate with its
 *    a=fingerprint; until then nothing is sent and what arrives is dropped. RTCP goes over the RTP
 *    port when both sides said rtcp-mux (RFC 5761); a peer without it gets no RTCP from us (RFC 5764
 *    §4 keys a separate RTCP component by a handshake of its own, which we do not run). A failed
 *    handshake or a fingerprint mismatch sets `failure` and calls the `onFailure` listeners (the
 *    endpoint ends the call).
 *  - DTMF (RFC 4733, dtmf.ts): `sendDtmf("123#")` queues digits sent with the peer's negotiated
 *    telephone-event PT in place of audio (same SSRC, sequence continues, event timestamp fixed at
 *    the event start). Received event packets (the PT we declared, or the peer's) are fed to the sequence
 *    statistics but not to jitter (their timestamp is the event start, not the sampling instant),
 *    and to the detector: `dtmf_digits_received`, `receivedDigits`.
 *  - DTMF over SIP INFO (dtmf-info.ts), beside RFC 4733: `sendDtmfInfo("12", sendInfo)` sends one
 *    INFO per digit through the caller's dialog and counts accepted ones in `dtmf_digits_sent`;
 *    `onSipInfo(contentType, body)` takes a received INFO and counts its digit in
 *    `dtmf_digits_received` / `receivedDigits` (and calls `onDtmf`), like an RFC 4733 event.
 *  - `detail()`: the per-endpoint detail keys of protocol/metrics.ts DETAIL_METRICS, computed by
 *    the same `sample()` call (rates over its interval): network counters and rates, sequence
 *    anomalies, packet spacing, timestamp jumps, clock drift, SSRC switches, the peer's RTCP
 *    interval, the jitter buffer and received audio levels (arrival-stats.ts, jitter-buffer.ts,
 *    audio-level.ts). Levels come from G.711 payloads by table, from Opus by decoding every packet
 *    (one libopus decoder per session at 16 kHz, opus.ts: ~25 µs per 20 ms SILK packet under Bun);
 *    an Opus payload that does not decode counts in `malformed` and `undecodable`. G.722 is not
 *    decoded: its levels read the floor (−127 dBov).
 *  - `dropEveryNth` (test shim): every Nth outgoing packet is not put on the wire (as if the
 *    network lost it); it is still counted as sent and consumes a sequence number.
 */
import { randomBytes } from "node:crypto";
import { mediaCounters } from "./counters.js";
import { bindMediaUdp, type MediaSocket, type Sender } from "./udp.js";
import { ArrivalStats } from "./arrival-stats.js";
import { FailureSignal } from "./failure-signal.js";
import { AudioLevelMeter } from "./audio-level.js";
import { CODEC_IMPAIRMENT, mosFromR, mouthToEarMs, rFactor } from "./emodel.js";
import { DEFAULT_JITTER_BUFFER, JitterBufferModel, type JitterBufferConfig } from "./jitter-buffer.js";
import { buildBye, buildRr, buildSdesCname, buildSr, msToNtpShort, ntpMiddle32FromMs, parseRtcp, rttMs, type ReportBlock } from "./rtcp.js";
import { newRtpHeaderView, readRtpHeader, RTP_HEADER_BYTES, writeRtpHeader } from "./rtp-packet.js";
import { RtpReceiverStats } from "./rtp-stats.js";
import type { MediaScheduler, ScheduledStream, SchedulerHandle } from "./scheduler.js";
import { DtmfDetector, DtmfSender, EVENT_PAYLOAD_BYTES, writeTelephoneEvent, type DtmfOptions } from "./dtmf.js";
import { DtmfInfoSender, parseDtmfInfo, type DtmfInfoOptions, type SendInfo } from "./dtmf-info.js";
import {
  audioStream,
  buildSdp,
  negotiate,
  OPUS_PT,
  parseSdp,
  STATIC_PT,
  TELEPHONE_EVENT_48K_PT,
  TELEPHONE_EVENT_PT,
  unusedPayloadType,
  type Direction,
  type NegotiationResult,
} from "./sdp.js";
import { formatCrypto, generateSdesKey, SrtpTransform, type SdesKey, type SrtpSuite } from "./srtp.js";
import { answerSetup, DtlsSrtpTransport, isDtlsRecord, type DtlsIdentity, type SetupRole } from "./dtls-srtp.js";
import { copyFrame, payloadLoop, type MediaCodec, type PayloadLoop } from "./source.js";
import { packetUnits, RTP_CLOCK_RATE } from "./codecs.js";
import { OpusDecoder } from "./opus.js";
import { PacketRing } from "./packet-ring.js";

export type { G711Codec, MediaCodec } from "./source.js";
export { mediaCounters } from "./counters.js";

export interface RtpSessionOptions {
  /** Address to bind (default 127.0.0.1); also put in SDP unless `advertiseAddress` is given. */
  localAddress?: string;
  /** Address for SDP `c=`/`o=` when binding a wildcard or behind NAT. */
  advertiseAddress?: string;
  /** Even RTP port to bind (RTCP on port + 1); 0 or absent = ephemeral. */
  port?: number;
  /** Preferred codec (offered first). */
  codec: MediaCodec;
  /** Codecs we accept in an offer/answer (default: [codec]). */
  codecs?: readonly MediaCodec[];
  /** Answering, take `codec` whenever the offer lists it, whatever the offerer's order (sdp.ts). */
  preferCodec?: boolean;
  scheduler: MediaScheduler;
  /** Test shim: do not transmit every Nth RTP packet (simulated network loss). */
  dropEveryNth?: number;
  /** Monotonic ms clock for arrival times and RTCP (default performance.timeOrigin + performance.now()). */
  clock?: () => number;
  /** RTCP CNAME (default `ringfleet@<localAddress>`). */
  cname?: string;
  /** SDES-SRTP suites in preference order (srtp.ts); non-empty = SRTP required (RTP/SAVP). */
  srtp?: readonly SrtpSuite[];
  /** DTLS-SRTP with this certificate (dtls-srtp.ts createDtlsIdentity); required (UDP/TLS/RTP/SAVP). Not with `srtp`. */
  dtls?: DtlsIdentity;
  /** The modelled playout buffer behind MOS (default adaptive, jitter-buffer.ts). */
  jitterBuffer?: JitterBufferConfig;
  /** Called once per RFC 4733 digit received (a "DTMF received" scenario trigger); must not throw. */
  onDtmf?: (digit: string) => void;
}

export interface RemoteMedia {
  address: string;
  port: number;
  payloadType: number;
  /** Remote RTCP port (default port + 1). */
  rtcpPort?: number;
  codec?: MediaCodec;
}

export type SecondMetricValues = Record<
  | "mos"
  | "r_factor"
  | "jitter_ms"
  | "rtt_ms"
  | "fraction_lost"
  | "packets_lost"
  | "packets_sent"
  | "packets_received"
  | "bytes_sent"
  | "bytes_received"
  | "srtp_decrypt_failures"
  | "dtmf_digits_sent"
  | "dtmf_digits_received",
  number
>;

/** Values of protocol/metrics.ts DETAIL_METRICS (see there for units and definitions). */
export type DetailMetricValues = Record<
  | "packets_sent_rate_ps"
  | "packets_recv_rate_ps"
  | "bytes_sent_rate_bps"
  | "bytes_recv_rate_bps"
  | "duplicate_packets"
  | "out_of_order_packets"
  | "sequence_number_resets"
  | "sequence_number_gaps"
  | "sequence_number_jumps"
  | "max_packet_spacing"
  | "min_packet_spacing"
  | "avg_packet_spacing"
  | "clock_drift_estimate"
  | "timestamp_jumps"
  | "ssrc_switches"
  | "rtcp_sr_rr_interval_ms"
  | "jb_current_delay_ms"
  | "jb_target_delay_ms"
  | "jb_late_packets"
  | "jb_effective_loss"
  | "audio_level_dbov"
  | "speech_level_dbov"
  | "noise_level_dbov",
  number
>;

export interface MediaSummary {
  samples: number;
  mosAvg: number;
  mosMin: number;
  rFactorAvg: number;
  jitterMsAvg: number;
  jitterMsMax: number;
  rttMsAvg: number;
  rttMsMax: number;
  fractionLostAvg: number;
  packetsLost: number;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  duplicates: number;
  outOfOrder: number;
  malformed: number;
  skippedFrames: number;
  remoteLearned: number;
  srtpDecryptFailures: number;
  dtmfDigitsSent: number;
  dtmfDigitsReceived: number;
  /** Mean of the per-second effective loss (network + late discards) that fed MOS, %. */
  effectiveLossAvg: number;
  jitterBufferLate: number;
  jitterBufferDelayMsAvg: number;
  timestampJumps: number;
  ssrcSwitches: number;
}


const RING = 4;
/**
 * Rate Opus is decoded at for the levels: 16 kHz needs no resampling for SILK wideband (what phones
 * send, and our loop), ~2.5× cheaper than 48 kHz, and speech carries its level below 8 kHz.
 */
const OPUS_LEVEL_RATE = 16000;
const SSRC_SWITCH = 3;
const defaultClock = (): number => performance.timeOrigin + performance.now();

/** Bind an even RTP port and RTP + 1 for RTCP (RFC 3550 §11). */
async function bindPair(address: string, port: number, rx: Handlers): Promise<[MediaSocket, MediaSocket]> {
  const onErr = (): void => void mediaCounters.sendErrors++;
  const rtp = (p: number) => bindMediaUdp(address, p, (b, f) => rx.rtp(b, f), onErr);
  const rtcp = (p: number) => bindMediaUdp(address, p, (b, f) => rx.rtcp(b, f), onErr);
  if (port) {
    const a = await rtp(port);
    try {
      return [a, await rtcp(port + 1)];
    } catch (e) {
      a.close();
      throw e;
    }
  }
  for (let attempt = 0; attempt < 32; attempt++) {
    // An ephemeral port; kept as RTP if even (and RTP + 1 is free), else retried.
    const a = await rtp(0);
    const p = a.port;
    if (p % 2 === 0 && p + 1 <= 65535) {
      try {
        return [a, await rtcp(p + 1)];
      } catch {
        // RTP + 1 taken: try another
      }
    }
    a.close();
  }
  throw new Error(`could not bind an RTP/RTCP port pair on ${address}`);
}

/** Receive callbacks bound before the session exists (sockets are bound first). */
interface Handlers {
  rtp(buf: Buffer, from: Sender): void;
  rtcp(buf: Buffer, from: Sender): void;
}

export class RtpSession implements ScheduledStream {
  readonly localAddress: string;
  /** Address announced in our SDP. */
  readonly advertiseAddress: string;
  readonly localPort: number;
  readonly localRtcpPort: number;
  readonly ssrc: number;
  /** Codec in use (after negotiation; the preferred one before). */
  codec: MediaCodec;
  readonly supported: readonly MediaCodec[];
  private readonly preferCodec: MediaCodec | undefined;
  readonly stats: RtpReceiverStats;
  readonly arrival: ArrivalStats;
  readonly jitterBuffer: JitterBufferModel;
  /** RTP timestamp units of one 20 ms packet of the codec in use. */
  private frameUnits: number;
  private readonly level = new AudioLevelMeter();
  private readonly rtp: MediaSocket;
  private readonly rtcp: MediaSocket;
  private readonly scheduler: MediaScheduler;
  private readonly clock: () => number;
  private readonly dropEveryNth: number;
  private readonly sdesCname: Buffer;
  private readonly sessionId: number;
  private sdpVersion: number;
  private loop: PayloadLoop;
  private readonly ring: PacketRing;
  private eventIndex = 0;
  private readonly eventRing: Buffer[];
  private readonly dtmfTx: DtmfSender;
  /** Decodes received Opus for the audio levels (while the codec is Opus). */
  private opusDecoder: OpusDecoder | null = null;
  private readonly dtmfRx = new DtmfDetector();
  /** SIP INFO DTMF sender (created by the first sendDtmfInfo). */
  private dtmfInfoTx: DtmfInfoSender | null = null;
  private readonly onDtmf: ((digit: string) => void) | undefined;
  /** RTP timestamp of the DTMF event being sent (§2.5.1.2: fixed for the whole event). */
  private dtmfEventTs = 0;
  private readonly view = newRtpHeaderView();
  private handle: SchedulerHandle | null = null;
  private remote: RemoteMedia | null = null;
  private remoteTelephoneEventPt = -1;
  /** The telephone-event/8000 PT we declare (101, or the offerer's in an answer, RFC 3264 §6.1). */
  private localTelephoneEventPt = TELEPHONE_EVENT_PT;
  /** The telephone-event/48000 PT we declare beside Opus (110, or the offerer's). */
  private localTelephoneEvent48kPt = TELEPHONE_EVENT_48K_PT;
  /** Opus's PT in our SDP (111, or the offerer's in an answer). */
  private localOpusPt = OPUS_PT;
  private readonly srtpSuites: readonly SrtpSuite[];
  /** Our offered SDES keys by `a=crypto` tag (created with the first offer, reused in re-offers). */
  private offeredKeys: Map<number, SdesKey> | null = null;
  private srtp: SrtpTransform | null = null;
  private readonly dtlsIdentity: DtlsIdentity | null;
  private dtls: DtlsSrtpTransport | null = null;
  /** Our a=setup (RFC 4145 §4): actpass when we offered, else what we answered. */
  private localSetup: SetupRole = "actpass";
  /** Where the peer's DTLS records come from (the server answers there). */
  private dtlsPeer: { address: string; port: number } | null = null;
  /** Both sides said a=rtcp-mux (RFC 5761 §5.1.1): RTCP on the RTP port. */
  private rtcpMux = false;
  private readonly failureSignal = new FailureSignal();
  private rtcpAddress = "";
  private rtcpPort = 0;
  private sending = true;
  /** Whether the peer declared it sends (sendrecv/sendonly); silence is only flagged then. */
  private expectReceive = true;
  private stopped = false;
  // sender state
  private seq: number;
  private ts: number;
  private frameIndex = 0;
  private packetsSent = 0;
  private bytesSent = 0;
  private payloadBytesSent = 0;
  private skippedFrames = 0;
  // RTCP state
  private startedAt = -1;
  private nextRtcpAt = Number.POSITIVE_INFINITY;
  private rtcpSent = 0;
  private lastSrMid32 = 0;
  private lastSrArrival = 0;
  private rtt: number | null = null;
  // counters
  malformed = 0;
  /** Audio payloads the codec could not decode (Opus; also counted in `malformed`). */
  undecodable = 0;
  unknownPayloadType = 0;
  remoteLearned = 0;
  /** Packets from an SSRC other than the current source, not (yet) accepted as a new source. */
  foreignSsrc = 0;
  private candidateSsrc = -1;
  private candidateCount = 0;
  // sampling
  private lastSampleReceived = 0;
  private lastSampleAt = -1;
  private lastSampleLate = 0;
  private lastSampleCounts = { pSent: 0, bSent: 0, pRecv: 0, bRecv: 0 };
  private detailValues: DetailMetricValues | null = null;
  // RTCP reports from the peer: arrival of the last one and the latest interval
  private lastReportAt = -1;
  private reportIntervalMs = 0;
  private agg = { n: 0, mos: 0, mosMin: 5, r: 0, jitter: 0, jitterMax: 0, rttN: 0, rtt: 0, rttMax: 0, loss: 0, effLoss: 0, jbDelay: 0 };

  private constructor(opts: RtpSessionOptions, rtp: MediaSocket, rtcp: MediaSocket, rx: Handlers) {
    this.localAddress = opts.localAddress ?? "127.0.0.1";
    this.advertiseAddress = opts.advertiseAddress ?? this.localAddress;
    this.rtp = rtp;
    this.rtcp = rtcp;
    this.localPort = rtp.port;
    this.localRtcpPort = rtcp.port;
    this.codec = opts.codec;
    this.supported = opts.codecs?.length ? opts.codecs : [opts.codec];
    this.preferCodec = opts.preferCodec ? opts.codec : undefined;
    // Without Opus we declare no telephone-event/48000, so no PT means one.
    if (!this.supported.includes("OPUS")) this.localTelephoneEvent48kPt = -1;
    const clock = RTP_CLOCK_RATE[this.codec];
    this.frameUnits = packetUnits(this.codec);
    this.stats = new RtpReceiverStats(clock);
    this.arrival = new ArrivalStats(clock);
    this.dtmfTx = new DtmfSender(this.frameUnits, clock);
    this.scheduler = opts.scheduler;
    this.clock = opts.clock ?? defaultClock;
    this.srtpSuites = opts.srtp ?? [];
    this.dtlsIdentity = opts.dtls ?? null;
    if (this.dtlsIdentity && this.srtpSuites.length) throw new Error("RtpSession: srtp (SDES) and dtls are exclusive");
    this.onDtmf = opts.onDtmf;
    this.jitterBuffer = new JitterBufferModel(opts.jitterBuffer ?? DEFAULT_JITTER_BUFFER, clock);
    this.dropEveryNth = opts.dropEveryNth && opts.dropEveryNth > 0 ? Math.floor(opts.dropEveryNth) : 0;
    const rnd = randomBytes(12);
    // RFC 3550 §5.1: random SSRC, initial sequence number and timestamp.
    this.ssrc = rnd.readUInt32BE(0);
    this.seq = rnd.readUInt16BE(4);
    this.ts = rnd.readUInt32BE(6);
    this.sessionId = rnd.readUInt16BE(10) * 65536 + (Date.now() % 65536);
    this.sdpVersion = this.sessionId;
    this.sdesCname = buildSdesCname(this.ssrc, opts.cname ?? `ringfleet@${this.advertiseAddress}`);
    this.loop = payloadLoop(this.codec);
    this.frameIndex = rnd[11]! % this.loop.frames;
    this.ring = new PacketRing(RING, RTP_HEADER_BYTES + this.loop.maxFrameBytes);
    if (this.codec === "OPUS") this.opusDecoder = new OpusDecoder(OPUS_LEVEL_RATE);
    this.eventRing = Array.from({ length: RING }, () => Buffer.alloc(RTP_HEADER_BYTES + EVENT_PAYLOAD_BYTES));
    // Datagrams that arrived between binding and now are few; from here on they reach the session.
    // (Socket errors, e.g. ICMP port unreachable surfacing as ECONNREFUSED, are counted in udp.ts's
    // onError: they must never crash a call.)
    rx.rtp = (msg, from) => this.onRtp(msg, from);
    rx.rtcp = (msg, from) => this.onRtcp(msg, from);
  }

  /** Bind the RTP/RTCP sockets. */
  static async open(opts: RtpSessionOptions): Promise<RtpSession> {
    const rx: Handlers = { rtp: () => {}, rtcp: () => {} };
    const [rtp, rtcp] = await bindPair(opts.localAddress ?? "127.0.0.1", opts.port ?? 0, rx);
    return new RtpSession(opts, rtp, rtcp, rx);
  }

  // ---- SDP (MediaPort) -------------------------------------------------------------------

  /** Our SDP with the given codecs (default: all supported, preferred first). */
  localSdp(codecs: readonly MediaCodec[] = this.offerCodecs(), direction: Direction = "sendrecv", crypto?: readonly string[], rtcpMux = true): string {
    const c = crypto ?? (this.srtpSuites.length ? [...this.offerKeys()].map(([tag, k]) => formatCrypto(tag, k)) : undefined);
    // DTLS offers always carry a=rtcp-mux (see header); plain and SDES sessions say it only once
    // the peer's offer did (RFC 5761 §5.1.1: the answerer may include it only then).
    const dtls = this.dtlsIdentity
      ? { proto: "UDP/TLS/RTP/SAVP" as const, fingerprint: { algorithm: "sha-256", value: this.dtlsIdentity.fingerprint }, setup: this.localSetup, rtcpMux }
      : rtcpMux && this.rtcpMux
        ? { rtcpMux: true }
        : {};
    return buildSdp({
      sessionId: this.sessionId,
      sessionVersion: this.sdpVersion++,
      address: this.advertiseAddress,
      port: this.localPort,
      codecs,
      direction,
      opusPt: this.localOpusPt,
      telephoneEventPt: this.localTelephoneEventPt,
      telephoneEvent48kPt: this.localTelephoneEvent48kPt,
      ...(c ? { crypto: c, proto: "RTP/SAVP" as const } : {}),
      ...dtls,
    });
  }

  /** One key per offered suite, tags 1… in preference order (RFC 4568 §7.1.1). */
  private offerKeys(): Map<number, SdesKey> {
    this.offeredKeys ??= new Map(this.srtpSuites.map((suite, i) => [i + 1, generateSdesKey(suite)]));
    return this.offeredKeys;
  }

  /** Whether DTLS-SRTP is configured (and so required). */
  get dtlsRequired(): boolean {
    return this.dtlsIdentity !== null;
  }

  /** SRTP of either keying is required: plain RTP is never accepted. */
  private get encrypted(): boolean {
    return this.srtpSuites.length > 0 || this.dtlsIdentity !== null;
  }

  /** Why the media failed after negotiation (DTLS handshake or fingerprint), or null. */
  get failure(): string | null {
    return this.failureSignal.reason;
  }

  /** Called once with `failure` when it is set (at once if it already is). */
  onFailure(cb: (reason: string) => void): void {
    this.failureSignal.on(cb);
  }

  private failMedia(reason: string): void {
    if (!this.stopped) this.failureSignal.fire(reason);
  }

  /** The call's DTLS association (created on first use; the role is fixed from then on). */
  private dtlsTransport(role: "client" | "server"): DtlsSrtpTransport {
    if (!this.dtls) {
      this.dtls = new DtlsSrtpTransport({
        identity: this.dtlsIdentity!,
        role,
        send: (d) => {
          const to = this.dtlsPeer ?? this.remote;
          if (!to || this.stopped) return;
          this.rtp.send(d, to.port, to.address); // a failed send is counted by the socket's onError
        },
        onKeys: (t) => {
          this.srtp = t;
        },
        onFailure: (reason) => this.failMedia(reason),
      });
    }
    return this.dtls;
  }

  /** The state of the DTLS handshake (null without DTLS or before it began). */
  get dtlsState(): string | null {
    return this.dtls?.state ?? null;
  }

  /** Whether SDES-SRTP is configured (and so required). */
  get srtpRequired(): boolean {
    return this.srtpSuites.length > 0;
  }

  /** The negotiated SRTP suite, or null for plain RTP. */
  get srtpSuite(): SrtpSuite | null {
    return this.srtp?.suite ?? null;
  }

  private offerCodecs(): MediaCodec[] {
    return [this.codec, ...this.supported.filter((c) => c !== this.codec)];
  }

  /** An SDP offer (RFC 3264 §5). */
  offer(): string {
    return this.localSdp();
  }

  /** Apply a remote offer; our answer carries only the chosen codec (RFC 3264 §6.1). */
  answer(remoteSdp: string): { ok: true; sdp: string } | { ok: false; reason: string } {
    const offer = parseSdp(remoteSdp);
    const n = negotiate(offer, this.supported, { srtp: this.srtpSuites, dtls: this.dtlsRequired, ...(this.preferCodec ? { prefer: this.preferCodec } : {}) });
    if (!n.ok) return n;
    if (n.dtls) {
      // RFC 5763 §5: answering actpass (or nothing) we are active, the DTLS client.
      const setup = answerSetup(n.dtls.setup);
      if (!setup) return { ok: false, reason: `offer's a=setup:${n.dtls.setup} leaves no DTLS connection to make` };
      this.localSetup = setup;
      this.dtlsTransport(setup === "active" ? "client" : "server").setRemoteFingerprints(n.dtls.fingerprints);
    }
    // RFC 5761 §5.1.1: an offer with a=rtcp-mux is answered with it, and RTCP then shares the RTP
    // port both ways (sent from our RTP socket to the peer's RTP port).
    this.rtcpMux = n.rtcpMux === true;
    // RFC 3264 §6.1: the offer's PTs for the chosen codec and its telephone-event. An offer without
    // telephone-event at the codec's clock gets ours on a PT the offer does not use.
    if (n.codec === "OPUS") this.localOpusPt = n.payloadType;
    const usedPts = audioStream(offer)?.payloadTypes ?? [];
    const tePt = n.telephoneEventPt ?? unusedPayloadType(RTP_CLOCK_RATE[n.codec] === 48000 ? TELEPHONE_EVENT_48K_PT : TELEPHONE_EVENT_PT, usedPts);
    if (RTP_CLOCK_RATE[n.codec] === 48000) this.localTelephoneEvent48kPt = tePt;
    else this.localTelephoneEventPt = tePt;
    let crypto: string[] | undefined;
    if (n.crypto) {
      // RFC 4568 §7.1.2: answer with the offer's tag and suite and a key of our own.
      const local = generateSdesKey(n.crypto.suite);
      this.srtp = new SrtpTransform(local, n.crypto);
      crypto = [formatCrypto(n.crypto.tag, local)];
    }
    this.setRemote({ address: n.address, port: n.port, payloadType: n.payloadType, codec: n.codec }, n.telephoneEventPt);
    const dir: Direction =
      n.direction === "sendonly" ? "recvonly" : n.direction === "recvonly" ? "sendonly" : n.direction === "inactive" ? "inactive" : "sendrecv";
    this.sending = dir === "sendrecv" || dir === "sendonly";
    this.expectReceive = dir === "sendrecv" || dir === "recvonly";
    return { ok: true, sdp: this.localSdp([n.codec], dir, crypto, n.rtcpMux === true) };
  }

  /** Apply the remote answer to our offer. */
  applyAnswer(remoteSdp: string): { ok: true } | { ok: false; reason: string } {
    const n = negotiate(remoteSdp, this.supported, { srtp: this.srtpSuites, dtls: this.dtlsRequired });
    if (!n.ok) return n;
    const keyed = this.keysFromAnswer(n);
    if (!keyed.ok) return keyed;
    if (n.dtls) {
      // RFC 5763 §5: the answer says active (we are the server) or passive (we connect).
      const setup = n.dtls.setup ?? "active";
      if (setup !== "active" && setup !== "passive") return { ok: false, reason: `answer's a=setup:${setup} is not active or passive (RFC 5763 §5)` };
      const role = setup === "active" ? "server" : "client";
      if (this.dtls && this.dtls.role !== role) return { ok: false, reason: `answer's a=setup:${setup} contradicts the DTLS handshake already under way` };
      this.localSetup = setup === "active" ? "passive" : "active";
      this.rtcpMux = n.rtcpMux === true;
      this.dtlsTransport(role).setRemoteFingerprints(n.dtls.fingerprints);
    }
    this.setRemote({ address: n.address, port: n.port, payloadType: n.payloadType, codec: n.codec }, n.telephoneEventPt);
    this.sending = n.direction === "sendrecv" || n.direction === "recvonly";
    this.expectReceive = n.direction === "sendrecv" || n.direction === "sendonly";
    return { ok: true };
  }

  /** RFC 4568 §7.1.3: the answer's `a=crypto` must carry a tag and suite we offered. */
  private keysFromAnswer(n: Extract<NegotiationResult, { ok: true }>): { ok: true } | { ok: false; reason: string } {
    if (!n.crypto) return { ok: true };
    const ours = this.offeredKeys?.get(n.crypto.tag);
    if (!ours || ours.suite !== n.crypto.suite) {
      return { ok: false, reason: `answer's a=crypto tag ${n.crypto.tag} (${n.crypto.suite}) does not match our offer` };
    }
    this.srtp = new SrtpTransform(ours, n.crypto);
    return { ok: true };
  }

  private setRemote(r: RemoteMedia, tePt?: number): void {
    this.remote = { ...r };
    if (r.codec && r.codec !== this.codec) this.setCodec(r.codec);
    this.remoteTelephoneEventPt = tePt ?? -1;
    this.rtcpAddress = r.address;
    // rtcp-mux: RTCP to the RTP port. DTLS-SRTP without it: no RTCP at all (see header).
    this.rtcpPort = this.rtcpMux ? r.port : this.dtlsIdentity ? 0 : (r.rtcpPort ?? r.port + 1);
  }

  /** Switch to the negotiated codec: its loop, packet size and clock (see header). */
  private setCodec(codec: MediaCodec): void {
    this.codec = codec;
    this.loop = payloadLoop(codec);
    this.frameIndex %= this.loop.frames;
    this.ring.reserve(RTP_HEADER_BYTES + this.loop.maxFrameBytes);
    const clock = RTP_CLOCK_RATE[codec];
    this.frameUnits = packetUnits(codec);
    this.stats.setClockRate(clock);
    this.arrival.setClockRate(clock);
    this.jitterBuffer.setClockRate(clock);
    this.dtmfTx.setClock(this.frameUnits, clock);
    if (codec === "OPUS") this.opusDecoder ??= new OpusDecoder(OPUS_LEVEL_RATE);
    else {
      this.opusDecoder?.close();
      this.opusDecoder = null;
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Start sending/receiving. Without an argument, uses what offer/answer negotiated. */
  start(remote?: RemoteMedia): void {
    if (this.stopped) return;
    if (remote) {
      const codec =
        remote.codec ??
        (remote.payloadType === STATIC_PT.PCMA ? "PCMA" : remote.payloadType === STATIC_PT.PCMU ? "PCMU" : remote.payloadType === STATIC_PT.G722 ? "G722" : this.codec);
      this.setRemote({ ...remote, codec }, this.remoteTelephoneEventPt >= 0 ? this.remoteTelephoneEventPt : undefined);
    }
    if (!this.remote) throw new Error("RtpSession.start: no remote media (negotiate first or pass one)");
    if (this.srtpRequired && !this.srtp) throw new Error("RtpSession.start: SRTP required but no keys negotiated");
    if (this.dtlsRequired && !this.dtls) throw new Error("RtpSession.start: DTLS-SRTP required but not negotiated");
    if (this.handle) return;
    // RFC 5763 §5: the active side initiates the handshake once the answer is out.
    if (this.dtls?.role === "client") this.dtls.start();
    this.startedAt = this.clock();
    this.nextRtcpAt = this.startedAt + 500;
    this.handle = this.scheduler.add(this);
  }

  /** Stop sending and close both sockets. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.handle) this.scheduler.remove(this.handle);
    this.handle = null;
    this.opusDecoder?.close();
    this.opusDecoder = null;
    this.dtls?.close();
    // RFC 3550 §6.6: say BYE (RR + SDES + BYE compound) from the RTCP socket (the RTP one with
    // rtcp-mux), then close both. With DTLS-SRTP and no keys yet there is nothing a peer could
    // authenticate: just close.
    const byeFrom = this.rtcpMux ? this.rtp : this.rtcp;
    const other = this.rtcpMux ? this.rtcp : this.rtp;
    other.close();
    if (this.startedAt >= 0 && this.rtcpPort && (!this.dtlsIdentity || this.srtp)) {
      const plain = Buffer.concat([buildRr(this.ssrc, [], this.sdesCname), buildBye(this.ssrc)]);
      const bye = this.srtp ? this.srtp.protectRtcp(plain) : plain;
      byeFrom.sendAndClose(bye, this.rtcpPort, this.rtcpAddress);
    } else {
      byeFrom.close();
    }
  }

  get remoteMedia(): Readonly<RemoteMedia> | null {
    return this.remote;
  }
  /** Latest RTT in ms, null until known. */
  get rttMs(): number | null {
    return this.rtt;
  }
  /**
   * Queue RFC 4733 digits (0–9 * # A–D) to send in place of audio. Returns how many were queued; 0
   * when the peer did not negotiate telephone-event (nothing can be sent in-band then).
   */
  sendDtmf(digits: string, opts?: DtmfOptions): number {
    if (this.remoteTelephoneEventPt < 0 || this.stopped) return 0;
    return this.dtmfTx.enqueue(digits, opts);
  }
  /**
   * Send digits as SIP INFO requests (application/dtmf-relay by default, dtmf-info.ts) through
   * `sendInfo` (the call's dialog, e.g. `(b, t) => call.info(b, t)`); resolves with how many the
   * peer accepted (2xx), which count in `dtmf_digits_sent`. The first call's `sendInfo` is kept.
   */
  sendDtmfInfo(digits: string, sendInfo: SendInfo, opts?: DtmfInfoOptions): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    this.dtmfInfoTx ??= new DtmfInfoSender(sendInfo);
    return this.dtmfInfoTx.send(digits, opts);
  }

  /**
   * A SIP INFO received in the call's dialog: its DTMF digit (application/dtmf-relay or
   * application/dtmf) is counted as received and reported to `onDtmf`; others return null.
   */
  onSipInfo(contentType: string | undefined, body: string): string | null {
    const d = parseDtmfInfo(contentType, body);
    if (!d || this.stopped) return null;
    this.dtmfRx.record(d.digit);
    if (this.onDtmf) {
      try {
        this.onDtmf(d.digit);
      } catch {
        // A listener's bug must not break the caller.
      }
    }
    return d.digit;
  }

  /** Digits detected from the peer's telephone-events and SIP INFOs, in order (most recent 64). */
  get receivedDigits(): string {
    return this.dtmfRx.digits;
  }
  /** SRTP/SRTCP packets that failed authentication or decryption (0 without SRTP). */
  get srtpDecryptFailures(): number {
    return this.srtp?.failures ?? 0;
  }

  // ---- sending (called by the scheduler) -------------------------------------------------

  onDue(send: number, skip: number, nowMs: number): void {
    if (this.stopped || !this.remote) return;
    if (skip > 0) {
      // Frames the clock could not send in time: timestamp moves on, sequence does not (§5.1).
      this.ts = (this.ts + skip * this.frameUnits) >>> 0;
      this.frameIndex += skip;
      this.skippedFrames += skip;
      mediaCounters.skippedFrames += skip;
    }
    // DTLS-SRTP: nothing goes out before the handshake gave keys (never plain RTP).
    if (this.sending && (!this.dtlsIdentity || this.srtp)) {
      const r = this.remote;
      for (let i = 0; i < send; i++) {
        const ev = this.dtmfTx.busy && this.remoteTelephoneEventPt >= 0 ? this.dtmfTx.next() : null;
        let pkt: Buffer;
        if (ev) {
          pkt = this.eventRing[this.eventIndex]!;
          this.eventIndex = (this.eventIndex + 1) % RING;
          // RFC 4733 §2.5.1.2: one timestamp for the whole event, marker on its first packet.
          if (ev.start) this.dtmfEventTs = this.ts;
          writeRtpHeader(pkt, this.remoteTelephoneEventPt, ev.marker, this.seq, this.dtmfEventTs, this.ssrc);
          writeTelephoneEvent(pkt, RTP_HEADER_BYTES, ev.event);
        } else {
          const buf = this.ring.next();
          writeRtpHeader(buf, r.payloadType, this.packetsSent === 0, this.seq, this.ts, this.ssrc);
          pkt = this.ring.packet(RTP_HEADER_BYTES + copyFrame(this.loop, this.frameIndex, buf, RTP_HEADER_BYTES));
        }
        // RFC 3711 §3.3: every packet is protected (and so consumes its index) even if the
        // test shim then drops it, as a real network loss would.
        const wire = this.srtp ? this.srtp.protectRtp(pkt) : pkt;
        this.packetsSent++;
        this.bytesSent += wire.length;
        this.payloadBytesSent += pkt.length - RTP_HEADER_BYTES;
        mediaCounters.packetsSent++;
        if (!(this.dropEveryNth && this.packetsSent % this.dropEveryNth === 0)) {
          this.rtp.send(wire, r.port, r.address);
        }
        this.seq = (this.seq + 1) & 0xffff;
        this.ts = (this.ts + this.frameUnits) >>> 0;
        this.frameIndex++;
      }
    } else {
      this.ts = (this.ts + send * this.frameUnits) >>> 0;
      this.frameIndex += send;
    }
    if (this.frameIndex >= 1 << 30) this.frameIndex %= this.loop.frames;
    const now = this.clock();
    if (now >= this.nextRtcpAt && (!this.dtlsIdentity || this.srtp)) this.sendRtcp(now);
    void nowMs;
  }

  private sendRtcp(now: number): void {
    this.rtcpSent++;
    this.nextRtcpAt = now + (this.rtcpSent < 4 ? 1000 : 5000);
    const blocks: ReportBlock[] = [];
    if (this.stats.valid) {
      const b = this.stats.reportBlock();
      blocks.push({
        ssrc: this.stats.currentSsrc,
        ...b,
        lsr: this.lastSrMid32,
        dlsr: this.lastSrMid32 ? msToNtpShort(now - this.lastSrArrival) : 0,
      });
    }
    const plain =
      this.packetsSent > 0
        ? buildSr(
            this.ssrc,
            // RTP timestamp of "now" is the next frame's minus what is left of the period; the
            // frame just sent is close enough for RTT and lip-sync-free audio (§6.4.1).
            { ntpMs: now, rtpTimestamp: this.ts, packetCount: this.packetsSent, octetCount: this.payloadBytesSent },
            blocks,
            this.sdesCname,
          )
        : buildRr(this.ssrc, blocks, this.sdesCname);
    const pkt = this.srtp ? this.srtp.protectRtcp(plain) : plain;
    // With rtcp-mux RTCP leaves from the RTP port, the 5-tuple the peer latched (RFC 5761 §4).
    if (this.rtcpPort) (this.rtcpMux ? this.rtp : this.rtcp).send(pkt, this.rtcpPort, this.rtcpAddress);
  }

  // ---- receiving -------------------------------------------------------------------------

  private onRtp(datagram: Buffer, rinfo: Sender): void {
    const len = datagram.length;
    if (this.dtlsIdentity && isDtlsRecord(datagram)) {
      this.onDtls(datagram, rinfo);
      return;
    }
    // RFC 5761 §4: RTCP multiplexed on the RTP port (PT 200–204 in the second octet; the SRTCP
    // header is in the clear too, RFC 3711 §3.4).
    if (len >= 2 && datagram[1]! >= 200 && datagram[1]! <= 204) {
      this.onRtcp(datagram, rinfo);
      return;
    }
    let msg = datagram;
    if (this.encrypted) {
      // Without keys yet (media before the answer) nothing can be checked: drop quietly.
      if (!this.srtp) return;
      // Too short or not version 2 is malformed, not a decryption failure.
      if (len < RTP_HEADER_BYTES + this.srtp.rtpOverhead || datagram[0]! >> 6 !== 2) {
        this.malformed++;
        mediaCounters.malformed++;
        return;
      }
      const failuresBefore = this.srtp.failures;
      const plain = this.srtp.unprotectRtp(datagram);
      if (!plain) {
        // A replay (RFC 3711 §3.3.2) authenticated fine: it is a duplicate, not a failure.
        if (this.srtp.failures !== failuresBefore) mediaCounters.srtpDecryptFailures++;
        return;
      }
      msg = plain;
    }
    if (!readRtpHeader(msg, msg.length, this.view)) {
      this.malformed++;
      mediaCounters.malformed++;
      return;
    }
    const v = this.view;
    const r = this.remote;
    // Events come with a PT we declared (RFC 3264 §5.1) or, from lenient peers, their own.
    const isEvent =
      (!r || v.payloadType !== r.payloadType) &&
      (v.payloadType === this.localTelephoneEventPt ||
        v.payloadType === this.localTelephoneEvent48kPt ||
        (this.remoteTelephoneEventPt >= 0 && v.payloadType === this.remoteTelephoneEventPt));
    if (r && !isEvent && v.payloadType !== r.payloadType) {
      // Accept the other static G.711 PT too (peers that switch codecs mid-call) while the stream's
      // clock is G.711's; ignore the rest (8 kHz timestamps in a 48 kHz stream would be nonsense).
      if ((v.payloadType !== STATIC_PT.PCMU && v.payloadType !== STATIC_PT.PCMA) || RTP_CLOCK_RATE[this.codec] !== 8000) {
        this.unknownPayloadType++;
        return;
      }
    }
    // A different SSRC replaces the current source only after SSRC_SWITCH consecutive packets, so a
    // stray datagram cannot reset the statistics or hijack the send address (§8.2).
    const st = this.stats;
    if (st.currentSsrc >= 0 && v.ssrc !== st.currentSsrc) {
      if (v.ssrc === this.candidateSsrc) this.candidateCount++;
      else {
        this.candidateSsrc = v.ssrc;
        this.candidateCount = 1;
      }
      if (this.candidateCount < SSRC_SWITCH) {
        this.foreignSsrc++;
        return;
      }
    }
    this.candidateSsrc = -1;
    this.candidateCount = 0;
    mediaCounters.packetsReceived++;
    // Bytes as on the wire; events share the sequence space but not the sampling clock (no jitter).
    const now = this.clock();
    const switches = st.ssrcChanges;
    const dups = st.duplicates;
    const accepted = st.onPacket(v.sequenceNumber, v.timestamp, now, len, v.ssrc, !isEvent);
    if (st.ssrcChanges !== switches) {
      // §8.2: a new source; its timing has nothing to do with the old one's.
      this.arrival.reset();
      this.jitterBuffer.reset();
    }
    if (accepted) {
      if (isEvent) {
        const digit = this.dtmfRx.onPacket(msg, v.payloadOffset, v.payloadLength, v.timestamp);
        if (digit && this.onDtmf) {
          try {
            this.onDtmf(digit);
          } catch {
            // A listener's bug must not break the receive path.
          }
        }
      }
      else {
        this.arrival.onPacket(st.lastExt, v.timestamp, now, v.marker);
        if (st.duplicates === dups) this.jitterBuffer.onPacket(v.timestamp, now); // a buffer drops duplicates
        // Levels: G.711 by table; Opus decoded (see header); G.722 not (~100× a table lookup).
        const dec = this.opusDecoder;
        if (dec && v.payloadType === (r ? r.payloadType : this.localOpusPt)) {
          const n = dec.decode(msg, v.payloadOffset, v.payloadLength);
          if (n < 0) {
            this.undecodable++;
            this.malformed++;
            mediaCounters.malformed++;
          } else this.level.onPcm(dec.pcm, n);
        } else {
          const law = v.payloadType === STATIC_PT.PCMA ? "PCMA" : v.payloadType === STATIC_PT.PCMU ? "PCMU" : this.codec;
          if (law === "PCMU" || law === "PCMA") this.level.onPayload(law, msg, v.payloadOffset, v.payloadLength);
        }
      }
    }
    // Symmetric RTP / comedia: answer to where the (validated) media comes from.
    if (r && st.valid && (rinfo.port !== r.port || rinfo.address !== r.address)) {
      r.address = rinfo.address;
      r.port = rinfo.port;
      this.remoteLearned++;
    }
  }

  /**
   * A DTLS record on the RTP port (RFC 7983 §7). Before the answer, only an offerer that said
   * actpass accepts one, becoming the server (RFC 5763 §5); the handshake answers its source.
   */
  private onDtls(datagram: Buffer, rinfo: Sender): void {
    if (!this.dtls) {
      if (this.localSetup !== "actpass" && this.localSetup !== "passive") return;
      this.dtlsTransport("server");
    }
    this.dtlsPeer = { address: rinfo.address, port: rinfo.port };
    this.dtls!.handle(datagram);
  }

  private onRtcp(datagram: Buffer, rinfo: Sender): void {
    let msg = datagram;
    if (this.dtlsIdentity && isDtlsRecord(datagram)) return; // no DTLS on a separate RTCP port (see header)
    if (this.encrypted) {
      if (!this.srtp) return;
      // Shorter than a header plus the SRTCP trailer (RFC 3711 §3.4) is malformed, not a failed
      // decryption: e.g. the plain RTCP APP "PING" baresip sends as a NAT pinhole before keys exist.
      if (datagram.length < 8 + this.srtp.rtcpOverhead) {
        this.malformed++;
        mediaCounters.malformed++;
        return;
      }
      const plain = this.srtp.unprotectRtcp(datagram);
      if (!plain) {
        mediaCounters.srtpDecryptFailures++;
        return;
      }
      msg = plain;
    }
    const reports = parseRtcp(msg);
    if (!reports) {
      this.malformed++;
      mediaCounters.malformed++;
      return;
    }
    const now = this.clock();
    for (const rep of reports) {
      // Comedia for RTCP: follow the source address only for reports from the current RTP source.
      if (this.remote && rep.ssrc === this.stats.currentSsrc && (rinfo.port !== this.rtcpPort || rinfo.address !== this.rtcpAddress)) {
        this.rtcpAddress = rinfo.address;
        this.rtcpPort = rinfo.port;
      }
      if (rep.ssrc === this.stats.currentSsrc) {
        // The peer's reporting interval (RFC 3550 §6.2: randomised 0.5–1.5 × its computed interval).
        if (this.lastReportAt >= 0) this.reportIntervalMs = now - this.lastReportAt;
        this.lastReportAt = now;
      }
      if (rep.kind === "sr" && rep.ntpMid32 !== undefined) {
        this.lastSrMid32 = rep.ntpMid32;
        this.lastSrArrival = now;
      }
      for (const b of rep.blocks) {
        if (b.ssrc !== this.ssrc) continue;
        const rtt = rttMs(ntpMiddle32FromMs(now), b.lsr, b.dlsr);
        if (rtt !== null) this.rtt = rtt;
      }
    }
  }

  // ---- metrics ---------------------------------------------------------------------------

  /**
   * The metrics of the interval since the previous call (see header for definitions). `nowMs` is
   * accepted for the MediaPort signature; intervals are measured on the session's own clock.
   */
  sample(nowMs: number = Date.now()): SecondMetricValues {
    void nowMs;
    const st = this.stats;
    const iv = st.settledInterval(st.settledCursor);
    const receivedNow = st.packets;
    const gotAny = receivedNow > this.lastSampleReceived;
    this.lastSampleReceived = receivedNow;
    const now = this.clock();
    const running = this.expectReceive && this.startedAt >= 0 && !this.stopped && now - this.startedAt >= 1500;
    let lossPct = iv.fraction * 100;
    if (!gotAny && running) lossPct = 100;
    const jitter = st.jitterMs;
    const rtt = this.rtt ?? 0;
    // What the modelled phone suffers: late discards add to the network's loss (see header).
    const jb = this.jitterBuffer;
    const lateNow = jb.late - this.lastSampleLate;
    this.lastSampleLate = jb.late;
    const modelled = jb.config.mode !== "none";
    let effLossPct = lossPct;
    if (modelled && iv.expected > 0 && lateNow > 0) effLossPct = Math.min(100, (100 * (iv.lost + lateNow)) / iv.expected);
    const delay = modelled ? mouthToEarMs(rtt, jitter, 20, jb.currentDelayMs) : mouthToEarMs(rtt, jitter);
    this.detailValues = this.computeDetail(now, effLossPct);
    let r = 0;
    let mos = 0;
    if (receivedNow > 0 || running) {
      const imp = CODEC_IMPAIRMENT[this.codec];
      r = rFactor({ oneWayDelayMs: delay, packetLossPct: effLossPct, ie: imp.ie, bpl: imp.bpl });
      mos = mosFromR(r);
      const a = this.agg;
      a.n++;
      a.mos += mos;
      a.mosMin = Math.min(a.mosMin, mos);
      a.r += r;
      a.jitter += jitter;
      a.jitterMax = Math.max(a.jitterMax, jitter);
      a.loss += lossPct;
      a.effLoss += effLossPct;
      a.jbDelay += jb.currentDelayMs;
      if (this.rtt !== null) {
        a.rttN++;
        a.rtt += this.rtt;
        a.rttMax = Math.max(a.rttMax, this.rtt);
      }
    }
    return {
      mos: round(mos, 3),
      r_factor: round(r, 2),
      jitter_ms: round(jitter, 3),
      rtt_ms: round(rtt, 3),
      fraction_lost: round(lossPct, 3),
      packets_lost: Math.max(0, st.cumulativeLost),
      packets_sent: this.packetsSent,
      packets_received: st.packets,
      bytes_sent: this.bytesSent,
      bytes_received: st.bytes,
      srtp_decrypt_failures: this.srtpDecryptFailures,
      dtmf_digits_sent: this.dtmfTx.digitsSent + (this.dtmfInfoTx?.digitsSent ?? 0),
      dtmf_digits_received: this.dtmfRx.digitsReceived,
    };
  }

  /** DETAIL_METRICS of the interval `sample()` closed last (all 0 before the first sample). */
  detail(): DetailMetricValues {
    return this.detailValues ?? this.computeDetail(this.clock(), 0, true);
  }

  private computeDetail(now: number, effLossPct: number, dry = false): DetailMetricValues {
    const st = this.stats;
    const c = this.lastSampleCounts;
    const dt = this.lastSampleAt >= 0 ? (now - this.lastSampleAt) / 1000 : 0;
    const rate = (delta: number): number => (dt > 0 ? round(delta / dt, 2) : 0);
    const spacing = this.arrival.spacingSummary(now);
    const level = dry ? null : this.level.take();
    const jb = this.jitterBuffer;
    const out: DetailMetricValues = {
      packets_sent_rate_ps: rate(this.packetsSent - c.pSent),
      packets_recv_rate_ps: rate(st.packets - c.pRecv),
      bytes_sent_rate_bps: rate((this.bytesSent - c.bSent) * 8),
      bytes_recv_rate_bps: rate((st.bytes - c.bRecv) * 8),
      // With SRTP, duplicates are dropped by the replay check before the statistics see them.
      duplicate_packets: st.duplicates + (this.srtp?.replayed ?? 0),
      out_of_order_packets: st.outOfOrder,
      sequence_number_resets: st.seqResets,
      sequence_number_gaps: dry ? 0 : st.takeLargestGap(),
      sequence_number_jumps: st.seqJumps,
      max_packet_spacing: round(spacing.max, 3),
      min_packet_spacing: round(spacing.min, 3),
      avg_packet_spacing: round(spacing.avg, 3),
      clock_drift_estimate: round(this.arrival.clockDriftPpm, 1),
      timestamp_jumps: this.arrival.timestampJumps,
      ssrc_switches: st.ssrcChanges,
      rtcp_sr_rr_interval_ms: round(this.reportIntervalMs, 1),
      jb_current_delay_ms: round(jb.currentDelayMs, 2),
      jb_target_delay_ms: round(jb.targetDelayMs, 2),
      jb_late_packets: jb.late,
      jb_effective_loss: round(effLossPct, 3),
      audio_level_dbov: level ? round(level.audio, 2) : 0,
      speech_level_dbov: level ? round(level.speech, 2) : 0,
      noise_level_dbov: level ? round(level.noise, 2) : 0,
    };
    if (!dry) {
      this.lastSampleAt = now;
      this.lastSampleCounts = { pSent: this.packetsSent, bSent: this.bytesSent, pRecv: st.packets, bRecv: st.bytes };
    }
    return out;
  }

  /** Per-call aggregates over the samples taken (averages over the samples that had a MOS). */
  summary(): MediaSummary {
    const a = this.agg;
    const n = a.n || 1;
    return {
      samples: a.n,
      mosAvg: a.n ? a.mos / n : 0,
      mosMin: a.n ? a.mosMin : 0,
      rFactorAvg: a.n ? a.r / n : 0,
      jitterMsAvg: a.n ? a.jitter / n : 0,
      jitterMsMax: a.jitterMax,
      rttMsAvg: a.rttN ? a.rtt / a.rttN : 0,
      rttMsMax: a.rttMax,
      fractionLostAvg: a.n ? a.loss / n : 0,
      packetsLost: Math.max(0, this.stats.cumulativeLost),
      packetsSent: this.packetsSent,
      packetsReceived: this.stats.packets,
      bytesSent: this.bytesSent,
      bytesReceived: this.stats.bytes,
      duplicates: this.stats.duplicates,
      outOfOrder: this.stats.outOfOrder,
      malformed: this.malformed,
      skippedFrames: this.skippedFrames,
      remoteLearned: this.remoteLearned,
      srtpDecryptFailures: this.srtpDecryptFailures,
      dtmfDigitsSent: this.dtmfTx.digitsSent + (this.dtmfInfoTx?.digitsSent ?? 0),
      dtmfDigitsReceived: this.dtmfRx.digitsReceived,
      effectiveLossAvg: a.n ? a.effLoss / n : 0,
      jitterBufferLate: this.jitterBuffer.late,
      jitterBufferDelayMsAvg: a.n ? a.jbDelay / n : 0,
      timestampJumps: this.arrival.timestampJumps,
      ssrcSwitches: this.stats.ssrcChanges,
    };
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
