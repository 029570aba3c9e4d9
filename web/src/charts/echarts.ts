/**
 * ECharts with only what the dashboard uses (tree-shaken `echarts/core`). Imported lazily by
 * `components/Chart.tsx`, so it lands in its own chunk and never blocks the first paint.
 */
import * as echarts from "echarts/core";
import { LineChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, CanvasRenderer]);

export type ChartInstance = ReturnType<typeof echarts.init>;

/**
 * A chart; charts created with the same `group` share the cursor (axis pointer and tooltip) and
 * zoom, so "what happened at 14:02:10" reads across every chart of a page at once.
 */
export function createChart(el: HTMLElement, group?: string): ChartInstance {
  const chart = echarts.init(el, null, { renderer: "canvas" });
  if (group) {
    chart.group = group;
    echarts.connect(group);
  }
  return chart;
}
