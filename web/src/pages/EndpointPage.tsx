/** One endpoint: phase/outcome/status, timing cards, per-second charts, SIP trace. */
import { createResource, For, onCleanup, Show, createSignal } from "solid-js";
import { TIMING_METRICS, isErrorOutcome, type EndpointDetail, type SipTraceEntry } from "../../../protocol/index.js";
import { apiGet, errorMessage } from "../lib/api.js";
import { SipLadder } from "../components/SipLadder.js";
import { DownloadButton } from "../components/DownloadButton.js";
import { ms } from "../lib/format.js";
import { href, runHref } from "../lib/router.js";
import { metricChartOption } from "../charts/options.js";
import { Chart } from "../components/Chart.js";
import { CATEGORY_TITLES, metricChartGroups } from "../lib/metric-groups.js";
import { ErrorBox, Loading, Empty } from "../components/States.js";
import { Time } from "../components/Time.js";
import { rowTone } from "../components/EndpointTable.js";
import { CallTimelines } from "../components/CallTimelines.js";

function timingValue(key: string, v: number | undefined): string {
  if (v == null) return "—";
  if (key === "registration_expires_s") return `${v} s`;
  if (key === "final_status_code") return String(v);
  return ms(v);
}

export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? "";
}

function TraceRow(props: { entry: SipTraceEntry }) {
  const out = () => props.entry.dir === "out";
  return (
    <li class="trace-entry">
      <details>
        <summary aria-label={`${out() ? "Sent to" : "Received from"} ${props.entry.remote}: ${firstLine(props.entry.text)}`}>
          <span class="trace-time">
            <Time value={props.entry.t} timeOnly ms />
          </span>
          <span class={`trace-dir ${out() ? "out" : "in"}`} aria-hidden="true">
            {out() ? "→" : "←"}
          </span>
          <span class="trace-remote muted">{props.entry.remote}</span>
          <span class="trace-line">{firstLine(props.entry.text)}</span>
        </summary>
        <pre class="trace-text">{props.entry.text}</pre>
      </details>
    </li>
  );
}

