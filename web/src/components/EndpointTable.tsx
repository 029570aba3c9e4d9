/**
 * The run's endpoint list: filter (group/phase/outcome), search (account, group #index, id), sort by
 * any column (header buttons, aria-sort), colour-coded rows, virtualised for 10,000 rows: rows have
 * a fixed height and only those in view (plus a margin) are in the DOM, between two spacer rows.
 * Keyboard: the list box takes focus; ↑/↓, Page Up/Down, Home/End move the active row, Enter opens it.
 */
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from "solid-js";
import { ENDPOINT_OUTCOMES, ENDPOINT_PHASES, isErrorOutcome, type LiveEndpoint } from "../../../protocol/index.js";
import { filterEndpoints, groupsOf } from "../lib/live-state.js";
import { DEFAULT_SORT, nextSort, searchEndpoints, sortEndpoints, visibleRange, type EndpointSort, type SortKey } from "../lib/endpoint-list.js";
import { num } from "../lib/format.js";
import { qualityLevel } from "../lib/quality.js";
import { endpointHref, navigate } from "../lib/router.js";

/** Row height in px (must match `.endpoints tbody tr` in styles.css). */
export const ROW_PX = 36;
/** Rows rendered above and below the visible ones, so fast scrolling does not show blanks. */
export const OVERSCAN = 8;
/** Used before layout (and in jsdom, which has none). */
const FALLBACK_VIEWPORT_PX = 480;

export function rowTone(e: Pick<LiveEndpoint, "phase" | "outcome">): "bad" | "good" | "warn" | "neutral" {
  if (isErrorOutcome(e.outcome)) return "bad";
  if (e.phase === "INCALL") return "good";
  if (e.phase === "CALLING" || e.phase === "RINGING" || e.phase === "NEGOTIATING") return "warn";
  return "neutral";
}

const COLUMNS: { key: SortKey; label: string; cls?: string }[] = [
  { key: "group", label: "Group", cls: "col-group" },
  { key: "username", label: "User" },
  { key: "role", label: "Role", cls: "col-role" },
  { key: "phase", label: "Phase" },
  { key: "outcome", label: "Outcome" },
  { key: "statusCode", label: "SIP", cls: "num" },
  { key: "mos", label: "MOS", cls: "num" },
  { key: "jitter_ms", label: "Jitter ms", cls: "num col-extra" },
  { key: "fraction_lost", label: "Loss %", cls: "num col-extra" },
  { key: "rtt_ms", label: "RTT ms", cls: "num col-extra" },
];

