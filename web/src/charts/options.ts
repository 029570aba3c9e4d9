/** Chart options as plain data (no echarts import here, so they are cheap to build and test). */
import { SECOND_METRICS, type LiveAggregate, type RunSeriesPoint } from "../../../protocol/index.js";
import { localTime } from "../lib/format.js";

// Loose on purpose: the option object is handed to echarts as-is.
export type ChartOption = Record<string, unknown>;

const TEXT = "#9aa4b2";
const GRID_LINE = "#273040";
export const SERIES_COLORS: Record<string, string> = {
  mos: "#73bf69",
  r_factor: "#8ab8ff",
  jitter_ms: "#f2cc0c",
  rtt_ms: "#5794f2",
  fraction_lost: "#f2495c",
  packets_lost: "#ff9830",
  packets_sent: "#b877d9",
  packets_received: "#37b5c2",
  bytes_sent: "#b877d9",
  bytes_received: "#37b5c2",
};

export const metricLabel = (key: string): string => SECOND_METRICS.find((m) => m.key === key)?.label ?? key;
export const metricUnit = (key: string): string => SECOND_METRICS.find((m) => m.key === key)?.unit ?? "";

function axis(name: string, opts: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "value",
    name,
    nameTextStyle: { color: TEXT, fontSize: 11 },
    axisLabel: { color: TEXT, fontSize: 11 },
    axisLine: { show: false },
    splitLine: { lineStyle: { color: GRID_LINE } },
    ...opts,
  };
}

function base(compact: boolean, rightAxes: number): ChartOption {
  return {
    animation: false,
    backgroundColor: "transparent",
    textStyle: { fontFamily: "inherit" },
    grid: { left: compact ? 36 : 48, right: rightAxes === 0 ? 16 : compact ? 36 * rightAxes : 52 * rightAxes, top: 44, bottom: 62, containLabel: false },
    legend: { top: 0, type: "scroll", textStyle: { color: TEXT, fontSize: 11 }, itemWidth: 14, itemHeight: 8, pageTextStyle: { color: TEXT } },
    tooltip: {
      trigger: "axis",
      confine: true,
      backgroundColor: "#181b1f",
      borderColor: "#2c3440",
      textStyle: { color: "#d8dee6", fontSize: 12 },
      axisPointer: { type: "line", lineStyle: { color: "#56606e" } },
      valueFormatter: (v: unknown) => (typeof v === "number" ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : "—"),
    },
    xAxis: {
      type: "time",
      axisLabel: { color: TEXT, fontSize: 11, hideOverlap: true, formatter: (v: number) => localTime(new Date(v)) },
      axisLine: { lineStyle: { color: GRID_LINE } },
      splitLine: { show: false },
    },
    dataZoom: [
      { type: "inside", filterMode: "none" },
      { type: "slider", height: 20, bottom: 8, filterMode: "none", borderColor: GRID_LINE, textStyle: { color: TEXT, fontSize: 10 }, labelFormatter: (v: number) => localTime(new Date(v)) },
    ],
  };
}

function line(name: string, key: string, data: [number, number | null][], yAxisIndex: number): Record<string, unknown> {
  return {
    type: "line",
    name,
    yAxisIndex,
    data,
    showSymbol: data.length < 2,
    symbolSize: 4,
    connectNulls: false,
    lineStyle: { width: 1.6 },
    itemStyle: { color: SERIES_COLORS[key] },
    emphasis: { disabled: true },
  };
}

