/** Projects → tests (with Run test) → recent runs. */
import { createResource, createSignal, For, Show } from "solid-js";
import type { Project, Test, TestRun } from "../../../protocol/index.js";
import { apiGet, apiPost, errorMessage } from "../lib/api.js";
import { activeOrgId, activeProjectId } from "../lib/auth.js";
import { duration, num } from "../lib/format.js";
import { qualityLevel } from "../lib/quality.js";
import { href, navigate, runHref, testHref } from "../lib/router.js";
import { Empty, ErrorBox, Loading } from "../components/States.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { Time } from "../components/Time.js";

const p = (pid: string) => `/projects/${encodeURIComponent(pid)}`;

function groupsSummary(t: Test): string {
  return t.groups
    .map((g) => {
      const callee = g.callee.type === "GROUP" ? ` → ${g.callee.group}` : g.callee.type === "EXTERNAL" ? ` → ${g.callee.uri}` : " (receive)";
      return `${g.name} ×${g.endpoints}${callee}`;
    })
    .join(", ");
}

function RecentRuns(props: { pid: string; testId: string; reload: number }) {
  const [runs, { refetch }] = createResource(
    () => [props.testId, props.reload] as const,
    ([tid]) => apiGet<TestRun[]>(`${p(props.pid)}/test-runs`, { testId: tid, perPage: 5 }),
  );
  return (
    <Show when={!runs.error} fallback={<ErrorBox message={errorMessage(runs.error)} onRetry={() => void refetch()} />}>
      <Show when={runs()} fallback={<Loading label="Loading runs…" />}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="muted small-text">No runs yet.</p>}>
            <ul class="runs" aria-label="Recent runs">
              <For each={list().slice(0, 5)}>
                {(r) => (
                  <li>
                    <a href={runHref(props.pid, r.id)} class="run-link" aria-label={`Run of ${r.testName}, ${r.status}, created ${new Date(r.createdAt).toLocaleString()}`}>
                      <StatusBadge status={r.status} />
                      <Time value={r.createdAt} />
                      <span class={`mos quality-text-${qualityLevel("mos", r.summary?.mos)}`} title="Average MOS">
                        MOS {num(r.summary?.mos, 2)}
                      </span>
                    </a>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
    </Show>
  );
}

function TestCard(props: { pid: string; test: Test }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await apiPost<{ testRunId: string; status: string }>(`${p(props.pid)}/tests/${encodeURIComponent(props.test.id)}/run`, {});
      navigate(runHref(props.pid, r.testRunId));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="panel test-card" aria-label={`Test ${props.test.name}`}>
      <div class="test-head">
        <div>
          <h3>
            <a href={testHref(props.pid, props.test.id)} aria-label={`Edit test ${props.test.name}`}>
              {props.test.name}
            </a>
          </h3>
          <p class="muted small-text">{groupsSummary(props.test)}</p>
          <p class="small-text">
            <span>{props.test.totalEndpoints} endpoints</span> · <span>{duration(props.test.durationSec)} calls</span>
            <Show when={props.test.buildupSec > 0}>
              <span> · {duration(props.test.buildupSec)} buildup</span>
            </Show>
          </p>
        </div>
        <button type="button" class="btn primary" disabled={busy()} onClick={() => void run()} aria-label={`Run test ${props.test.name}`}>
          {busy() ? "Starting…" : "Run test"}
        </button>
      </div>
      <Show when={error()}>
        <p class="state error" role="alert">
          {error()}
        </p>
      </Show>
      <RecentRuns pid={props.pid} testId={props.test.id} reload={0} />
    </article>
  );
}

function ProjectSection(props: { project: Project }) {
  const [tests, { refetch }] = createResource(() => props.project.id, (pid) => apiGet<Test[]>(`${p(pid)}/tests`));
  return (
    <section class="project" aria-label={`Project ${props.project.name}`}>
      <div class="project-head">
        <h2 class="project-title">{props.project.name}</h2>
        <a class="btn small" href={href({ name: "newTest", pid: props.project.id })}>
          New test
        </a>
      </div>
      <Show when={!tests.error} fallback={<ErrorBox message={errorMessage(tests.error)} onRetry={() => void refetch()} />}>
        <Show when={tests()} fallback={<Loading label="Loading tests…" />}>
          {(list) => (
            <Show when={list().length > 0} fallback={<Empty>No tests in this project yet.</Empty>}>
              <div class="tests">
                <For each={list()}>{(t) => <TestCard pid={props.project.id} test={t} />}</For>
              </div>
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}

export function HomePage() {
  // The active org's projects (refetched when the org changes); the chosen project is shown.
  const [projects, { refetch }] = createResource(() => activeOrgId() ?? "default", () => apiGet<Project[]>("/projects"));
  const shown = (list: Project[]) => {
    const chosen = list.filter((p) => p.id === activeProjectId());
    return chosen.length ? chosen : list;
  };
  return (
    <main class="page home-page">
      <h1 class="page-title">Tests</h1>
      <Show when={!projects.error} fallback={<ErrorBox message={errorMessage(projects.error)} onRetry={() => void refetch()} />}>
        <Show when={projects()} fallback={<Loading label="Loading projects…" />}>
          {(list) => (
            <Show when={list().length > 0} fallback={<Empty>No projects yet.</Empty>}>
              <For each={shown(list())}>{(pr) => <ProjectSection project={pr} />}</For>
            </Show>
          )}
        </Show>
      </Show>
    </main>
  );
}
