/**
 * A test's runs with their key figures (status, started, duration, endpoints, call success, MOS,
 * jitter, loss). Pick two to compare, or mark one as the baseline (kept per test in this browser)
 * and compare any other run with it.
 */
import { createSignal, For, Show } from "solid-js";
import type { TestRun } from "../../../protocol/index.js";
import { duration, num } from "../lib/format.js";
import { qualityLevel } from "../lib/quality.js";
import { compareHref, navigate, runHref } from "../lib/router.js";
import { StatusBadge } from "./StatusBadge.js";
import { Time } from "./Time.js";

const BASELINE_KEY = (tid: string) => `ringfleet.baseline.${tid}`;

function readBaseline(tid: string): string | null {
  try {
    return localStorage.getItem(BASELINE_KEY(tid));
  } catch {
    return null;
  }
}
function writeBaseline(tid: string, rid: string | null) {
  try {
    if (rid) localStorage.setItem(BASELINE_KEY(tid), rid);
    else localStorage.removeItem(BASELINE_KEY(tid));
  } catch {
    /* private mode: keep it for this page only */
  }
}

/** Seconds the run actually ran (start to end, or to now while running). */
export function ranFor(r: Pick<TestRun, "startedAt" | "endedAt">, nowMs = Date.now()): number | null {
  if (!r.startedAt) return null;
  const end = r.endedAt ? Date.parse(r.endedAt) : nowMs;
  return Math.max(0, (end - Date.parse(r.startedAt)) / 1000);
}

/** A short, stable name for a run in labels: the end of its id. */
export const runLabel = (r: Pick<TestRun, "id">) => `run ${r.id.slice(-6)}`;

/** Older run first: the natural baseline when two are picked. */
export function orderPair(a: TestRun, b: TestRun, baseline: string | null): [TestRun, TestRun] {
  if (baseline === b.id) return [b, a];
  if (baseline === a.id) return [a, b];
  return Date.parse(a.createdAt) <= Date.parse(b.createdAt) ? [a, b] : [b, a];
}

export function RunHistory(props: { pid: string; tid: string; runs: TestRun[] }) {
  const [picked, setPicked] = createSignal<string[]>([]);
  const [baseline, setBaselineSig] = createSignal<string | null>(readBaseline(props.tid));
  const setBaseline = (rid: string | null) => {
    writeBaseline(props.tid, rid);
    setBaselineSig(rid);
  };
  const toggle = (rid: string, on: boolean) =>
    setPicked((p) => (on ? [...p.filter((x) => x !== rid), rid].slice(-2) : p.filter((x) => x !== rid)));
  const baselineRun = () => props.runs.find((r) => r.id === baseline());
  const comparePicked = () => {
    const [a, b] = picked().map((id) => props.runs.find((r) => r.id === id));
    if (!a || !b) return;
    const [base, other] = orderPair(a, b, baseline());
    navigate(compareHref(props.pid, props.tid, base.id, other.id));
  };

  return (
    <div class="run-history">
      <div class="compare-bar" role="group" aria-label="Compare runs">
        <span class="muted small-text" data-testid="compare-hint">
          {picked().length === 2
            ? "Two runs selected."
            : baselineRun()
              ? `Baseline: ${runLabel(baselineRun()!)}. Pick two runs, or use “vs baseline” on a row.`
              : "Pick two runs to compare, or mark one as the baseline."}
        </span>
        <button type="button" class="btn small primary" disabled={picked().length !== 2} onClick={comparePicked}>
          Compare selected runs
        </button>
      </div>
      <div class="table-wrap">
        <table class="table stack run-history-table" aria-label="Run history">
          <thead>
            <tr>
              <th scope="col">
                <span class="sr-only">Select</span>
              </th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col" class="num">Duration</th>
              <th scope="col" class="num">Endpoints</th>
              <th scope="col" class="num">Success</th>
              <th scope="col" class="num">MOS</th>
              <th scope="col" class="num">Jitter</th>
              <th scope="col" class="num">Loss</th>
              <th scope="col">Baseline</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.runs}>
              {(r) => {
                const s = () => r.summary;
                const isBase = () => baseline() === r.id;
                return (
                  <tr data-run-id={r.id} class={isBase() ? "baseline" : undefined}>
                    <td data-label="Compare">
                      <input
                        type="checkbox"
                        aria-label={`Select ${runLabel(r)} for comparison`}
                        checked={picked().includes(r.id)}
                        onChange={(e) => toggle(r.id, e.currentTarget.checked)}
                      />
                    </td>
                    <td data-label="Run">
                      <a href={runHref(props.pid, r.id)} class="run-history-link" data-run-id={r.id} aria-label={`Open ${runLabel(r)}, ${r.status}`}>
                        <StatusBadge status={r.status} />
                      </a>
                    </td>
                    <td data-label="Started">
                      <Time value={r.startedAt ?? r.createdAt} />
                    </td>
                    <td data-label="Duration" class="num">
                      {duration(ranFor(r))}
                    </td>
                    <td data-label="Endpoints" class="num">
                      {s()?.endpoints ?? "—"}
                    </td>
                    <td data-label="Success" class="num">
                      {s()?.callSuccessRate == null ? "—" : `${num(s()!.callSuccessRate, 1)} %`}
                    </td>
                    <td data-label="MOS" class={`num quality-text-${qualityLevel("mos", s()?.mos)}`}>
                      {num(s()?.mos, 2)}
                    </td>
                    <td data-label="Jitter" class={`num quality-text-${qualityLevel("jitter_ms", s()?.jitter_ms)}`}>
                      {s()?.jitter_ms == null ? "—" : `${num(s()!.jitter_ms, 1)} ms`}
                    </td>
                    <td data-label="Loss" class={`num quality-text-${qualityLevel("fraction_lost", s()?.fraction_lost)}`}>
                      {s()?.fraction_lost == null ? "—" : `${num(s()!.fraction_lost, 2)} %`}
                    </td>
                    <td data-label="Baseline" class="actions">
                      <button
                        type="button"
                        class={`btn small ${isBase() ? "primary" : "ghost"}`}
                        aria-pressed={isBase()}
                        aria-label={`Baseline: ${runLabel(r)}`}
                        onClick={() => setBaseline(isBase() ? null : r.id)}
                      >
                        {isBase() ? "Baseline ✓" : "Set baseline"}
                      </button>
                      <Show when={baseline() && !isBase() && baselineRun()}>
                        <a class="btn small" href={compareHref(props.pid, props.tid, baseline()!, r.id)} aria-label={`Compare ${runLabel(r)} with the baseline`}>
                          vs baseline
                        </a>
                      </Show>
                    </td>
                  </tr>
                );
              }}
            </For>
          </tbody>
        </table>
      </div>
    </div>
  );
}
