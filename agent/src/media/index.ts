/**
 * The media engine's public surface (see each module's header for the standards it follows).
 *   RtpSession + MediaScheduler/sharedScheduler — one call's RTP/RTCP on a process-wide clock
 *   buildSdp / parseSdp / negotiate             — SDP offer/answer for G.711, G.722, Opus, SDES a=crypto
 *   SrtpTransform / parseCrypto / formatCrypto  — SRTP keyed by SDES (RFC 4568) over werift
 *   DtlsSrtpTransport / createDtlsIdentity      — SRTP keyed by DTLS (RFC 5764, RFC 5763) over werift
 *   DtmfSender / DtmfDetector                   — RFC 4733 telephone-events
 *   DtmfInfoSender / DtmfInfoDetector           — DTMF over SIP INFO (application/dtmf-relay, application/dtmf)
 *   RtpReceiverStats                            — RFC 3550 receiver statistics
 *   ArrivalStats / JitterBufferModel / AudioLevelMeter — spacing, timestamp jumps, drift; playout
 *                                                 buffer model; dBov levels
 *   eModel / rFactor / mosFromR                 — ITU-T G.107
 *   G.711 and G.722 codecs, Opus (libopus wasm), codec clock rates, the speech-like source, RTCP
 *   helpers, process-wide counters
 *   MediaPool / MediaHost                       — sessions over worker threads, each with its own
 *                                                 scheduler and sockets; mergeable per-second
 *                                                 MediaAggregates (aggregate.ts, histogram.ts)
 */
export { RtpSession, type DetailMetricValues, type MediaSummary, type RemoteMedia, type RtpSessionOptions, type SecondMetricValues } from "./rtp-session.js";
export { ArrivalStats, type SpacingSummary } from "./arrival-stats.js";
export { DEFAULT_JITTER_BUFFER, JitterBufferModel, type JitterBufferConfig } from "./jitter-buffer.js";
export { AudioLevelMeter, dbov, type LevelSummary } from "./audio-level.js";
export { MediaScheduler, sharedScheduler, type ScheduledStream, type SchedulerHandle, type SchedulerOptions, type SchedulerStats } from "./scheduler.js";
export { audioStream, buildSdp, negotiate, OPUS_FMTP, OPUS_PT, parseSdp, STATIC_PT, TELEPHONE_EVENT_48K_PT, TELEPHONE_EVENT_PT, unusedPayloadType, type BuildSdpOptions, type Direction, type MediaProto, type NegotiateOptions, type NegotiationResult, type ParsedSdp, type SdpMedia } from "./sdp.js";
export { DTMF_EVENTS, DtmfDetector, DtmfSender, readTelephoneEvent, writeTelephoneEvent, type DtmfFrame, type DtmfOptions, type TelephoneEvent } from "./dtmf.js";
export { DEFAULT_SRTP_SUITES, formatCrypto, generateSdesKey, isSrtpSuite, parseCrypto, SRTP_SUITES, SrtpTransform, type CryptoAttribute, type SdesKey, type SrtpSuite } from "./srtp.js";
export { answerSetup, certificateFingerprint, createDtlsIdentity, DTLS_SRTP_PROTO, DtlsSrtpTransport, isDtlsRecord, parseFingerprint, type DtlsIdentity, type Fingerprint, type SetupRole } from "./dtls-srtp.js";
export { DEFAULT_INFO_DURATION_MS, DTMF_CONTENT_TYPE, DTMF_RELAY_CONTENT_TYPE, DtmfInfoDetector, DtmfInfoSender, formatDtmfRelay, parseDtmfInfo, type DtmfInfoOptions, type InfoDigit, type SendInfo } from "./dtmf-info.js";
export { RtpReceiverStats, type IntervalCursor, type IntervalLoss } from "./rtp-stats.js";
export { CODEC_IMPAIRMENT, eModel, G107_DEFAULTS, mosFromR, mouthToEarMs, rFactor, type EModelParams, type EModelTerms, type RFactorInput } from "./emodel.js";
export { alawDecode, alawEncode, decodeG711, encodeG711, ulawDecode, ulawEncode, type G711Law } from "./g711.js";
export { copyFrame, FRAME_SAMPLES, frameBytes, generateSpeechLike, OPUS_BITRATE, OPUS_INPUT_RATE, payloadLoop, SAMPLE_RATE, type G711Codec, type MediaCodec, type PayloadLoop } from "./source.js";
export { MEDIA_CODECS, PACKET_MS, packetUnits, RTP_CLOCK_RATE } from "./codecs.js";
export { encodeOpusFrames, OPUS_CLOCK_RATE, OpusDecoder, type OpusEncodeOptions, type OpusFrames, type OpusPcmRate } from "./opus.js";
export { PacketRing } from "./packet-ring.js";
export { G722_CLOCK_RATE, G722_SAMPLE_RATE, G722Decoder, G722Encoder } from "./g722.js";
export { buildBye, buildRr, buildSdesCname, buildSr, msFromNtp, msToNtpShort, ntpFromMs, ntpMiddle32, ntpMiddle32FromMs, parseRtcp, rttMs, validRtcpCompound, type ParsedReport, type ReportBlock, type SenderInfo } from "./rtcp.js";
export { newRtpHeaderView, readRtpHeader, RTP_HEADER_BYTES, writeRtpHeader, type RtpHeaderView } from "./rtp-packet.js";
export { createMediaRateMeter, mediaCounters, type MediaRateMeter } from "./counters.js";
export { MediaPool, type PooledSession } from "./media-pool.js";
export { MediaHost, ROW_KEYS, type HostReport, type HostSessionOptions } from "./media-host.js";
export { ChangedRows, emptyAggregate, mergeAggregates, sparseQuantile, type MediaAggregate } from "./aggregate.js";
export { LatencyHistogram } from "./histogram.js";
export { mediaWorkerCount, pickWorker } from "./worker-assign.js";
