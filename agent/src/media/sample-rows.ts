/**
 * One second's metrics of many sessions as one flat Float64Array (what a media worker sends the
 * agent's main thread for its frame): a row per session, the SecondMetricValues keys then the
 * DetailMetricValues keys in a fixed order. A transferable array instead of thousands of small
 * objects keeps the hop between threads to one copy-free message.
 */
import type { DetailMetricValues, SecondMetricValues } from "./rtp-session.js";

export const SECOND_ROW_KEYS = [
  "mos", "r_factor", "jitter_ms", "rtt_ms", "fraction_lost", "packets_lost", "packets_sent", "packets_received",
  "bytes_sent", "bytes_received", "srtp_decrypt_failures", "dtmf_digits_sent", "dtmf_digits_received",
] as const satisfies readonly (keyof SecondMetricValues)[];

export const DETAIL_ROW_KEYS = [
  "packets_sent_rate_ps", "packets_recv_rate_ps", "bytes_sent_rate_bps", "bytes_recv_rate_bps", "duplicate_packets",
  "out_of_order_packets", "sequence_number_resets", "sequence_number_gaps", "sequence_number_jumps", "max_packet_spacing",
  "min_packet_spacing", "avg_packet_spacing", "clock_drift_estimate", "timestamp_jumps", "ssrc_switches",
  "rtcp_sr_rr_interval_ms", "jb_current_delay_ms", "jb_target_delay_ms", "jb_late_packets", "jb_effective_loss",
  "audio_level_dbov", "speech_level_dbov", "noise_level_dbov",
] as const satisfies readonly (keyof DetailMetricValues)[];

/** Numbers per row. */
export const ROW_WIDTH = SECOND_ROW_KEYS.length + DETAIL_ROW_KEYS.length;

// Compile-time check that the lists are complete: a key added to either type must be added here.
type Missing<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;
const complete: [Missing<SecondMetricValues, typeof SECOND_ROW_KEYS>, Missing<DetailMetricValues, typeof DETAIL_ROW_KEYS>] extends [never, never] ? true : false = true;
void complete;

/** Writes row `i` of `out`; a session that no longer exists is a row of NaN (no metrics). */
export function writeRow(out: Float64Array, i: number, second: SecondMetricValues | null, detail: DetailMetricValues | null): void {
  let o = i * ROW_WIDTH;
  if (!second || !detail) {
    out.fill(Number.NaN, o, o + ROW_WIDTH);
    return;
  }
  for (const k of SECOND_ROW_KEYS) out[o++] = second[k];
  for (const k of DETAIL_ROW_KEYS) out[o++] = detail[k];
}

/** Row `i` back as the two records the MediaPort's sample() and detail() return, or null (NaN row). */
export function readRow(rows: Float64Array, i: number): { second: SecondMetricValues; detail: DetailMetricValues } | null {
  let o = i * ROW_WIDTH;
  if (o + ROW_WIDTH > rows.length || Number.isNaN(rows[o])) return null;
  const second = {} as SecondMetricValues;
  for (const k of SECOND_ROW_KEYS) second[k] = rows[o++]!;
  const detail = {} as DetailMetricValues;
  for (const k of DETAIL_ROW_KEYS) detail[k] = rows[o++]!;
  return { second, detail };
}