/** The run's aggregates over time: MOS (left), jitter/RTT ms (right), packet loss % (far right). */
export function aggregateChartOption(series: readonly LiveAggregate[], compact = false): ChartOption {
  const pts = (k: "mos" | "jitter_ms" | "rtt_ms" | "fraction_lost") => series.map((s) => [s.t * 1000, s[k]] as [number, number | null]);
  return {
    ...base(compact, 2),
    yAxis: [
      axis("MOS", { min: 1, max: 5, interval: 1 }),
      axis("ms", { position: "right", min: 0, splitLine: { show: false } }),
      axis("loss %", { position: "right", min: 0, offset: compact ? 34 : 48, splitLine: { show: false } }),
    ],
    series: [
      line("MOS", "mos", pts("mos"), 0),
      line("Jitter (ms)", "jitter_ms", pts("jitter_ms"), 1),
      line("RTT (ms)", "rtt_ms", pts("rtt_ms"), 1),
      line("Packet loss (%)", "fraction_lost", pts("fraction_lost"), 2),
    ],
  };
}

/** One endpoint's per-second metrics: `left` keys on the left axis, `right` keys on the right. */
export function metricChartOption(
  samples: readonly { t: number; m: Record<string, number> }[],
  left: { name: string; keys: string[]; min?: number; max?: number },
  right?: { name: string; keys: string[] },
  compact = false,
): ChartOption {
  const pts = (k: string) => samples.map((s) => [s.t < 1e12 ? s.t * 1000 : s.t, s.m[k] ?? null] as [number, number | null]);
  const yAxis: Record<string, unknown>[] = [axis(left.name, { min: left.min ?? 0, max: left.max })];
  if (right) yAxis.push(axis(right.name, { position: "right", min: 0, splitLine: { show: false } }));
  const label = (k: string) => {
    const u = metricUnit(k);
    return u && u !== "packets" && u !== "bytes" && !u.includes("–") ? `${metricLabel(k)} (${u})` : metricLabel(k);
  };
  return {
    ...base(compact, right ? 1 : 0),
    yAxis,
    series: [...left.keys.map((k) => line(label(k), k, pts(k), 0)), ...(right?.keys ?? []).map((k) => line(label(k), k, pts(k), 1))],
  };
}

export const BASELINE_COLOR = "#8e98a6";
export const COMPARED_COLOR = "#5794f2";

/**
 * Two runs' values of one aggregate, overlaid on seconds since each run started: the baseline
 * grey and dashed, the compared run blue and solid.
 */
export function comparisonChartOption(
  baseline: readonly RunSeriesPoint[],
  compared: readonly RunSeriesPoint[],
  key: "mos" | "jitter_ms" | "fraction_lost" | "rtt_ms",
  axisName: string,
  compact = false,
): ChartOption {
  const pts = (s: readonly RunSeriesPoint[]) => s.map((p) => [p.offsetSec, p[key]] as [number, number | null]);
  const b = base(compact, 0);
  const serie = (name: string, data: [number, number | null][], color: string, dashed: boolean) => ({
    type: "line", name, data, showSymbol: data.length < 2, symbolSize: 4, connectNulls: false,
    lineStyle: { width: 1.8, type: dashed ? "dashed" : "solid", color }, itemStyle: { color }, emphasis: { disabled: true },
  });
  return {
    ...b,
    tooltip: { ...(b.tooltip as Record<string, unknown>), axisPointer: { type: "line", lineStyle: { color: "#56606e" } } },
    xAxis: {
      type: "value",
      name: "s",
      min: 0,
      nameTextStyle: { color: TEXT, fontSize: 11 },
      axisLabel: { color: TEXT, fontSize: 11, hideOverlap: true, formatter: (v: number) => `${v}s` },
      axisLine: { lineStyle: { color: GRID_LINE } },
      splitLine: { show: false },
    },
    dataZoom: [
      { type: "inside", filterMode: "none" },
      { type: "slider", height: 20, bottom: 8, filterMode: "none", borderColor: GRID_LINE, textStyle: { color: TEXT, fontSize: 10 } },
    ],
    yAxis: [axis(axisName, key === "mos" ? { min: 1, max: 5, interval: 1 } : { min: 0 })],
    series: [serie("Baseline", pts(baseline), BASELINE_COLOR, true), serie("Compared run", pts(compared), COMPARED_COLOR, false)],
  };
}
