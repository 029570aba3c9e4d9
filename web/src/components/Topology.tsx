/**
 * Group topology: each group as a card (name, endpoints, codec), arrows caller → callee (another
 * group or an external URI). Pure SVG; `topologyLayout` is the testable part.
 */
import { For, Show, createMemo } from "solid-js";
import type { AudioCodec } from "../../../protocol/index.js";

export interface TopologyGroup {
  name: string;
  endpoints: number | null;
  codec: AudioCodec;
  callee: { type: "GROUP"; group: string } | { type: "EXTERNAL"; uri: string } | { type: "RECEIVE" };
}

const CARD_H = 62;
const GAP_Y = 18;
const PAD = 8;
/** Card width and column gap: regular, and compact for phones (drawn near 1:1 on a 390 px screen). */
const SIZES = { regular: { w: 190, gap: 110, title: 22, sub: 28 }, compact: { w: 142, gap: 40, title: 15, sub: 21 } } as const;
type Size = keyof typeof SIZES;

export interface TopologyNode {
  key: string;
  kind: "group" | "external";
  title: string;
  subtitle: string;
  x: number;
  y: number;
  role: "caller" | "receiver" | "external" | "idle";
}
export interface TopologyEdge {
  from: string;
  to: string;
  ok: boolean;
  label: string;
}

export function topologyLayout(groups: readonly TopologyGroup[], size: Size = "regular"): { nodes: TopologyNode[]; edges: TopologyEdge[]; width: number; height: number } {
  const left: TopologyNode[] = [];
  const right: TopologyNode[] = [];
  const edges: TopologyEdge[] = [];
  const byName = new Map<string, string>();
  groups.forEach((g, i) => {
    const key = `g${i}`;
    if (g.name && !byName.has(g.name)) byName.set(g.name, key);
    const n: TopologyNode = {
      key,
      kind: "group",
      title: g.name || `(group ${i + 1})`,
      subtitle: `${g.endpoints ?? "?"} endpoint${g.endpoints === 1 ? "" : "s"} · ${g.codec}`,
      x: 0,
      y: 0,
      role: g.callee.type === "RECEIVE" ? "receiver" : "caller",
    };
    (g.callee.type === "RECEIVE" ? right : left).push(n);
  });
  const externals = new Map<string, string>();
  groups.forEach((g, i) => {
    const from = `g${i}`;
    if (g.callee.type === "GROUP") {
      const to = byName.get(g.callee.group);
      const target = to ? groups[Number(to.slice(1))] : undefined;
      if (to && to !== from) edges.push({ from, to, ok: target?.callee.type === "RECEIVE", label: `${g.name || `group ${i + 1}`} calls ${g.callee.group}` });
    } else if (g.callee.type === "EXTERNAL") {
      const uri = g.callee.uri.trim() || "(no URI)";
      let key = externals.get(uri);
      if (!key) {
        key = `x${externals.size}`;
        externals.set(uri, key);
        right.push({ key, kind: "external", title: "External", subtitle: uri, x: 0, y: 0, role: "external" });
      }
      edges.push({ from, to: key, ok: true, label: `${g.name || `group ${i + 1}`} calls ${uri}` });
    }
  });
  // A lone column is drawn on the left.
  const { w: CARD_W, gap: GAP_X } = SIZES[size];
  const twoCols = left.length > 0 && right.length > 0;
  left.forEach((n, i) => ((n.x = PAD), (n.y = PAD + i * (CARD_H + GAP_Y))));
  right.forEach((n, i) => ((n.x = twoCols ? PAD + CARD_W + GAP_X : PAD), (n.y = PAD + i * (CARD_H + GAP_Y))));
  const rows = Math.max(left.length, right.length, 1);
  return {
    nodes: [...left, ...right],
    edges,
    width: PAD * 2 + CARD_W + (twoCols ? CARD_W + GAP_X : 0),
    height: PAD * 2 + rows * CARD_H + (rows - 1) * GAP_Y,
  };
}

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

export function Topology(props: { groups: readonly TopologyGroup[]; compact?: boolean }) {
  const size = (): Size => (props.compact ? "compact" : "regular");
  const layout = createMemo(() => topologyLayout(props.groups, size()));
  const CW = () => SIZES[size()].w;
  const node = (k: string) => layout().nodes.find((n) => n.key === k);
  const summary = () =>
    layout().edges.length ? layout().edges.map((e) => e.label).join("; ") : props.groups.length ? "No calls between groups yet" : "No groups";
  return (
    <figure class="topology" data-testid="topology" data-edges={layout().edges.length}>
      <svg viewBox={`0 0 ${layout().width} ${layout().height}`} style={{ "max-width": `${layout().width}px` }} role="img" aria-label={`Group topology: ${summary()}`}>
        <defs>
          <marker id="topo-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
          </marker>
        </defs>
        <For each={layout().edges}>
          {(e) => {
            const a = () => node(e.from)!;
            const b = () => node(e.to)!;
            const path = () => {
              const CARD_W = CW();
              const x1 = a().x + CARD_W;
              const y1 = a().y + CARD_H / 2;
              const sameCol = b().x <= a().x;
              const x2 = sameCol ? b().x + CARD_W : b().x;
              const y2 = b().y + CARD_H / 2;
              if (sameCol) return `M ${x1} ${y1} C ${x1 + 60} ${y1}, ${x2 + 60} ${y2}, ${x2 + 2} ${y2}`;
              const mx = (x1 + x2) / 2;
              return `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2 - 2} ${y2}`;
            };
            return <path class={`topo-edge ${e.ok ? "" : "bad"}`} d={path()} marker-end="url(#topo-arrow)" data-from={e.from} data-to={e.to} />;
          }}
        </For>
        <For each={layout().nodes}>
          {(n) => (
            <g class={`topo-node role-${n.role}`} transform={`translate(${n.x} ${n.y})`} data-testid="topology-node" data-title={n.title}>
              <rect width={CW()} height={CARD_H} rx="6" />
              <text x="12" y="24" class="topo-title">
                {clip(n.title, SIZES[size()].title)}
              </text>
              <text x="12" y="44" class="topo-sub">
                {clip(n.subtitle, SIZES[size()].sub)}
              </text>
              <Show when={n.kind === "group" && !props.compact}>
                <text x={CW() - 10} y="24" text-anchor="end" class="topo-role">
                  {n.role === "receiver" ? "receives" : n.role === "caller" ? "calls" : ""}
                </text>
              </Show>
            </g>
          )}
        </For>
      </svg>
      <figcaption class="visually-hidden">{summary()}</figcaption>
    </figure>
  );
}
