/**
 * The run page: status, progress, Stop, quality cards, phase/outcome breakdowns, the aggregate chart
 * and the endpoint list, all live from the run's socket (REST for the header and as a fallback).
 */
import { createEffect, createMemo, createResource, createSignal, on, onCleanup, Show } from "solid-js";
import {
  isTerminalRunStatus,
  type LiveEndpoint,
  type RunEndpoint,
  type RunStatus,
  type Test,
  type TestRun,
} from "../../../protocol/index.js";
import { apiGet, apiPost, apiRequest, errorMessage } from "../lib/api.js";
import { token } from "../lib/auth.js";
import { duration } from "../lib/format.js";
import { elapsedSec } from "../lib/live-state.js";
import { href } from "../lib/router.js";
import { useLiveRun, useNow } from "../lib/use-live-run.js";
import { aggregateChartOption } from "../charts/options.js";
import { AggregateCards, type AggregateValues } from "../components/AggregateCards.js";
import { OutcomeBreakdown, PhaseBreakdown } from "../components/Breakdown.js";
import { GroupBreakdown } from "../components/GroupBreakdown.js";
import { liveRates } from "../lib/group-stats.js";
import type { TopologyGroup } from "../components/Topology.js";
import { Chart } from "../components/Chart.js";
import { ConfirmDialog } from "../components/ConfirmDialog.js";
import { EndpointTable } from "../components/EndpointTable.js";
import { ErrorBox, Loading } from "../components/States.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { Time } from "../components/Time.js";

const toLive = (e: RunEndpoint): LiveEndpoint => ({
  id: e.id,
  group: e.group,
  index: e.index,
  username: e.username,
  role: e.role,
  phase: e.phase,
  outcome: e.outcome,
  statusCode: e.statusCode,
  mos: e.metrics?.mos ?? null,
  jitter_ms: e.metrics?.jitter_ms ?? null,
  fraction_lost: e.metrics?.fraction_lost ?? null,
  rtt_ms: e.metrics?.rtt_ms ?? null,
});

/** The API's largest page (protocol/api.ts PaginationQuery). */
const ENDPOINT_PAGE = 500;

/** Every endpoint of a run through the paged REST list: the first page says the total, the rest in parallel. */
export async function fetchAllEndpoints(runPath: string): Promise<RunEndpoint[]> {
  const first = await apiRequest<RunEndpoint[]>("GET", `${runPath}/endpoints`, { query: { perPage: ENDPOINT_PAGE, page: 1 } });
  const total = first.meta.pagination?.total ?? first.data.length;
  const pages = Math.ceil(total / ENDPOINT_PAGE);
  const rest = await Promise.all(
    Array.from({ length: Math.max(0, pages - 1) }, (_, i) => apiGet<RunEndpoint[]>(`${runPath}/endpoints`, { perPage: ENDPOINT_PAGE, page: i + 2 })),
  );
  return [...first.data, ...rest.flat()];
}

