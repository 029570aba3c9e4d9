/** Good / warn / bad colouring from QUALITY_THRESHOLDS (protocol/metrics.ts). */
import { QUALITY_THRESHOLDS } from "../../../protocol/index.js";

export type QualityKey = keyof typeof QUALITY_THRESHOLDS;
export type QualityLevel = "good" | "warn" | "bad" | "none";

/**
 * higher-is-better (MOS): ≥ good → good, < bad → bad, otherwise warn.
 * lower-is-better (jitter, loss, RTT): ≤ good → good, > bad → bad, otherwise warn.
 */
export function qualityLevel(key: QualityKey, value: number | null | undefined): QualityLevel {
  if (value == null || !Number.isFinite(value)) return "none";
  const t = QUALITY_THRESHOLDS[key];
  if (t.better === "higher") return value >= t.good ? "good" : value < t.bad ? "bad" : "warn";
  return value <= t.good ? "good" : value > t.bad ? "bad" : "warn";
}

export const isQualityKey = (k: string): k is QualityKey => k in QUALITY_THRESHOLDS;
