/**
 * The run page's group breakdown: the test's topology (who calls whom) and, per group, live counts
 * and MOS computed from the endpoint list (lib/group-stats.ts). MOS is coloured by the quality
 * thresholds, like the cards.
 */
import { For, Show, createMemo } from "solid-js";
import type { LiveEndpoint } from "../../../protocol/index.js";
import { groupStats } from "../lib/group-stats.js";
import { qualityLevel } from "../lib/quality.js";
import { Topology, type TopologyGroup } from "./Topology.js";

const num = (v: number | null, d = 2) => (v == null ? "–" : v.toFixed(d));

export function GroupBreakdown(props: { endpoints: readonly LiveEndpoint[]; groups: readonly TopologyGroup[] | null; compact: boolean }) {
  const stats = createMemo(() => groupStats(props.endpoints, props.groups?.map((g) => g.name) ?? []));
  return (
    <section class="panel" aria-label="Groups">
      <h2 class="panel-title">Groups</h2>
      <Show when={props.groups && props.groups.length > 0}>
        <Topology groups={props.groups!} compact={props.compact} />
      </Show>
      <Show when={stats().length > 0} fallback={<p class="muted">No endpoints yet.</p>}>
        <div class="table-wrap">
          <table class="table static stack" aria-label="Group breakdown">
            <thead>
              <tr>
                <th>Group</th>
                <th class="num">Endpoints</th>
                <th class="num">Registered</th>
                <th class="num">Setting up</th>
                <th class="num">In call</th>
                <th class="num">Success</th>
                <th class="num">Errors</th>
                <th class="num">MOS</th>
                <th class="num">Worst MOS</th>
              </tr>
            </thead>
            <tbody>
              <For each={stats()}>
                {(g) => (
                  <tr aria-label={`Group ${g.group}`}>
                    <td data-label="Group">{g.group}</td>
                    <td class="num" data-label="Endpoints">{g.endpoints}</td>
                    <td class="num" data-label="Registered">{g.registered}</td>
                    <td class="num" data-label="Setting up">{g.setup}</td>
                    <td class="num" data-label="In call">{g.inCall}</td>
                    <td class="num" data-label="Success">{g.success}</td>
                    <td class={`num ${g.errors > 0 ? "quality-text-bad" : ""}`} data-label="Errors">{g.errors}</td>
                    <td class={`num quality-text-${qualityLevel("mos", g.mos)}`} data-label="MOS" data-testid={`group-mos-${g.group}`}>{num(g.mos)}</td>
                    <td class={`num quality-text-${qualityLevel("mos", g.worstMos)}`} data-label="Worst MOS">{num(g.worstMos)}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}
