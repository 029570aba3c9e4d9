/**
 * Every metric an endpoint reports, documented once. The dashboard's tooltips and the README's
 * metric table are generated from this list; keys match the product we measure ourselves against.
 */
import { z } from "zod";

export interface MetricDefinition {
  key: string;
  label: string;
  unit: string;
  category: "quality" | "network" | "timing" | "jitter_buffer" | "audio";
  /** How it is computed, for tooltips and docs. */
  description: string;
  /** How per-second values of many endpoints combine into a run aggregate. */
  aggregate: "avg" | "sum";
  /** For colouring: which direction is better. */
  better: "higher" | "lower" | "none";
}

/** Reported every second per endpoint (receive direction for quality, both directions for counters). */
export const SECOND_METRICS = [
  { key: "mos", label: "MOS", unit: "1–5", category: "quality", aggregate: "avg", better: "higher",
    description: "Mean opinion score estimated from the R-factor with the ITU-T G.107 E-model (Annex B conversion), for what a phone would suffer behind the modelled jitter buffer (loss incl. late discards, its delay)." },
  { key: "r_factor", label: "R-factor", unit: "0–100", category: "quality", aggregate: "avg", better: "higher",
    description: "E-model transmission rating R = Ro − Is − Id − Ie,eff + A (ITU-T G.107), from codec impairment Ie/Bpl (G.711: 0/4.3, ITU-T G.113 Appendix I; G.722: 0/4.3 and Opus: 0/25.1, provisional as G.113 lists neither — Opus's Bpl is G.711-with-concealment's, as every Opus decoder conceals loss), effective loss (network + jitter-buffer late discards) and mouth-to-ear delay RTT/2 + jitter-buffer delay + 20 ms." },
  { key: "jitter_ms", label: "Jitter", unit: "ms", category: "quality", aggregate: "avg", better: "lower",
    description: "RFC 3550 §A.8 interarrival jitter of received RTP, in milliseconds." },
  { key: "rtt_ms", label: "RTT", unit: "ms", category: "quality", aggregate: "avg", better: "lower",
    description: "Round-trip time from RTCP SR/RR: arrival time − LSR − DLSR (RFC 3550 §6.4.1). 0 until the first report block arrives." },
  { key: "fraction_lost", label: "Packet loss", unit: "%", category: "quality", aggregate: "avg", better: "lower",
    description: "Packets lost in the last second as a percentage of those expected (RFC 3550 §A.3, per interval)." },
  { key: "packets_lost", label: "Packets lost", unit: "packets", category: "quality", aggregate: "sum", better: "lower",
    description: "Cumulative packets lost: expected (extended highest sequence − base + 1) − received (RFC 3550 §A.3)." },
  { key: "packets_sent", label: "Packets sent", unit: "packets", category: "network", aggregate: "sum", better: "none",
    description: "Cumulative RTP packets sent." },
  { key: "packets_received", label: "Packets received", unit: "packets", category: "network", aggregate: "sum", better: "none",
    description: "Cumulative RTP packets received (duplicates included)." },
  { key: "bytes_sent", label: "Bytes sent", unit: "bytes", category: "network", aggregate: "sum", better: "none",
    description: "Cumulative RTP bytes sent (RTP header + payload, plus the SRTP tag with SRTP; no UDP/IP)." },
  { key: "bytes_received", label: "Bytes received", unit: "bytes", category: "network", aggregate: "sum", better: "none",
    description: "Cumulative RTP bytes received (RTP header + payload, plus the SRTP tag with SRTP; no UDP/IP)." },
  { key: "srtp_decrypt_failures", label: "SRTP decrypt failures", unit: "packets", category: "quality", aggregate: "sum", better: "lower",
    description: "Cumulative SRTP/SRTCP packets dropped because authentication or decryption failed (RFC 3711 §3.3; wrong key, tampering, corruption). 0 without SRTP." },
  { key: "dtmf_digits_sent", label: "DTMF digits sent", unit: "digits", category: "quality", aggregate: "sum", better: "none",
    description: "Cumulative DTMF digits sent: RFC 4733 telephone-events (counted once the third end packet, E bit set, went out; §2.5.1.4) and SIP INFO digits (application/dtmf-relay) the peer answered 2xx." },
  { key: "dtmf_digits_received", label: "DTMF digits received", unit: "digits", category: "quality", aggregate: "sum", better: "none",
    description: "Cumulative DTMF digits received: RFC 4733 telephone-events, one per event timestamp (retransmitted and updated packets of the same event are not counted again; §2.5.2), and SIP INFO requests carrying application/dtmf-relay or application/dtmf." },
] as const satisfies readonly MetricDefinition[];

export type SecondMetricKey = (typeof SECOND_METRICS)[number]["key"];
export const SECOND_METRIC_KEYS = SECOND_METRICS.map((m) => m.key) as SecondMetricKey[];

