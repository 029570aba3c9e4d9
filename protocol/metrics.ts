/**
 * Every metric an endpoint reports, documented once. The dashboard's tooltips and the README's
 * metric table are generated from this list; keys match the product we measure ourselves against.
 */
import { z } from "zod";

export interface MetricDefinition {
  key: string;
  label: string;
  unit: string;
  category: "quality" | "network" | "timing";
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
    description: "Mean opinion score estimated from the R-factor with the ITU-T G.107 E-model (Annex B conversion)." },
  { key: "r_factor", label: "R-factor", unit: "0–100", category: "quality", aggregate: "avg", better: "higher",
    description: "E-model transmission rating R = Ro − Is − Id − Ie,eff + A (ITU-T G.107), from codec impairment Ie/Bpl, loss and one-way delay (RTT/2)." },
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
    description: "Cumulative SRTP/SRTCP packets dropped because authentication or decryption failed (RFC 3711 §3.3 step 5; wrong key, tampering, corruption). 0 without SRTP." },
  { key: "dtmf_digits_sent", label: "DTMF digits sent", unit: "digits", category: "quality", aggregate: "sum", better: "none",
    description: "Cumulative RFC 4733 telephone-event digits sent (counted once the third end packet, E bit set, went out; §2.5.1.4)." },
  { key: "dtmf_digits_received", label: "DTMF digits received", unit: "digits", category: "quality", aggregate: "sum", better: "none",
    description: "Cumulative RFC 4733 digits detected in received telephone-event packets, one per event timestamp (retransmitted and updated packets of the same event are not counted again; §2.5.2)." },
] as const satisfies readonly MetricDefinition[];

export type SecondMetricKey = (typeof SECOND_METRICS)[number]["key"];
export const SECOND_METRIC_KEYS = SECOND_METRICS.map((m) => m.key) as SecondMetricKey[];

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
