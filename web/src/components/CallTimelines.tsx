/**
 * The call timeline of this endpoint beside the paired endpoint's (the other side of a cross-group
 * call): INVITE → 100 → 180 → 200 → ACK → BYE → 200 with absolute times, each side as it saw them.
 * The pair is found in the run's endpoint list (call-timeline.ts findPair) and its trace fetched.
 */
import { createResource, For, Show } from "solid-js";
import type { EndpointDetail, RunEndpoint, SipTraceEntry } from "../../../protocol/index.js";
import { apiGet, apiRequest, errorMessage } from "../lib/api.js";
import { callTimeline, findPair } from "../lib/call-timeline.js";
import { ms } from "../lib/format.js";
import { endpointHref } from "../lib/router.js";
import { Empty, ErrorBox, Loading } from "./States.js";
import { Time } from "./Time.js";

/** Endpoints fetched per page while looking for the pair (the API's maximum). */
const PAGE = 500;
/** Stop looking after this many pages (runs larger than that show no pair). */
const MAX_PAGES = 40;

async function runEndpoints(base: string): Promise<RunEndpoint[]> {
  const first = await apiRequest<RunEndpoint[]>("GET", `${base}/endpoints`, { query: { perPage: PAGE, page: 1 } });
  const total = first.meta.pagination?.total ?? first.data.length;
  const pages = Math.min(MAX_PAGES, Math.ceil(total / PAGE));
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, i) => apiGet<RunEndpoint[]>(`${base}/endpoints`, { perPage: PAGE, page: i + 2 })));
  return [first.data, ...rest].flat();
}

function Timeline(props: { title: string; trace: SipTraceEntry[]; testid: string }) {
  const steps = () => callTimeline(props.trace);
  const start = () => steps()[0]?.t ?? null;
  return (
    <ol class="timeline" aria-label={props.title} data-testid={props.testid}>
      <For each={steps()}>
        {(s) => (
          <li class={s.t === null ? "missing" : ""} aria-label={`${s.label}: ${s.t === null ? "not seen" : new Date(s.t).toISOString()}`}>
            <span class="tl-label">
              <span class={`trace-dir ${s.dir ?? ""}`} aria-hidden="true">
                {s.dir === "out" ? "→" : s.dir === "in" ? "←" : "·"}
              </span>{" "}
              {s.label}
            </span>
            <span class="tl-time">
              <Time value={s.t} timeOnly ms />
            </span>
            <span class="tl-offset muted">{s.t !== null && start() !== null && s.key !== "INVITE" ? `+${ms(s.t - start()!)}` : ""}</span>
          </li>
        )}
      </For>
    </ol>
  );
}

const who = (e: Pick<RunEndpoint, "username" | "group" | "index" | "role">) => `${e.username} (${e.group} #${e.index}, ${e.role === "CALLER" ? "caller" : "receiver"})`;

export function CallTimelines(props: { pid: string; rid: string; self: EndpointDetail }) {
  const base = () => `/projects/${encodeURIComponent(props.pid)}/test-runs/${encodeURIComponent(props.rid)}`;
  const [pair, { refetch }] = createResource(
    () => ({ id: props.self.id, n: props.self.trace.length }),
    async () => {
      const found = findPair(props.self, props.self.trace, await runEndpoints(base()));
      if (!found) return null;
      return apiGet<EndpointDetail>(`${base()}/endpoints/${encodeURIComponent(found.id)}`);
    },
  );
  const other = () => (pair.state === "ready" || pair.state === "refreshing" ? pair.latest : undefined);
  return (
    <section class="panel" aria-label="Call timeline">
      <h2 class="panel-title">Call timeline</h2>
      <div class="timelines">
        <div>
          <h3 class="tl-title">This endpoint · {who(props.self)}</h3>
          <Timeline title={`Timeline of ${props.self.username}`} trace={props.self.trace} testid="timeline-self" />
        </div>
        <div>
          <Show when={!pair.error} fallback={<ErrorBox message={`Could not load the other side of the call: ${errorMessage(pair.error)}`} onRetry={() => void refetch()} />}>
            <Show when={other() !== undefined} fallback={<Loading label="Finding the other side of the call…" />}>
              <Show
                when={other()}
                fallback={<Empty>No paired endpoint: this call was not between two groups of the run (an external URI, a call from outside, or not placed yet).</Empty>}
              >
                {(o) => (
                  <>
                    <h3 class="tl-title">
                      Other side · <a href={endpointHref(props.pid, props.rid, o().id)}>{who(o())}</a>
                    </h3>
                    <Timeline title={`Timeline of ${o().username}`} trace={o().trace} testid="timeline-pair" />
                  </>
                )}
              </Show>
            </Show>
          </Show>
        </div>
      </div>
    </section>
  );
}
