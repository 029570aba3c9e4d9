/**
 * One second's metrics of many sessions as one flat Float64Array (what a media worker sends the
 * agent's main thread for its frame): a row per session, the SecondMetricValues keys then the
 * DetailMetricValues keys in a fixed order. A transferable array instead of thousands of small
 * objects keeps the hop between threads to one copy-free message.
 */
import { DETAIL_METRIC_KEYS, SECOND_METRIC_KEYS, type DetailMetricKey, type SecondMetricKey } from "../../../protocol/metrics.js";
import type { DetailMetricValues, SecondMetricValues } from "./rtp-session.js";

/** Row columns: the protocol's key lists (protocol/metrics.ts), the one definition of the metrics. */
export const SECOND_ROW_KEYS = SECOND_METRIC_KEYS;
export const DETAIL_ROW_KEYS = DETAIL_METRIC_KEYS;

/** Numbers per row. */
export const ROW_WIDTH = SECOND_ROW_KEYS.length + DETAIL_ROW_KEYS.length;

// Compile-time check that the session's records carry exactly the protocol's keys.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameKeys: [Same<SecondMetricKey, keyof SecondMetricValues>, Same<DetailMetricKey, keyof DetailMetricValues>] = [true, true];
void sameKeys;

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
