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

export function createChart(el: HTMLElement): ChartInstance {
  return echarts.init(el, null, { renderer: "canvas" });
}
