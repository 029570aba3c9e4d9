/**
 * The endpoint page's "every metric" charts: the per-second metrics (SECOND_METRICS and
 * DETAIL_METRICS, protocol/metrics.ts) grouped by category, one chart per unit within a category
 * (so each chart has one meaningful y-axis). Only keys the endpoint actually reported are drawn.
 */
import { DETAIL_METRICS, SECOND_METRICS, type MetricDefinition } from "../../../protocol/index.js";

export interface MetricChartGroup {
  category: MetricDefinition["category"];
  unit: string;
  keys: string[];
  /** What the chart is: the labels of its metrics. */
  title: string;
}

export const CATEGORY_TITLES: Record<MetricDefinition["category"], string> = {
  quality: "Quality",
  network: "Network",
  timing: "Timing",
  jitter_buffer: "Jitter buffer",
  audio: "Audio",
};
const ORDER: MetricDefinition["category"][] = ["quality", "network", "jitter_buffer", "audio", "timing"];

export function metricChartGroups(samples: readonly { m: Record<string, number> }[], skip: ReadonlySet<string> = new Set()): MetricChartGroup[] {
  const present = new Set<string>();
  for (const s of samples) for (const k in s.m) present.add(k);
  const groups = new Map<string, MetricChartGroup>();
  for (const def of [...SECOND_METRICS, ...DETAIL_METRICS] as readonly MetricDefinition[]) {
    if (!present.has(def.key) || skip.has(def.key)) continue;
    const id = `${def.category}|${def.unit}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { category: def.category, unit: def.unit, keys: [], title: "" }));
    g.keys.push(def.key);
  }
  const labelOf = new Map(([...SECOND_METRICS, ...DETAIL_METRICS] as readonly MetricDefinition[]).map((d) => [d.key, d.label]));
  return [...groups.values()]
    .map((g) => ({ ...g, title: g.keys.map((k) => labelOf.get(k) ?? k).join(", ") }))
    .sort((a, b) => ORDER.indexOf(a.category) - ORDER.indexOf(b.category));
}