/**
 * Per-endpoint detail, computed by the same once-a-second sample as SECOND_METRICS (receive
 * direction unless the key says "sent"). They travel in the same per-second frame (`m`) and are
 * kept in the run object's full-resolution series for the endpoint page's charts; the run
 * aggregates use only the key metrics. (Measured: JSON parsing of a 200-endpoint frame costs
 * the edge ~0.5 ms, so the larger frame is not the edge's bottleneck; its storage is — see README.)
 * The agent's RtpSession.detail() returns exactly these keys (agent/src/media/rtp-session.ts);
 * cumulative counters are since call start.
 */
export const DETAIL_METRICS = [
  { key: "packets_sent_rate_ps", label: "Packets sent rate", unit: "packets/s", category: "network", aggregate: "sum", better: "none",
    description: "RTP packets sent per second over the last sample interval." },
  { key: "packets_recv_rate_ps", label: "Packets received rate", unit: "packets/s", category: "network", aggregate: "sum", better: "none",
    description: "RTP packets received per second over the last sample interval (duplicates included, SRTP failures excluded)." },
  { key: "bytes_sent_rate_bps", label: "Send bitrate", unit: "bit/s", category: "network", aggregate: "sum", better: "none",
    description: "Bits per second of RTP sent (header + payload [+ SRTP tag], no UDP/IP) over the last sample interval." },
  { key: "bytes_recv_rate_bps", label: "Receive bitrate", unit: "bit/s", category: "network", aggregate: "sum", better: "none",
    description: "Bits per second of RTP received (header + payload [+ SRTP tag], no UDP/IP) over the last sample interval." },
  { key: "duplicate_packets", label: "Duplicate packets", unit: "packets", category: "network", aggregate: "sum", better: "lower",
    description: "Cumulative packets whose extended sequence number was already received (within the last 1,024); with SRTP, the authenticated packets its replay check (RFC 3711 §3.3.2, 64-packet window) dropped." },
  { key: "out_of_order_packets", label: "Out-of-order packets", unit: "packets", category: "network", aggregate: "sum", better: "lower",
    description: "Cumulative packets arriving below the highest sequence number received so far, not duplicates (reordered)." },
  { key: "sequence_number_resets", label: "Sequence resets", unit: "events", category: "network", aggregate: "sum", better: "lower",
    description: "Cumulative sequence restarts: a very large jump confirmed by the next packet, so RFC 3550 §A.1 re-initialised the sequence." },
  { key: "sequence_number_gaps", label: "Largest sequence gap", unit: "packets", category: "network", aggregate: "avg", better: "lower",
    description: "Gauge: the largest run of sequence numbers skipped by one in-order arrival during the last sample interval (a loss burst, before reordering fills any of it)." },
  { key: "sequence_number_jumps", label: "Sequence jumps", unit: "events", category: "network", aggregate: "sum", better: "lower",
    description: "Cumulative packets more than 3,000 ahead or 100 behind the highest sequence number (RFC 3550 §A.1 MAX_DROPOUT / MAX_MISORDER), each starting a new jump candidate." },
  { key: "max_packet_spacing", label: "Max packet spacing", unit: "ms", category: "network", aggregate: "avg", better: "lower",
    description: "Largest time between consecutive packet arrivals over the last 2 seconds (two 1-second buckets)." },
  { key: "min_packet_spacing", label: "Min packet spacing", unit: "ms", category: "network", aggregate: "avg", better: "none",
    description: "Smallest time between consecutive packet arrivals over the last 2 seconds." },
  { key: "avg_packet_spacing", label: "Avg packet spacing", unit: "ms", category: "network", aggregate: "avg", better: "none",
    description: "Mean time between consecutive packet arrivals over the last 2 seconds (20 for a clean 20 ms stream)." },
  { key: "clock_drift_estimate", label: "Clock drift", unit: "ppm", category: "quality", aggregate: "avg", better: "none",
    description: "Least-squares slope of transit time (arrival − RTP timestamp / clock rate) against media time since the stream (re)started, negated: positive when the sender's media clock runs fast against ours. 0 until 10 s of media (noise ≈ ±15 ppm per ms of jitter then, shrinking with time); restarts on a timestamp jump or SSRC change." },
  { key: "timestamp_jumps", label: "Timestamp jumps", unit: "events", category: "quality", aggregate: "sum", better: "lower",
    description: "Cumulative packets with the next sequence number whose RTP timestamp advanced by other than one packet duration (learnt from the stream) by more than half a packet, either way; talkspurt starts (marker bit, RFC 3551 §4.1) excluded." },
  { key: "ssrc_switches", label: "SSRC switches", unit: "events", category: "quality", aggregate: "sum", better: "lower",
    description: "Cumulative changes of the received stream's SSRC (a new source after 3 consecutive packets from it; RFC 3550 §8.2); statistics restart at each." },
  { key: "rtcp_sr_rr_interval_ms", label: "RTCP report interval", unit: "ms", category: "quality", aggregate: "avg", better: "none",
    description: "Time between the last two RTCP SR/RR received from the peer's media source (RFC 3550 §6.2). 0 until two have arrived." },
  { key: "jb_current_delay_ms", label: "Jitter buffer delay", unit: "ms", category: "jitter_buffer", aggregate: "avg", better: "lower",
    description: "Playout delay of the modelled jitter buffer beyond the least-delayed packet: fixed, or adaptive (target = mean + 4 × mean deviation of the delay, Ramjee et al. 1994; rises at once, shrinks ≤ 1 ms per packet; 60–300 ms). Enters MOS as mouth-to-ear delay = RTT/2 + this + 20 ms." },
  { key: "jb_target_delay_ms", label: "Jitter buffer target", unit: "ms", category: "jitter_buffer", aggregate: "avg", better: "lower",
    description: "The delay the adaptive buffer is moving to (equals the current delay for a fixed buffer)." },
  { key: "jb_late_packets", label: "Late packets", unit: "packets", category: "jitter_buffer", aggregate: "sum", better: "lower",
    description: "Cumulative packets that arrived after their playout deadline in the modelled buffer and were discarded." },
  { key: "jb_effective_loss", label: "Effective loss", unit: "%", category: "jitter_buffer", aggregate: "avg", better: "lower",
    description: "Loss a listener suffers in the last second: (packets lost on the network + late discards) / expected. This, not fraction_lost, is the loss behind mos and r_factor." },
  { key: "audio_level_dbov", label: "Audio level", unit: "dBov", category: "audio", aggregate: "avg", better: "none",
    description: "RMS level of all received audio in the last second (silence included), dB relative to full-scale square wave (ITU-T G.100.1); −127 when nothing was received." },
  { key: "speech_level_dbov", label: "Speech level", unit: "dBov", category: "audio", aggregate: "avg", better: "none",
    description: "RMS level of the received 20 ms frames an energy VAD classed as speech (frame level ≥ −50 dBov) in the last second; −127 when none." },
  { key: "noise_level_dbov", label: "Noise level", unit: "dBov", category: "audio", aggregate: "avg", better: "lower",
    description: "RMS level of the received frames below the VAD threshold (pauses, background) in the last second; −127 when none." },
] as const satisfies readonly MetricDefinition[];