export function RunPage(props: { pid: string; rid: string }) {
  const base = () => `/projects/${encodeURIComponent(props.pid)}/test-runs/${encodeURIComponent(props.rid)}`;
  const [rest, { refetch, mutate }] = createResource(() => props.rid, () => apiGet<TestRun>(base()));
  const restTerminal = () => rest.state === "ready" && isTerminalRunStatus(rest()!.status);
  const { live, connection, connectionDetail } = useLiveRun(props.rid, token(), restTerminal);
  const now = useNow(1000);

  const [stopAsked, setStopAsked] = createSignal(false);
  const [confirming, setConfirming] = createSignal(false);
  const [stopping, setStopping] = createSignal(false);
  const [stopError, setStopError] = createSignal<string | null>(null);

  const restRun = () => (rest.state === "ready" ? rest() : undefined);
  const liveRun = () => live().run;
  const rawStatus = (): RunStatus | undefined => liveRun()?.status ?? restRun()?.status;
  const status = (): RunStatus | undefined => {
    const s = rawStatus();
    if (s && stopAsked() && !isTerminalRunStatus(s) && s !== "STOPPING") return "STOPPING";
    return s;
  };
  const terminal = () => {
    const s = rawStatus();
    return s ? isTerminalRunStatus(s) : false;
  };
  const reason = () => liveRun()?.reason ?? restRun()?.reason ?? null;
  const durationSec = () => liveRun()?.durationSec ?? restRun()?.durationSec ?? 0;
  const startedAt = (): number | null => {
    const l = liveRun()?.startedAt;
    if (l != null) return l;
    const r = restRun()?.startedAt;
    return r ? Date.parse(r) : null;
  };
  const endedAt = (): number | null => {
    const l = liveRun()?.endedAt;
    if (l != null) return l;
    const r = restRun()?.endedAt;
    return r ? Date.parse(r) : null;
  };
  const elapsed = () => elapsedSec({ startedAt: startedAt(), endedAt: endedAt() }, now());
  const progress = () => {
    const e = elapsed();
    const d = durationSec();
    return e == null || d <= 0 ? 0 : Math.min(100, (e / d) * 100);
  };

  // When the run ends, refresh the REST view for its summary.
  createEffect(
    on(terminal, (t, prev) => {
      if (t && prev === false) void refetch();
    }),
  );

  // Endpoints from REST when the live socket has no snapshot (e.g. an old run): asked for once.
  const [restEndpoints, setRestEndpoints] = createSignal<LiveEndpoint[] | null>(null);
  const [restEndpointsError, setRestEndpointsError] = createSignal<string | null>(null);
  let restEndpointsAsked = false;
  createEffect(() => {
    const c = connection();
    if (restEndpointsAsked || !terminal() || live().hasSnapshot || c === "open" || c === "connecting") return;
    restEndpointsAsked = true;
    fetchAllEndpoints(base())
      .then((list) => setRestEndpoints(list.map(toLive)))
      .catch((e) => setRestEndpointsError(errorMessage(e)));
  });
  const endpoints = (): LiveEndpoint[] => (live().hasSnapshot ? live().endpoints : (restEndpoints() ?? live().endpoints));

  const phaseCounts = (): Record<string, number | undefined> => liveRun()?.phaseCounts ?? restRun()?.summary?.phaseCounts ?? {};
  const outcomeCounts = (): Record<string, number | undefined> => liveRun()?.outcomeCounts ?? restRun()?.summary?.outcomeCounts ?? {};
  const totalEndpoints = () => {
    const pc = Object.values(phaseCounts()).reduce<number>((a, b) => a + (b ?? 0), 0);
    return Math.max(pc, endpoints().length, restRun()?.summary?.endpoints ?? 0);
  };
  const pendingOutcomes = () => {
    const oc = Object.values(outcomeCounts()).reduce<number>((a, b) => a + (b ?? 0), 0);
    return Math.max(0, totalEndpoints() - oc);
  };

  // The test's groups for the topology (its current configuration; fetched once the run is known).
  const [test] = createResource(
    () => restRun()?.testId,
    (tid) => apiGet<Test>(`/projects/${encodeURIComponent(props.pid)}/tests/${encodeURIComponent(tid)}`).catch(() => null),
  );
  const topologyGroups = (): TopologyGroup[] | null =>
    test()?.groups?.map((g) => ({ name: g.name, endpoints: g.endpoints, codec: g.codec, callee: g.callee })) ?? null;
  const [narrow, setNarrow] = createSignal(typeof window !== "undefined" && window.innerWidth < 640);
  if (typeof window !== "undefined") {
    const onResize = () => setNarrow(window.innerWidth < 640);
    window.addEventListener("resize", onResize);
    onCleanup(() => window.removeEventListener("resize", onResize));
  }

  const series = () => live().series;
  const aggregates = createMemo((): { values: AggregateValues; caption: string } => {
    const sum = restRun()?.summary;
    if (terminal() && sum) return { values: { mos: sum.mos, jitter_ms: sum.jitter_ms, fraction_lost: sum.fraction_lost, rtt_ms: sum.rtt_ms }, caption: "run average" };
    const last = series()[series().length - 1];
    if (last) return { values: { mos: last.mos, jitter_ms: last.jitter_ms, fraction_lost: last.fraction_lost, rtt_ms: last.rtt_ms }, caption: `last second · ${last.reporting} reporting` };
    return { values: { mos: null, jitter_ms: null, fraction_lost: null, rtt_ms: null }, caption: "waiting for media" };
  });

  // Call success and registration rate: the summary's at the end, live from the endpoint list before.
  const rates = createMemo(() => {
    const sum = restRun()?.summary;
    if (terminal() && sum) return { registrationRate: sum.registrationRate, callSuccessRate: sum.callSuccessRate };
    return liveRates(endpoints());
  });

  const doStop = async () => {
    setStopping(true);
    setStopError(null);
    try {
      const r = await apiPost<TestRun>(`${base()}/stop`, {});
      setStopAsked(true);
      mutate(r);
      setConfirming(false);
    } catch (e) {
      setStopError(errorMessage(e));
      setConfirming(false);
    } finally {
      setStopping(false);
    }
  };

  const connectionText = () => {
    switch (connection()) {
      case "open":
        return terminal() ? "finished" : "live";
      case "connecting":
        return "connecting…";
      case "reconnecting":
        return `reconnecting (${connectionDetail() ?? ""})`;
      case "closed":
        return terminal() ? "finished" : "offline";
    }
  };

  return (
    <main class="page run-page">
      <Show when={!(rest.error && !liveRun())} fallback={<ErrorBox message={errorMessage(rest.error)} onRetry={() => void refetch()} />}>
        <Show when={status()} fallback={<Loading label="Loading run…" />}>
          {(st) => (
            <>
              <header class="run-header panel">
                <div class="run-title">
                  <nav class="crumbs" aria-label="Breadcrumb">
                    <a href={href({ name: "home" })}>Tests</a> <span aria-hidden="true">/</span>{" "}
                    <Show when={restRun()} fallback={<span>Test</span>}>
                      {(r) => (
                        <a href={href({ name: "test", pid: props.pid, tid: r().testId })} aria-label={`Test ${r().testName}`}>
                          Test
                        </a>
                      )}
                    </Show>{" "}
                    <span aria-hidden="true">/</span> <span>Run</span>
                  </nav>
                  <h1>
                    {restRun()?.testName ?? "Test run"} <StatusBadge status={st()} />
                  </h1>
                  <div class="run-meta muted">
                    <span>
                      Created <Time value={restRun()?.createdAt} />
                    </span>
                    <Show when={startedAt()}>
                      <span>
                        · Started <Time value={startedAt()} />
                      </span>
                    </Show>
                    <span class={`conn conn-${connection()}`} data-testid="live-connection">
                      · <span class="dot" aria-hidden="true" /> {connectionText()}
                    </span>
                  </div>
                  <Show when={(st() === "CANNOT_RUN_FOR_NOW" || st() === "FAILED") && reason()}>
                    <p class="state error reason" role="alert" data-testid="run-reason">
                      {reason()}
                    </p>
                  </Show>
                  <Show when={stopError()}>
                    <p class="state error" role="alert">
                      {stopError()}
                    </p>
                  </Show>
                </div>
                <div class="run-actions">
                  <div class="progress-wrap">
                    <div class="progress-label">
                      <span>{duration(elapsed() ?? 0)}</span>
                      <span class="muted"> / {duration(durationSec())}</span>
                    </div>
                    <div
                      class="progress"
                      role="progressbar"
                      aria-label="Run progress"
                      aria-valuemin={0}
                      aria-valuemax={durationSec()}
                      aria-valuenow={Math.min(elapsed() ?? 0, durationSec())}
                    >
                      <span style={{ width: `${progress()}%` }} />
                    </div>
                  </div>
                  <button type="button" class="btn danger" disabled={terminal() || st() === "STOPPING"} onClick={() => setConfirming(true)}>
                    {st() === "STOPPING" ? "Stopping…" : "Stop"}
                  </button>
                </div>
              </header>

              <AggregateCards values={aggregates().values} caption={aggregates().caption} />
              <section class="rate-cards" aria-label="Rates">
                <div class="card" role="group" aria-label={`Call success: ${rates().callSuccessRate == null ? "no calls yet" : `${rates().callSuccessRate} %`}`} data-testid="card-call-success"
                  title="Callers whose call was answered and did not end in an error, % of callers">
                  <div class="card-label">Call success</div>
                  <div class="card-value">{rates().callSuccessRate == null ? "–" : `${rates().callSuccessRate} %`}</div>
                </div>
                <div class="card" role="group" aria-label={`Registration rate: ${rates().registrationRate == null ? "no endpoints yet" : `${rates().registrationRate} %`}`} data-testid="card-registration-rate"
                  title="Endpoints that registered, % of all endpoints">
                  <div class="card-label">Registration rate</div>
                  <div class="card-value">{rates().registrationRate == null ? "–" : `${rates().registrationRate} %`}</div>
                </div>
              </section>

              <div class="grid-2">
                <PhaseBreakdown counts={phaseCounts()} />
                <OutcomeBreakdown counts={outcomeCounts()} pending={pendingOutcomes()} />
              </div>

              <GroupBreakdown endpoints={endpoints()} groups={topologyGroups()} compact={narrow()} />

              <section class="panel" aria-label="Quality over time">
                <h2 class="panel-title">Quality over time</h2>
                <Chart
                  label="Aggregate quality chart"
                  testId="aggregate-chart"
                  points={series().length}
                  option={(compact) => aggregateChartOption(series(), compact)}
                  empty={terminal() ? "No media was reported" : "Waiting for the first media second…"}
                  height={300}
                />
              </section>

              <EndpointTable endpoints={endpoints()} pid={props.pid} rid={props.rid} loading={!terminal() || (restEndpointsAsked && restEndpoints() === null && !restEndpointsError())}
                error={restEndpointsError()} />

              <Show when={confirming()}>
                <ConfirmDialog
                  title="Stop this run?"
                  confirmLabel={stopping() ? "Stopping…" : "Stop run"}
                  danger
                  busy={stopping()}
                  onConfirm={() => void doStop()}
                  onCancel={() => setConfirming(false)}
                >
                  <p>Calls are hung up and endpoints de-register. Data collected so far is kept.</p>
                </ConfirmDialog>
              </Show>
            </>
          )}
        </Show>
      </Show>
    </main>
  );
}
