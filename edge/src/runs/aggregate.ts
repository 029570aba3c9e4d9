/**
 * Run-level numbers from endpoint reports, pure. Per-second aggregates are kept as sums and counts
 * (mergeable: frames from many agents land in the same second in any order, and the average is
 * exact); the summary is computed from the endpoints' final state.
 */
import {
  ENDPOINT_PHASES,
  isErrorOutcome,
  type EndpointOutcome,
  type EndpointPhase,
  type LiveAggregate,
  type RunSummary,
  type Timings,
} from "../../../protocol/index.js";

/** The per-second metrics averaged across endpoints for the live chart. */
export const AVERAGED_KEYS = ["mos", "jitter_ms", "fraction_lost", "rtt_ms"] as const;
export type AveragedKey = (typeof AVERAGED_KEYS)[number];

export interface SecondBucket {
  t: number;
  sums: Record<AveragedKey, number>;
  counts: Record<AveragedKey, number>;
  reporting: number;
  /** The same second per test group (run-level buckets only). */
  groups?: Record<string, SecondBucket>;
}

export function emptyBucket(t: number): SecondBucket {
  return {
    t,
    sums: { mos: 0, jitter_ms: 0, fraction_lost: 0, rtt_ms: 0 },
    counts: { mos: 0, jitter_ms: 0, fraction_lost: 0, rtt_ms: 0 },
    reporting: 0,
  };
}

/** Add one endpoint's second to a bucket. RTT 0 means "not known yet" and is not averaged in. */
export function addToBucket(bucket: SecondBucket, m: Record<string, number>): void {
  let any = false;
  for (const k of AVERAGED_KEYS) {
    const v = m[k];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (k === "rtt_ms" && v <= 0) continue;
    bucket.sums[k] += v;
    bucket.counts[k] += 1;
    any = true;
  }
  if (any) bucket.reporting += 1;
}

/** Add one endpoint's second to the run's bucket and to its group's. */
export function addToRunBucket(bucket: SecondBucket, group: string, m: Record<string, number>): void {
  addToBucket(bucket, m);
  const groups = (bucket.groups ??= {});
  addToBucket((groups[group] ??= emptyBucket(bucket.t)), m);
}

/** One stored row per second (run level) and per second and group: what run_series / run_group_series hold. */
export interface SeriesRow {
  t: number;
  mos: number | null;
  jitterMs: number | null;
  fractionLost: number | null;
  rttMs: number | null;
  reporting: number;
}
export function seriesRow(b: SecondBucket): SeriesRow {
  const a = bucketToAggregate(b);
  return { t: a.t, mos: a.mos, jitterMs: a.jitter_ms, fractionLost: a.fraction_lost, rttMs: a.rtt_ms, reporting: a.reporting };
}
export function groupSeriesRows(b: SecondBucket): (SeriesRow & { groupName: string })[] {
  return Object.entries(b.groups ?? {}).map(([groupName, g]) => ({ groupName, ...seriesRow({ ...g, t: b.t }) }));
}

export function bucketToAggregate(b: SecondBucket): LiveAggregate {
  const avg = (k: AveragedKey) => (b.counts[k] > 0 ? round(b.sums[k] / b.counts[k], 3) : null);
  return { t: b.t, mos: avg("mos"), jitter_ms: avg("jitter_ms"), fraction_lost: avg("fraction_lost"), rtt_ms: avg("rtt_ms"), reporting: b.reporting };
}

export interface EndpointFinal {
  group: string;
  role: "CALLER" | "RECEIVER";
  phase: EndpointPhase;
  outcome: EndpointOutcome | null;
  timings: Timings;
  /** Per-call averages of the endpoint's per-second metrics. */
  callAverages: Partial<Record<AveragedKey, number>>;
}

export function countBy<T extends string>(values: (T | null)[]): Partial<Record<T, number>> {
  const out: Partial<Record<T, number>> = {};
  for (const v of values) if (v !== null) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export function phaseCounts(phases: EndpointPhase[]): Record<EndpointPhase, number> {
  const out = Object.fromEntries(ENDPOINT_PHASES.map((p) => [p, 0])) as Record<EndpointPhase, number>;
  for (const p of phases) out[p] += 1;
  return out;
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function mean(values: (number | undefined)[]): number | null {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 3) : null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function summarize(endpoints: EndpointFinal[]): RunSummary {
  const callers = endpoints.filter((e) => e.role === "CALLER");
  const registered = endpoints.filter((e) => e.timings.time_to_register_ms !== undefined).length;
  const answered = callers.filter((e) => e.timings.call_setup_time_ms !== undefined && !isErrorOutcome(e.outcome)).length;
  const setup = callers.map((e) => e.timings.call_setup_time_ms).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const groups = [...new Set(endpoints.map((e) => e.group))].map((name) => {
    const members = endpoints.filter((e) => e.group === name);
    return { name, endpoints: members.length, outcomeCounts: countBy(members.map((e) => e.outcome)), mos: mean(members.map((e) => e.callAverages.mos)) };
  });
  return {
    endpoints: endpoints.length,
    phaseCounts: phaseCounts(endpoints.map((e) => e.phase)),
    outcomeCounts: countBy(endpoints.map((e) => e.outcome)),
    groups,
    mos: mean(endpoints.map((e) => e.callAverages.mos)),
    jitter_ms: mean(endpoints.map((e) => e.callAverages.jitter_ms)),
    fraction_lost: mean(endpoints.map((e) => e.callAverages.fraction_lost)),
    rtt_ms: mean(endpoints.map((e) => e.callAverages.rtt_ms)),
    callSuccessRate: callers.length ? round((100 * answered) / callers.length, 2) : null,
    registrationRate: endpoints.length ? round((100 * registered) / endpoints.length, 2) : null,
    setupTimeMs: { p50: percentile(setup, 50), p95: percentile(setup, 95) },
  };
}