export function EndpointTable(props: { endpoints: LiveEndpoint[]; pid: string; rid: string; loading?: boolean; error?: string | null }) {
  const [group, setGroup] = createSignal("");
  const [phase, setPhase] = createSignal("");
  const [outcome, setOutcome] = createSignal("");
  const [query, setQuery] = createSignal("");
  const [sort, setSort] = createSignal<EndpointSort>(DEFAULT_SORT);
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(FALLBACK_VIEWPORT_PX);
  const [active, setActive] = createSignal<number | null>(null);
  let box: HTMLDivElement | undefined;

  const groups = createMemo(() => groupsOf(props.endpoints));
  const filtered = createMemo(() => searchEndpoints(filterEndpoints(props.endpoints, { group: group(), phase: phase(), outcome: outcome() }), query()));
  const rows = createMemo(() => sortEndpoints(filtered(), sort()));
  const range = createMemo(() => visibleRange(scrollTop(), viewport(), ROW_PX, rows().length, OVERSCAN));
  const shown = createMemo(() => {
    const { start, end } = range();
    return rows().slice(start, end).map((e, i) => ({ e, i: start + i }));
  });

  // A new filter, search or sort starts at the top.
  createEffect(
    on([group, phase, outcome, query, sort], () => {
      setActive(null);
      if (box) box.scrollTop = 0;
      setScrollTop(0);
    }, { defer: true }),
  );

  onMount(() => {
    if (!box) return;
    const measure = () => setViewport(box!.clientHeight || FALLBACK_VIEWPORT_PX);
    measure();
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver(measure);
      ro.observe(box);
      onCleanup(() => ro.disconnect());
    }
  });

  function moveTo(i: number) {
    const n = rows().length;
    if (n === 0) return;
    const k = Math.max(0, Math.min(n - 1, i));
    setActive(k);
    if (!box) return;
    const head = box.querySelector("thead")?.getBoundingClientRect().height ?? 0;
    const top = k * ROW_PX;
    const view = (box.clientHeight || viewport()) - head;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + ROW_PX > box.scrollTop + view) box.scrollTop = top + ROW_PX - view;
    setScrollTop(box.scrollTop);
  }
  function onKeyDown(ev: KeyboardEvent) {
    if (ev.target !== box) return; // keys inside a row's link keep their meaning
    const page = Math.max(1, Math.floor(viewport() / ROW_PX) - 1);
    const cur = active();
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(cur === null ? 0 : cur + 1),
      ArrowUp: () => moveTo(cur === null ? 0 : cur - 1),
      PageDown: () => moveTo((cur ?? 0) + page),
      PageUp: () => moveTo((cur ?? 0) - page),
      Home: () => moveTo(0),
      End: () => moveTo(rows().length - 1),
      Enter: () => {
        const e = cur === null ? undefined : rows()[cur];
        if (e) navigate(endpointHref(props.pid, props.rid, e.id));
      },
    };
    const f = keys[ev.key];
    if (f) {
      ev.preventDefault();
      f();
    }
  }
  const activeRow = () => {
    const i = active();
    return i === null ? undefined : rows()[i];
  };
  const ariaSort = (key: SortKey) => (sort().key === key ? (sort().dir === "asc" ? "ascending" : "descending") : "none");

  return (
    <section class="panel" aria-label="Endpoints">
      <div class="panel-head">
        <h2 class="panel-title">
          Endpoints{" "}
          <span class="muted" data-testid="endpoint-count">
            {rows().length === props.endpoints.length ? props.endpoints.length : `${rows().length} of ${props.endpoints.length}`}
          </span>
        </h2>
        <div class="filters">
          <label class="search">
            <span>Search</span>
            <input type="search" aria-label="Search endpoints" placeholder="Account, group #n" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} />
          </label>
          <label>
            <span>Group</span>
            <select aria-label="Filter by group" value={group()} onChange={(e) => setGroup(e.currentTarget.value)}>
              <option value="">All groups</option>
              <For each={groups()}>{(g) => <option value={g}>{g}</option>}</For>
            </select>
          </label>
          <label>
            <span>Phase</span>
            <select aria-label="Filter by phase" value={phase()} onChange={(e) => setPhase(e.currentTarget.value)}>
              <option value="">All phases</option>
              <For each={ENDPOINT_PHASES}>{(p) => <option value={p}>{p}</option>}</For>
            </select>
          </label>
          <label>
            <span>Outcome</span>
            <select aria-label="Filter by outcome" value={outcome()} onChange={(e) => setOutcome(e.currentTarget.value)}>
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
        <div
          class="table-wrap endpoint-scroll"
          ref={box}
          tabindex="0"
          role="region"
          aria-label={`Endpoint rows, ${rows().length}. Arrow keys move, Enter opens.`}
          data-testid="endpoint-scroll"
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          onKeyDown={onKeyDown}
        >
          <table class="table endpoints" aria-label="Endpoint list" aria-rowcount={rows().length + 1}>
            <thead>
              <tr aria-rowindex={1}>
                <For each={COLUMNS}>
                  {(c) => (
                    <th scope="col" class={c.cls} aria-sort={ariaSort(c.key)}>
                      <button type="button" class="sort" aria-label={`Sort by ${c.label}`} onClick={() => setSort((s) => nextSort(s, c.key))}>
                        {c.label}
                        <span class="sort-mark" aria-hidden="true">
                          {sort().key === c.key ? (sort().dir === "asc" ? " ▲" : " ▼") : ""}
                        </span>
                      </button>
                    </th>
                  )}
                </For>
              </tr>
            </thead>
            <tbody>
              <tr class="spacer" aria-hidden="true" style={{ height: `${range().start * ROW_PX}px` }} />
              <For each={shown()}>
                {(r) => (
                  <tr
                    class={`row-${rowTone(r.e)}${active() === r.i ? " active" : ""}`}
                    data-testid="endpoint-row"
                    data-endpoint-id={r.e.id}
                    aria-rowindex={r.i + 2}
                    aria-current={active() === r.i ? "true" : undefined}
                    onClick={() => navigate(endpointHref(props.pid, props.rid, r.e.id))}
                  >
                    <td class="col-group">{r.e.group}</td>
                    <td>
                      <a href={endpointHref(props.pid, props.rid, r.e.id)} aria-label={`Endpoint ${r.e.username} (${r.e.group} #${r.e.index})`}>
                        {r.e.username}
                      </a>
                    </td>
                    <td class="muted col-role">{r.e.role === "CALLER" ? "caller" : "receiver"}</td>
                    <td>
                      <span class={`pill phase-${r.e.phase.toLowerCase()}`}>{r.e.phase}</span>
                    </td>
                    <td>
                      {r.e.outcome ? (
                        <span class={`pill outcome-${isErrorOutcome(r.e.outcome) ? "bad" : r.e.outcome === "SUCCESS" ? "good" : "warn"}`}>{r.e.outcome}</span>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                    <td class="num">{r.e.statusCode ?? "—"}</td>
                    <td class={`num quality-text-${qualityLevel("mos", r.e.mos)}`} data-col="mos">{num(r.e.mos, 2)}</td>
                    <td class={`num col-extra quality-text-${qualityLevel("jitter_ms", r.e.jitter_ms)}`}>{num(r.e.jitter_ms ?? null, 1)}</td>
                    <td class={`num col-extra quality-text-${qualityLevel("fraction_lost", r.e.fraction_lost)}`}>{num(r.e.fraction_lost ?? null, 2)}</td>
                    <td class={`num col-extra quality-text-${qualityLevel("rtt_ms", r.e.rtt_ms)}`}>{num(r.e.rtt_ms ?? null, 0)}</td>
                  </tr>
                )}
              </For>
              <tr class="spacer" aria-hidden="true" style={{ height: `${(rows().length - range().end) * ROW_PX}px` }} />
            </tbody>
          </table>
        </div>
        <p class="sr-only" aria-live="polite" data-testid="endpoint-active">
          {activeRow() ? `Row ${active()! + 1} of ${rows().length}: ${activeRow()!.username}, ${activeRow()!.group}, ${activeRow()!.phase}` : ""}
        </p>
        <Show when={rows().length === 0}>
          <div class="state empty">No endpoints match {query().trim() ? `“${query().trim()}” and ` : ""}these filters.</div>
        </Show>
      </Show>
    </section>
  );
}
