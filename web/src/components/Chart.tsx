/**
 * An ECharts container. The chart module is imported lazily on mount; until then (or if it fails)
 * the box keeps its size. `data-points` always reflects the data, for tests and automation.
 */
import { createEffect, createSignal, onCleanup, onMount, Show } from "solid-js";
import type { ChartOption } from "../charts/options.js";

type ChartModule = typeof import("../charts/echarts.js");
let loading: Promise<ChartModule> | null = null;
export function loadCharts(): Promise<ChartModule> {
  loading ??= import("../charts/echarts.js");
  return loading;
}

export function Chart(props: {
  option: (compact: boolean) => ChartOption;
  points: number;
  label: string;
  testId?: string;
  height?: number;
  empty?: string;
  /** Charts with the same group share cursor and zoom (echarts.connect). */
  group?: string;
}) {
  let el!: HTMLDivElement;
  const [compact, setCompact] = createSignal(typeof window !== "undefined" && window.innerWidth < 640);
  const [state, setState] = createSignal<"loading" | "ready" | "failed">("loading");
  let chart: import("../charts/echarts.js").ChartInstance | null = null;
  let disposed = false;

  onMount(() => {
    loadCharts()
      .then((m) => {
        if (disposed) return;
        chart = m.createChart(el, props.group);
        setState("ready");
      })
      .catch((e) => {
        console.warn("[ringfleet] chart unavailable:", e);
        setState("failed");
      });
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver(() => {
        setCompact(el.clientWidth < 600);
        chart?.resize();
      });
      ro.observe(el);
      onCleanup(() => ro.disconnect());
    }
  });

  createEffect(() => {
    const opt = props.option(compact());
    if (state() !== "ready" || !chart) return;
    try {
      chart.setOption(opt, { notMerge: false, lazyUpdate: true });
    } catch (e) {
      console.warn("[ringfleet] chart update failed:", e);
    }
  });

  onCleanup(() => {
    disposed = true;
    chart?.dispose();
    chart = null;
  });

  return (
    <figure class="chart-figure" aria-label={props.label}>
      <div
        ref={el}
        class="chart"
        role="img"
        aria-label={`${props.label}: ${props.points} points`}
        data-testid={props.testId}
        data-points={props.points}
        data-state={state()}
        data-chart-group={props.group}
        style={{ height: `${props.height ?? 280}px` }}
      />
      <Show when={props.points === 0}>
        <div class="chart-overlay muted">{props.empty ?? "No data yet"}</div>
      </Show>
      <Show when={state() === "failed"}>
        <div class="chart-overlay muted">Chart could not be loaded</div>
      </Show>
    </figure>
  );
}