export type DetailMetricKey = (typeof DETAIL_METRICS)[number]["key"];
export const DETAIL_METRIC_KEYS = DETAIL_METRICS.map((m) => m.key) as DetailMetricKey[];

/** One-shot timings per endpoint (call-timing category). All in milliseconds unless stated. */
export const TIMING_METRICS = [
  { key: "time_to_register_ms", label: "Time to register", unit: "ms", description: "First REGISTER sent → 200 OK (including the 401/407 round trip)." },
  { key: "registration_expires_s", label: "Granted Expires", unit: "s", description: "Expires the registrar granted in its 200 OK (Contact expires param or Expires header)." },
  { key: "time_to_trying_ms", label: "Time to Trying", unit: "ms", description: "INVITE sent → 100 Trying received." },
  { key: "time_to_ringing_ms", label: "Time to Ringing", unit: "ms", description: "INVITE sent → 180 Ringing received." },
  { key: "post_dial_delay_ms", label: "Post-dial delay", unit: "ms", description: "INVITE sent → first 180 or 183." },
  { key: "call_setup_time_ms", label: "Call setup time", unit: "ms", description: "INVITE sent → 200 OK." },
  { key: "call_duration_ms", label: "Call duration", unit: "ms", description: "200 OK → BYE (sent or received)." },
  { key: "final_status_code", label: "Final status code", unit: "SIP code", description: "Final SIP response to the INVITE (callers) or the REGISTER that failed." },
] as const;
export type TimingKey = (typeof TIMING_METRICS)[number]["key"];
export const TIMING_KEYS = TIMING_METRICS.map((m) => m.key) as TimingKey[];

export const SecondMetrics = z.record(z.string(), z.number().finite());
export type SecondMetrics = Partial<Record<SecondMetricKey, number>>;

export const Timings = z
  .object(Object.fromEntries(TIMING_KEYS.map((k) => [k, z.number().finite().nonnegative().optional()])) as Record<
    TimingKey,
    z.ZodOptional<z.ZodNumber>
  >)
  .strict();
export type Timings = Partial<Record<TimingKey, number>>;

/** Thresholds the dashboard colours by (from the reference docs' "what to watch for" table). */
export const QUALITY_THRESHOLDS = {
  mos: { good: 3.5, bad: 3.0, better: "higher" },
  jitter_ms: { good: 30, bad: 50, better: "lower" },
  fraction_lost: { good: 1, bad: 3, better: "lower" },
  rtt_ms: { good: 150, bad: 300, better: "lower" },
} as const;
