/**
 * The endpoint list's view model, pure: search, sort by any column, and which slice of rows a
 * virtualised table shows for a scroll position. The list lives in memory (the run's live snapshot
 * carries every endpoint), so this is all client-side and runs on every tick.
 */
import { ENDPOINT_PHASES, OUTCOME_SEVERITY, type LiveEndpoint } from "../../../protocol/index.js";
import { compareEndpoints } from "./live-state.js";

export const SORT_KEYS = ["group", "username", "role", "phase", "outcome", "statusCode", "mos", "jitter_ms", "fraction_lost", "rtt_ms"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "asc" | "desc";
export interface EndpointSort {
  key: SortKey;
  dir: SortDir;
}
export const DEFAULT_SORT: EndpointSort = { key: "group", dir: "asc" };

const PHASE_ORDER = new Map(ENDPOINT_PHASES.map((p, i) => [p, i]));

/** Values to compare; `null` (no value yet) sorts last in either direction. */
function valueOf(e: LiveEndpoint, key: SortKey): string | number | null {
  switch (key) {
    case "group":
      return null; // the default order (group, then index) is the tiebreak below
    case "username":
      return e.username;
    case "role":
      return e.role;
    case "phase":
      return PHASE_ORDER.get(e.phase) ?? 0;
    case "outcome":
      return e.outcome === null ? null : OUTCOME_SEVERITY[e.outcome] * 100 + e.outcome.charCodeAt(0);
    case "statusCode":
      return e.statusCode;
    case "mos":
      return e.mos;
    case "jitter_ms":
    case "fraction_lost":
    case "rtt_ms":
      return e[key] ?? null;
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function sortEndpoints(list: readonly LiveEndpoint[], sort: EndpointSort): LiveEndpoint[] {
  const sign = sort.dir === "asc" ? 1 : -1;
  if (sort.key === "group") return sort.dir === "asc" ? [...list].sort(compareEndpoints) : [...list].sort((a, b) => -compareEndpoints(a, b));
  return [...list].sort((a, b) => {
    const va = valueOf(a, sort.key);
    const vb = valueOf(b, sort.key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      const c = typeof va === "string" && typeof vb === "string" ? collator.compare(va, vb) : (va as number) - (vb as number);
      if (c !== 0) return sign * c;
    }
    return compareEndpoints(a, b);
  });
}

/** Case-insensitive match on the account (user name), the group, `group #index` and the id. */
export function searchEndpoints(list: readonly LiveEndpoint[], query: string): LiveEndpoint[] {
  const q = query.trim().toLowerCase();
  if (!q) return list as LiveEndpoint[];
  return list.filter(
    (e) => e.username.toLowerCase().includes(q) || e.id.toLowerCase().includes(q) || `${e.group} #${e.index}`.toLowerCase().includes(q),
  );
}

/** Rows `[start, end)` to render for a scroll position, with `overscan` extra rows each side. */
export function visibleRange(scrollTop: number, viewportPx: number, rowPx: number, total: number, overscan: number): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowPx);
  const count = Math.ceil(viewportPx / rowPx);
  const start = Math.max(0, Math.min(first, total) - overscan);
  const end = Math.min(total, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

/** The next sort after a click on a column header: same column flips, a new one starts ascending. */
export const nextSort = (cur: EndpointSort, key: SortKey): EndpointSort =>
  cur.key === key ? { key, dir: cur.dir === "asc" ? "desc" : "asc" } : { key, dir: "asc" };
