/**
 * Two runs of a test compared: who is the baseline, their per-second aggregates overlaid (seconds
 * since each run started), and a table of key-figure deltas with regressions marked in colour and
 * in words (MOS or success down; jitter, loss, RTT or setup time up).
 */
import { createResource, For, Show } from "solid-js";
import type { RunComparison, RunDelta, RunSeriesPoint, TestRun } from "../../../protocol/index.js";
import { apiGet, errorMessage, projectPath } from "../lib/api.js";
import { duration, num } from "../lib/format.js";
import { compareHref, href, runHref, testHref } from "../lib/router.js";
import { comparisonChartOption } from "../charts/options.js";
import { Chart } from "../components/Chart.js";
import { ranFor, runLabel } from "../components/RunHistory.js";
import { ErrorBox, Loading } from "../components/States.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { Time } from "../components/Time.js";

const CHARTS: { key: "mos" | "jitter_ms" | "fraction_lost" | "rtt_ms"; title: string; axis: string }[] = [
  { key: "mos", title: "MOS", axis: "MOS" },
  { key: "jitter_ms", title: "Jitter", axis: "ms" },
  { key: "fraction_lost", title: "Packet loss", axis: "%" },
  { key: "rtt_ms", title: "RTT", axis: "ms" },
];

function value(v: number | null, unit: string, digits: number): string {
  if (v === null) return "—";
  return unit ? `${num(v, digits)} ${unit}` : num(v, digits);
}
const digitsOf = (d: RunDelta) => (d.key === "mos" ? 2 : d.key === "fraction_lost" ? 2 : 1);
function deltaText(d: RunDelta): string {
  if (d.delta === null) return "—";
  const shown = value(Math.abs(d.delta), d.unit, digitsOf(d));
  // A change that rounds to zero at the shown precision has no sign.
  const zero = Number(num(Math.abs(d.delta), digitsOf(d))) === 0;
  const sign = zero ? "±" : d.delta > 0 ? "+" : "−";
  return `${sign}${shown}`;
}
const VERDICT: Record<RunDelta["verdict"], string> = { regression: "Regression", improvement: "Improvement", same: "No change", unknown: "No data" };

function RunCard(props: { run: TestRun; role: "Baseline" | "Compared run"; pid: string; points: number }) {
  return (
    <article class={`panel compare-run ${props.role === "Baseline" ? "is-baseline" : "is-other"}`} aria-label={`${props.role}: ${runLabel(props.run)}`}>
      <h2 class="panel-title">
        <span class="swatch" aria-hidden="true" /> {props.role}
      </h2>
      <p>
        <a href={runHref(props.pid, props.run.id)}>{runLabel(props.run)}</a> <StatusBadge status={props.run.status} />
      </p>
      <p class="muted small-text">
        Started <Time value={props.run.startedAt ?? props.run.createdAt} /> · ran {duration(ranFor(props.run))} · {props.run.summary?.endpoints ?? "—"} endpoints ·{" "}
        {props.points} s of data
      </p>
    </article>
  );
}

function Overlay(props: { base: RunSeriesPoint[]; other: RunSeriesPoint[] }) {
  return (
    <div class="grid-2">
      <For each={CHARTS}>
        {(c) => (
          <section class="panel" aria-label={`${c.title} over time`}>
            <h3 class="panel-title">{c.title}</h3>
            <Chart
              label={`${c.title}: baseline and compared run`}
              testId={`compare-chart-${c.key}`}
              points={props.base.length + props.other.length}
              option={(compact) => comparisonChartOption(props.base, props.other, c.key, c.axis, compact)}
              height={220}
              empty="No per-second data stored for these runs"
            />
          </section>
        )}
      </For>
    </div>
  );
}

export function ComparePage(props: { pid: string; tid: string; base: string; other: string }) {
  const [cmp, { refetch }] = createResource(
    () => [props.base, props.other] as const,
    ([base, other]) => apiGet<RunComparison>(`${projectPath(props.pid)}/test-runs/compare`, { base, other }),
  );
  const regressions = () => cmp()?.deltas.filter((d) => d.verdict === "regression") ?? [];
  return (
    <main class="page compare-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href({ name: "home" })}>Tests</a> <span aria-hidden="true">/</span> <a href={testHref(props.pid, props.tid)}>Test</a>{" "}
        <span aria-hidden="true">/</span> <span>Compare runs</span>
      </nav>
      <div class="page-head">
        <h1 class="page-title">Compare runs</h1>
        <a class="btn small" href={compareHref(props.pid, props.tid, props.other, props.base)}>
          Swap baseline
        </a>
      </div>
      <Show when={!cmp.error} fallback={<ErrorBox message={errorMessage(cmp.error)} onRetry={() => void refetch()} />}>
        <Show when={cmp()} fallback={<Loading label="Loading comparison…" />}>
          {(c) => (
            <>
              <div class="grid-2 compare-runs">
                <RunCard run={c().base} role="Baseline" pid={props.pid} points={c().series.base.length} />
                <RunCard run={c().other} role="Compared run" pid={props.pid} points={c().series.other.length} />
              </div>

              <section class="panel" aria-label="Key figures">
                <div class="panel-head">
                  <h2 class="panel-title">Key figures</h2>
                  <span class={`pill ${regressions().length ? "outcome-bad" : "outcome-good"}`} data-testid="regression-count" role="status">
                    {regressions().length === 0 ? "No regressions" : `${regressions().length} regression${regressions().length === 1 ? "" : "s"}: ${regressions().map((d) => d.label).join(", ")}`}
                  </span>
                </div>
                <div class="table-wrap">
                  <table class="table deltas" aria-label="Deltas against the baseline">
                    <thead>
                      <tr>
                        <th scope="col">Figure</th>
                        <th scope="col" class="num">Baseline</th>
                        <th scope="col" class="num">Compared</th>
                        <th scope="col" class="num">Change</th>
                        <th scope="col">Verdict</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={c().deltas}>
                        {(d) => (
                          <tr class={`delta-${d.verdict}`} data-figure={d.key} data-verdict={d.verdict}>
                            <th scope="row">
                              {d.label} <span class="muted small-text">({d.better === "higher" ? "higher is better" : "lower is better"})</span>
                            </th>
                            <td class="num">{value(d.base, d.unit, digitsOf(d))}</td>
                            <td class="num">{value(d.other, d.unit, digitsOf(d))}</td>
                            <td class="num delta-value">{deltaText(d)}</td>
                            <td>
                              <span class={`verdict verdict-${d.verdict}`}>{VERDICT[d.verdict]}</span>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </section>

              <Overlay base={c().series.base} other={c().series.other} />
            </>
          )}
        </Show>
      </Show>
    </main>
  );
}
