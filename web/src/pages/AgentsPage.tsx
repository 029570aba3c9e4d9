/** The agent fleet: status, region, capacity, load, version, last heartbeat (refreshed every 5 s). */
import { createResource, For, onCleanup, Show } from "solid-js";
import type { Agent, AgentStatus } from "../../../protocol/index.js";
import { apiGet, errorMessage } from "../lib/api.js";
import { href } from "../lib/router.js";
import { useNow } from "../lib/use-live-run.js";
import { Empty, ErrorBox, Loading } from "../components/States.js";
import { Time } from "../components/Time.js";

const STATUS_CLASS: Record<AgentStatus, string> = { ONLINE: "completed", OFFLINE: "pending", DRAINING: "stopping", ERROR: "failed" };

export function AgentStatusBadge(props: { status: AgentStatus }) {
  return (
    <span class={`badge status-${STATUS_CLASS[props.status] ?? "pending"}`} data-status={props.status}>
      {props.status}
    </span>
  );
}

function ago(iso: string | null, now: number): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

export function AgentsPage() {
  const [agents, { refetch }] = createResource(() => apiGet<Agent[]>("/agents"));
  const timer = setInterval(() => void refetch(), 5000);
  onCleanup(() => clearInterval(timer));
  const now = useNow(1000);
  return (
    <main class="page agents-page">
      <div class="page-head">
        <h1 class="page-title">Agents</h1>
        <a class="btn" href={href({ name: "tokens" })}>
          Add an agent…
        </a>
      </div>
      <Show when={!agents.error || agents.latest} fallback={<ErrorBox message={errorMessage(agents.error)} onRetry={() => void refetch()} />}>
        <Show when={agents.latest} fallback={<Loading label="Loading agents…" />}>
          {(list) => (
            <Show when={list().length > 0} fallback={<Empty>No agents have connected yet. Create an agent token on the API tokens page and start one.</Empty>}>
              <div class="panel">
                <div class="table-wrap">
                  <table class="table static stack" aria-label="Agents">
                    <thead>
                      <tr>
                        <th>Name</th>
                        <th>Status</th>
                        <th>Region</th>
                        <th class="num">Capacity</th>
                        <th>CPU</th>
                        <th>Version</th>
                        <th>Last heartbeat</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={list()}>
                        {(a) => (
                          <tr aria-label={`Agent ${a.name}`}>
                            <td title={a.id} data-label="Name">{a.name}</td>
                            <td data-label="Status">
                              <AgentStatusBadge status={a.status} />
                              <Show when={a.fault}>
                                {(f) => (
                                  <p class="small-text fault" role="note" aria-label={`Fault of ${a.name}`}>
                                    <code>{f().code}</code> {f().message}
                                  </p>
                                )}
                              </Show>
                            </td>
                            <td data-label="Region">{a.region}</td>
                            <td class="num" data-label="Capacity">{a.capacity}</td>
                            <td data-label="CPU">
                              <div class="load" title="CPU use as a fraction of one core, from the last heartbeat">
                                <div class="progress" aria-hidden="true">
                                  <span style={{ width: `${Math.min(100, Math.max(0, a.load * 100))}%` }} />
                                </div>
                                <span class="small-text">{Math.round(a.load * 100)}%</span>
                              </div>
                            </td>
                            <td data-label="Version">
                              <code>{a.version}</code>
                              <Show when={a.host}>
                                {(h) => (
                                  <span class="small-text muted" aria-label={`Host of ${a.name}`}>
                                    {" "}
                                    {h().hostname} · {h().platform} · {h().cpus} CPU · {Math.round(h().memMb / 1024)} GiB
                                  </span>
                                )}
                              </Show>
                            </td>
                            <td data-label="Last heartbeat">
                              <Time value={a.lastSeenAt} /> <span class="muted small-text">({ago(a.lastSeenAt, now())})</span>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </div>
              <Show when={agents.error}>
                <ErrorBox message={`Refresh failed: ${errorMessage(agents.error)}`} onRetry={() => void refetch()} />
              </Show>
            </Show>
          )}
        </Show>
      </Show>
    </main>
  );
}
