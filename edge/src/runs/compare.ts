/**
 * Run comparison: the deltas of a run's key figures against a baseline, each judged a regression,
 * an improvement or the same within a tolerance, and the per-second series aligned on seconds
 * since the start so two runs overlay. Pure; the route (routes/runs.ts) only loads the rows.
 */
import type { ComparedFigure, DeltaVerdict, RunDelta, RunSeriesPoint, RunSummary } from "../../../protocol/index.js";

interface FigureSpec {
  label: string;
  unit: string;
  better: "higher" | "lower";
  /** A change no larger than this is "the same" (noise, rounding). */
  tolerance: number;
  of: (s: RunSummary) => number | null;
}

/** The figures compared, in table order, with the tolerance under which a change does not count. */
export const FIGURES: Record<ComparedFigure, FigureSpec> = {
  mos: { label: "MOS", unit: "", better: "higher", tolerance: 0.05, of: (s) => s.mos },
  jitter_ms: { label: "Jitter", unit: "ms", better: "lower", tolerance: 1, of: (s) => s.jitter_ms },
  fraction_lost: { label: "Packet loss", unit: "%", better: "lower", tolerance: 0.1, of: (s) => s.fraction_lost },
  rtt_ms: { label: "RTT", unit: "ms", better: "lower", tolerance: 5, of: (s) => s.rtt_ms },
  callSuccessRate: { label: "Call success", unit: "%", better: "higher", tolerance: 0.5, of: (s) => s.callSuccessRate },
  registrationRate: { label: "Registration rate", unit: "%", better: "higher", tolerance: 0.5, of: (s) => s.registrationRate },
  setupTimeP95Ms: { label: "Setup time p95", unit: "ms", better: "lower", tolerance: 20, of: (s) => s.setupTimeMs?.p95 ?? null },
};

export function verdict(base: number | null, other: number | null, better: "higher" | "lower", tolerance: number): DeltaVerdict {
  if (base === null || other === null || !Number.isFinite(base) || !Number.isFinite(other)) return "unknown";
  const gain = better === "higher" ? other - base : base - other;
  if (gain < -tolerance) return "regression";
  if (gain > tolerance) return "improvement";
  return "same";
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function compareSummaries(base: RunSummary | null, other: RunSummary | null): RunDelta[] {
  return (Object.keys(FIGURES) as ComparedFigure[]).map((key) => {
    const f = FIGURES[key];
    const b = base ? f.of(base) : null;
    const o = other ? f.of(other) : null;
    return {
      key, label: f.label, unit: f.unit, better: f.better, base: b, other: o,
      delta: b === null || o === null ? null : round(o - b),
      verdict: verdict(b, o, f.better, f.tolerance),
    };
  });
}

/** Series rows (epoch-second `t`) with `offsetSec` from the run's start, or its first point when the start is unknown. */
export function alignSeries(
  rows: readonly { t: number; mos: number | null; jitterMs: number | null; fractionLost: number | null; rttMs: number | null; reporting: number }[],
  startedAtIso: string | null,
): RunSeriesPoint[] {
  const sorted = [...rows].sort((a, b) => a.t - b.t);
  const started = startedAtIso ? Math.floor(Date.parse(startedAtIso) / 1000) : NaN;
  const t0 = Number.isFinite(started) ? Math.min(started, sorted[0]?.t ?? started) : (sorted[0]?.t ?? 0);
  return sorted.map((r) => ({
    t: r.t, offsetSec: r.t - t0, mos: r.mos, jitter_ms: r.jitterMs, fraction_lost: r.fractionLost, rtt_ms: r.rttMs, reporting: r.reporting,
  }));
}