export function EndpointPage(props: { pid: string; rid: string; eid: string }) {
  const path = () =>
    `/projects/${encodeURIComponent(props.pid)}/test-runs/${encodeURIComponent(props.rid)}/endpoints/${encodeURIComponent(props.eid)}`;
  const [detail, { refetch }] = createResource(() => props.eid, () => apiGet<EndpointDetail>(path()));
  const [lastGood, setLastGood] = createSignal<EndpointDetail | undefined>();
  const d = () => (detail.state === "ready" ? detail() : lastGood());
  // Keep refreshing while the endpoint is not CLOSED.
  const timer = setInterval(() => {
    const cur = d();
    if (cur && cur.phase !== "CLOSED" && !detail.loading) {
      setLastGood(cur);
      void refetch();
    }
  }, 5000);
  onCleanup(() => clearInterval(timer));

  const samples = () => d()?.series ?? [];
  /** Metrics the four charts above already show are not repeated below. */
  const CHARTED = new Set(["mos", "r_factor", "jitter_ms", "rtt_ms", "fraction_lost", "packets_lost", "packets_sent", "packets_received"]);
  const allMetricGroups = () => metricChartGroups(samples(), CHARTED);
  return (
    <main class="page endpoint-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href({ name: "home" })}>Tests</a> <span aria-hidden="true">/</span> <a href={runHref(props.pid, props.rid)}>Run</a>{" "}
        <span aria-hidden="true">/</span> <span>Endpoint</span>
      </nav>
      <Show when={!(detail.error && !lastGood())} fallback={<ErrorBox message={errorMessage(detail.error)} onRetry={() => void refetch()} />}>
        <Show when={d()} fallback={<Loading label="Loading endpoint…" />}>
          {(e) => (
            <>
              <header class={`panel endpoint-header row-${rowTone(e())}`}>
                <h1>
                  {e().username} <span class="muted">· {e().group} #{e().index} · {e().role === "CALLER" ? "caller" : "receiver"}</span>
                </h1>
                <dl class="facts">
                  <div>
                    <dt>Phase</dt>
                    <dd>
                      <span class={`pill phase-${e().phase.toLowerCase()}`} data-testid="endpoint-phase">
                        {e().phase}
                      </span>
                    </dd>
                  </div>
                  <div>
                    <dt>Outcome</dt>
                    <dd>
                      <Show when={e().outcome} fallback={<span class="muted">—</span>}>
                        <span class={`pill outcome-${isErrorOutcome(e().outcome) ? "bad" : e().outcome === "SUCCESS" ? "good" : "warn"}`}>{e().outcome}</span>
                      </Show>
                    </dd>
                  </div>
                  <div>
                    <dt>SIP status</dt>
                    <dd>
                      {e().statusCode ?? "—"} <span class="muted">{e().statusText ?? ""}</span>
                    </dd>
                  </div>
                  <div>
                    <dt>Agent</dt>
                    <dd class="muted">{e().agentId ?? "—"}</dd>
                  </div>
                </dl>
              </header>

              <section class="timings" aria-label="Call timings">
                <For each={TIMING_METRICS}>
                  {(t) => (
                    <div class="card" title={t.description} role="group" aria-label={`${t.label}: ${timingValue(t.key, e().timings[t.key])}`}>
                      <div class="card-label">{t.label}</div>
                      <div class="card-value small">{timingValue(t.key, e().timings[t.key])}</div>
                    </div>
                  )}
                </For>
              </section>

              <CallTimelines pid={props.pid} rid={props.rid} self={e()} />

              <div class="grid-2">
                <section class="panel" aria-label="Quality chart">
                  <h2 class="panel-title">Quality</h2>
                  <Chart
                    group="endpoint-metrics"
                    label="MOS and R-factor"
                    testId="endpoint-chart-quality"
                    points={samples().length}
                    option={(c) => metricChartOption(samples(), { name: "MOS", keys: ["mos"], min: 1, max: 5 }, { name: "R", keys: ["r_factor"] }, c)}
                    height={220}
                  />
                </section>
                <section class="panel" aria-label="Delay chart">
                  <h2 class="panel-title">Jitter and RTT</h2>
                  <Chart
                    group="endpoint-metrics"
                    label="Jitter and RTT"
                    testId="endpoint-chart-delay"
                    points={samples().length}
                    option={(c) => metricChartOption(samples(), { name: "ms", keys: ["jitter_ms", "rtt_ms"] }, undefined, c)}
                    height={220}
                  />
                </section>
                <section class="panel" aria-label="Loss chart">
                  <h2 class="panel-title">Packet loss</h2>
                  <Chart
                    group="endpoint-metrics"
                    label="Packet loss"
                    testId="endpoint-chart-loss"
                    points={samples().length}
                    option={(c) => metricChartOption(samples(), { name: "%", keys: ["fraction_lost"] }, { name: "packets", keys: ["packets_lost"] }, c)}
                    height={220}
                  />
                </section>
                <section class="panel" aria-label="Packets chart">
                  <h2 class="panel-title">RTP packets</h2>
                  <Chart
                    group="endpoint-metrics"
                    label="RTP packets sent and received"
                    testId="endpoint-chart-packets"
                    points={samples().length}
                    option={(c) => metricChartOption(samples(), { name: "packets", keys: ["packets_sent", "packets_received"] }, undefined, c)}
                    height={220}
                  />
                </section>
              </div>

              <Show when={allMetricGroups().length > 0}>
                <section class="panel" aria-label="All metrics">
                  <h2 class="panel-title">All metrics</h2>
                  <p class="muted small-text">Every per-second metric this endpoint reported, by category; hover a chart for the definitions. The cursor is shared with the charts above.</p>
                  <For each={allMetricGroups()}>
                    {(g) => (
                      <div class="metric-group" data-category={g.category}>
                        <h3 class="metric-group-title">
                          {CATEGORY_TITLES[g.category]} <span class="muted">· {g.unit}</span>
                        </h3>
                        <Chart
                          group="endpoint-metrics"
                          label={`${CATEGORY_TITLES[g.category]}: ${g.title}`}
                          testId={`endpoint-chart-${g.category}-${g.unit.replace(/[^a-z0-9]+/gi, "_")}`}
                          points={samples().length}
                          option={(c) => metricChartOption(samples(), { name: g.unit, keys: g.keys, ...(g.unit === "dBov" ? { min: -130, max: 0 } : {}) }, undefined, c)}
                          height={200}
                        />
                      </div>
                    )}
                  </For>
                </section>
              </Show>

              <section class="panel" aria-label="SIP ladder">
                <h2 class="panel-title">SIP ladder</h2>
                <Show when={e().trace.length > 0} fallback={<Empty>No SIP messages recorded.</Empty>}>
                  <SipLadder trace={e().trace} endpointLabel={e().username} />
                </Show>
              </section>

              <section class="panel" aria-label="SIP trace">
                <div class="panel-head">
                  <h2 class="panel-title">
                    SIP trace <span class="muted">({e().trace.length} messages)</span>
                  </h2>
                  <Show when={e().trace.length > 0}>
                    <DownloadButton
                      path={`${path()}/trace.pcap`}
                      filename={`${e().username}-${e().group}-${e().index}.pcap`}
                      label="Download pcap"
                      accessibleName={`Download SIP trace of ${e().username} as pcap`}
                    />
                  </Show>
                </div>
                <Show when={e().trace.length > 0} fallback={<Empty>No SIP messages recorded.</Empty>}>
                  <ol class="trace">
                    <For each={e().trace}>{(entry) => <TraceRow entry={entry} />}</For>
                  </ol>
                </Show>
              </section>
            </>
          )}
        </Show>
      </Show>
    </main>
  );
}
