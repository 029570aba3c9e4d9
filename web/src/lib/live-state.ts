/**
 * The live view of a run, as a pure reducer over viewer messages: a `snapshot` replaces everything,
 * a `tick` updates the run state, appends (or replaces, same second) one aggregate point and merges
 * the changed endpoints by id. No Solid, no DOM: unit-tested directly.
 */
import {
  advancePhase,
  mergeOutcome,
  type LiveAggregate,
  type LiveEndpoint,
  type LiveRunState,
  type LiveSnapshot,
  type LiveTick,
} from "../../../protocol/index.js";

/** Points kept for the chart (the server's snapshot holds at most an hour). */
export const MAX_SERIES_POINTS = 3600;

export interface LiveState {
  run: LiveRunState | null;
  series: LiveAggregate[];
  /** Sorted by group, then index. */
  endpoints: LiveEndpoint[];
  /** Set once a snapshot has been applied (endpoints are complete). */
  hasSnapshot: boolean;
  /** Messages applied, for cheap change detection. */
  version: number;
}

export const emptyLiveState = (): LiveState => ({ run: null, series: [], endpoints: [], hasSnapshot: false, version: 0 });

export function compareEndpoints(a: LiveEndpoint, b: LiveEndpoint): number {
  if (a.group !== b.group) return a.group < b.group ? -1 : 1;
  if (a.index !== b.index) return a.index - b.index;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Insert or replace a point keeping `t` ascending and unique. */
export function appendAggregate(series: readonly LiveAggregate[], p: LiveAggregate, max = MAX_SERIES_POINTS): LiveAggregate[] {
  const last = series[series.length - 1];
  let out: LiveAggregate[];
  if (!last || p.t > last.t) out = [...series, p];
  else if (p.t === last.t) out = [...series.slice(0, -1), p];
  else {
    const i = series.findIndex((s) => s.t >= p.t);
    out = series[i]!.t === p.t ? [...series.slice(0, i), p, ...series.slice(i + 1)] : [...series.slice(0, i), p, ...series.slice(i)];
  }
  return out.length > max ? out.slice(out.length - max) : out;
}

/** Merge changed endpoints by id; phase never moves backwards, outcome only to a more severe one. */
export function mergeEndpoints(current: readonly LiveEndpoint[], changed: readonly LiveEndpoint[]): LiveEndpoint[] {
  if (changed.length === 0) return current as LiveEndpoint[];
  const byId = new Map<string, LiveEndpoint>();
  for (const c of changed) byId.set(c.id, c);
  let added = false;
  const out = current.map((e) => {
    const c = byId.get(e.id);
    if (!c) return e;
    byId.delete(e.id);
    return { ...c, phase: advancePhase(e.phase, c.phase), outcome: mergeOutcome(e.outcome, c.outcome) };
  });
  for (const c of byId.values()) {
    out.push(c);
    added = true;
  }
  if (added) out.sort(compareEndpoints);
  return out;
}

export function applySnapshot(state: LiveState, msg: LiveSnapshot): LiveState {
  const series = [...msg.series].sort((a, b) => a.t - b.t);
  return {
    run: msg.run,
    series: series.length > MAX_SERIES_POINTS ? series.slice(series.length - MAX_SERIES_POINTS) : series,
    endpoints: [...msg.endpoints].sort(compareEndpoints),
    hasSnapshot: true,
    version: state.version + 1,
  };
}

export function applyTick(state: LiveState, msg: LiveTick): LiveState {
  return {
    run: msg.run,
    series: msg.aggregate ? appendAggregate(state.series, msg.aggregate) : state.series,
    endpoints: mergeEndpoints(state.endpoints, msg.endpoints),
    hasSnapshot: state.hasSnapshot,
    version: state.version + 1,
  };
}

/** The reducer. Other message types (e.g. `error`) leave the state unchanged. */
export function reduceLive(state: LiveState, msg: { type: string }): LiveState {
  if (msg.type === "snapshot") return applySnapshot(state, msg as LiveSnapshot);
  if (msg.type === "tick") return applyTick(state, msg as LiveTick);
  return state;
}

/** Distinct groups, in first-seen order of the sorted list. */
export function groupsOf(endpoints: readonly LiveEndpoint[]): string[] {
  const seen = new Set<string>();
  for (const e of endpoints) seen.add(e.group);
  return [...seen];
}

export interface EndpointFilter {
  group?: string;
  phase?: string;
  outcome?: string;
}

/** `outcome: "NONE"` matches endpoints without an outcome yet. */
export function filterEndpoints(endpoints: readonly LiveEndpoint[], f: EndpointFilter): LiveEndpoint[] {
  return endpoints.filter(
    (e) =>
      (!f.group || e.group === f.group) &&
      (!f.phase || e.phase === f.phase) &&
      (!f.outcome || (f.outcome === "NONE" ? e.outcome === null : e.outcome === f.outcome)),
  );
}

/** Seconds since start (capped at the duration while running; null before the start). */
export function elapsedSec(run: Pick<LiveRunState, "startedAt" | "endedAt">, nowMs: number): number | null {
  if (run.startedAt == null) return null;
  const toMs = (t: number) => (t < 1e12 ? t * 1000 : t); // accept epoch seconds or ms
  const end = run.endedAt != null ? toMs(run.endedAt) : nowMs;
  return Math.max(0, Math.floor((end - toMs(run.startedAt)) / 1000));
}
