/**
 * SIP ladder diagram (SVG): a lifeline per party, an arrow per message. Every arrow is a button
 * (click, tap, Enter or Space) that opens the full message, SDP included, in the panel below.
 * The drawing has a fixed column width and scrolls sideways when it is wider than the screen.
 */
import { createMemo, createSignal, For, Show } from "solid-js";
import type { SipTraceEntry } from "../../../protocol/index.js";
import { arrowName, buildLadder, offsetLabel, type LadderArrow } from "../lib/ladder.js";
import { Time } from "./Time.js";

const TIME_GUTTER = 64;
const COLUMN = 150;
const HEADER = 44;
const ROW = 34;
const PAD_BOTTOM = 12;

const centre = (col: number) => TIME_GUTTER + COLUMN * col + COLUMN / 2;

function tone(a: LadderArrow): string {
  if (a.kind === "request") return "req";
  if (a.status! < 200) return "prov";
  if (a.status! < 300) return "ok";
  return "err";
}

function Arrow(props: { a: LadderArrow; y: number; width: number; selected: boolean; onSelect: () => void }) {
  const x1 = () => centre(props.a.from);
  const x2 = () => centre(props.a.to);
  const rightward = () => x2() > x1();
  const head = () => {
    const x = x2();
    const s = rightward() ? -8 : 8;
    return `${x},${props.y} ${x + s},${props.y - 4.5} ${x + s},${props.y + 4.5}`;
  };
  const labelX = () => (x1() + x2()) / 2;
  return (
    <g
      role="button"
      tabindex="0"
      aria-label={arrowName(props.a)}
      aria-pressed={props.selected}
      class={`ladder-arrow tone-${tone(props.a)}${props.a.retransmission ? " retrans" : ""}${props.selected ? " selected" : ""}`}
      data-testid="ladder-arrow"
      onClick={() => props.onSelect()}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          props.onSelect();
        }
      }}
    >
      <rect class="ladder-hit" x={0} y={props.y - ROW / 2} width={props.width} height={ROW} />
      <text class="ladder-time" x={TIME_GUTTER - 6} y={props.y + 4} text-anchor="end">
        {offsetLabel(props.a.offsetMs).replace(" s", "")}
      </text>
      <line class="ladder-line" x1={x1()} y1={props.y} x2={x2() + (rightward() ? -6 : 6)} y2={props.y} />
      <polygon class="ladder-head" points={head()} />
      <text class="ladder-label" x={labelX()} y={props.y - 6} text-anchor="middle">
        {props.a.retransmission ? "↻ " : ""}
        {props.a.label.length > 22 ? props.a.label.slice(0, 21) + "…" : props.a.label}
        {props.a.hasSdp ? " (SDP)" : ""}
      </text>
    </g>
  );
}

export function SipLadder(props: { trace: SipTraceEntry[]; endpointLabel?: string }) {
  const ladder = createMemo(() => buildLadder(props.trace));
  const [selected, setSelected] = createSignal<number | null>(null);
  const width = () => TIME_GUTTER + COLUMN * ladder().parties.length;
  const height = () => HEADER + ROW * ladder().arrows.length + PAD_BOTTOM;
  const current = () => {
    const i = selected();
    return i === null ? undefined : ladder().arrows[i];
  };
  const retransmissions = () => ladder().arrows.filter((a) => a.retransmission).length;

  return (
    <div class="ladder" data-testid="sip-ladder" data-parties={ladder().parties.length} data-arrows={ladder().arrows.length}>
      <p class="muted small-text ladder-legend">
        {ladder().arrows.length} messages between {ladder().parties.length} parties
        <Show when={retransmissions() > 0}>, {retransmissions()} retransmitted (↻, dashed)</Show>. Select an arrow to read the message.
      </p>
      <div class="ladder-scroll" tabindex="-1">
        <svg
          role="group"
          aria-label="SIP ladder"
          class="ladder-svg"
          width={width()}
          height={height()}
          viewBox={`0 0 ${width()} ${height()}`}
        >
          <For each={ladder().parties}>
            {(p, i) => (
              <g class="ladder-party" aria-hidden="true">
                <text x={centre(i())} y={16} text-anchor="middle" class="ladder-party-name">
                  {i() === 0 ? (props.endpointLabel ?? p) : p}
                </text>
                <Show when={i() === 0 && props.endpointLabel}>
                  <text x={centre(i())} y={30} text-anchor="middle" class="ladder-party-sub">
                    this endpoint
                  </text>
                </Show>
                <line class="ladder-lifeline" x1={centre(i())} y1={HEADER - 6} x2={centre(i())} y2={height() - 4} />
              </g>
            )}
          </For>
          <For each={ladder().arrows}>
            {(a, i) => <Arrow a={a} y={HEADER + ROW * i() + ROW / 2} width={width()} selected={selected() === i()} onSelect={() => setSelected(i())} />}
          </For>
        </svg>
      </div>
      <Show when={current()}>
        {(a) => (
          <section class="ladder-message" aria-label="SIP message" data-testid="ladder-message">
            <header class="ladder-message-head">
              <strong>{a().label}</strong>{" "}
              <span class="muted">
                {a().dir === "out" ? "sent to" : "received from"} {a().remote} · <Time value={a().t} timeOnly ms /> ({offsetLabel(a().offsetMs)})
                {a().retransmission ? " · retransmission" : ""}
              </span>
              <button type="button" class="btn small" aria-label="Close message" onClick={() => setSelected(null)}>
                Close
              </button>
            </header>
            <pre class="trace-text" tabindex="0">{a().text}</pre>
          </section>
        )}
      </Show>
    </div>
  );
}
