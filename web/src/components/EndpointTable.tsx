import { createMemo, createSignal, For, Show } from "solid-js";
import { ENDPOINT_OUTCOMES, ENDPOINT_PHASES, isErrorOutcome, type LiveEndpoint } from "../../../protocol/index.js";
import { filterEndpoints, groupsOf } from "../lib/live-state.js";
import { num } from "../lib/format.js";
import { qualityLevel } from "../lib/quality.js";
import { endpointHref, navigate } from "../lib/router.js";

const PAGE = 100;

export function rowTone(e: Pick<LiveEndpoint, "phase" | "outcome">): "bad" | "good" | "warn" | "neutral" {
  if (isErrorOutcome(e.outcome)) return "bad";
  if (e.phase === "INCALL") return "good";
  if (e.phase === "CALLING" || e.phase === "RINGING" || e.phase === "NEGOTIATING") return "warn";
  return "neutral";
}

export function EndpointTable(props: { endpoints: LiveEndpoint[]; pid: string; rid: string; loading?: boolean; error?: string | null }) {
  const [group, setGroup] = createSignal("");
  const [phase, setPhase] = createSignal("");
  const [outcome, setOutcome] = createSignal("");
  const [limit, setLimit] = createSignal(PAGE);
  const groups = createMemo(() => groupsOf(props.endpoints));
  const filtered = createMemo(() => filterEndpoints(props.endpoints, { group: group(), phase: phase(), outcome: outcome() }));
  const shown = createMemo(() => filtered().slice(0, limit()));
  const reset = () => setLimit(PAGE);

  return (
    <section class="panel" aria-label="Endpoints">
      <div class="panel-head">
        <h2 class="panel-title">
          Endpoints{" "}
          <span class="muted" data-testid="endpoint-count">
            {filtered().length === props.endpoints.length ? props.endpoints.length : `${filtered().length} of ${props.endpoints.length}`}
          </span>
        </h2>
        <div class="filters">
          <label>
            <span>Group</span>
            <select aria-label="Filter by group" value={group()} onChange={(e) => (setGroup(e.currentTarget.value), reset())}>
              <option value="">All groups</option>
              <For each={groups()}>{(g) => <option value={g}>{g}</option>}</For>
            </select>
          </label>
          <label>
            <span>Phase</span>
            <select aria-label="Filter by phase" value={phase()} onChange={(e) => (setPhase(e.currentTarget.value), reset())}>
              <option value="">All phases</option>
              <For each={ENDPOINT_PHASES}>{(p) => <option value={p}>{p}</option>}</For>
            </select>
          </label>
          <label>
            <span>Outcome</span>
            <select aria-label="Filter by outcome" value={outcome()} onChange={(e) => (setOutcome(e.currentTarget.value), reset())}>
              <option value="">All outcomes</option>
              <option value="NONE">No outcome yet</option>
              <For each={ENDPOINT_OUTCOMES}>{(o) => <option value={o}>{o}</option>}</For>
            </select>
          </label>
        </div>
      </div>
      <Show
        when={props.endpoints.length > 0}
        fallback={
          props.error ? (
            <div class="state error" role="alert">
              {props.error}
            </div>
          ) : (
            <div class="state empty">{props.loading ? "Waiting for endpoints…" : "No endpoints."}</div>
          )
        }
      >
        <div class="table-wrap">
          <table class="table endpoints" aria-label="Endpoint list">
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">User</th>
                <th scope="col" class="col-role">Role</th>
                <th scope="col">Phase</th>
                <th scope="col">Outcome</th>
                <th scope="col" class="num">SIP</th>
                <th scope="col" class="num">MOS</th>
              </tr>
            </thead>
            <tbody>
              <For each={shown()}>
                {(e) => (
                  <tr
                    class={`row-${rowTone(e)}`}
                    data-testid="endpoint-row"
                    data-endpoint-id={e.id}
                    onClick={() => navigate(endpointHref(props.pid, props.rid, e.id))}
                  >
                    <td>{e.group}</td>
                    <td>
                      <a href={endpointHref(props.pid, props.rid, e.id)} aria-label={`Endpoint ${e.username} (${e.group} #${e.index})`}>
                        {e.username}
                      </a>
                    </td>
                    <td class="muted col-role">{e.role === "CALLER" ? "caller" : "receiver"}</td>
                    <td>
                      <span class={`pill phase-${e.phase.toLowerCase()}`}>{e.phase}</span>
                    </td>
                    <td>{e.outcome ? <span class={`pill outcome-${isErrorOutcome(e.outcome) ? "bad" : e.outcome === "SUCCESS" ? "good" : "warn"}`}>{e.outcome}</span> : <span class="muted">—</span>}</td>
                    <td class="num">{e.statusCode ?? "—"}</td>
                    <td class={`num quality-text-${qualityLevel("mos", e.mos)}`}>{num(e.mos, 2)}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
        <Show when={filtered().length === 0}>
          <div class="state empty">No endpoints match these filters.</div>
        </Show>
        <Show when={filtered().length > limit()}>
          <button type="button" class="btn more" onClick={() => setLimit((l) => l + PAGE * 5)}>
            Show more ({filtered().length - limit()} hidden)
          </button>
        </Show>
      </Show>
    </section>
  );
}
