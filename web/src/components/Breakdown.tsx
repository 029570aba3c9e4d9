import { For } from "solid-js";
import { ENDPOINT_OUTCOMES, ENDPOINT_PHASES, isErrorOutcome, type EndpointOutcome } from "../../../protocol/index.js";

function phaseTone(p: string): string {
  if (p === "INCALL") return "good";
  if (p === "CALLING" || p === "RINGING" || p === "NEGOTIATING") return "warn";
  if (p === "CLOSED") return "done";
  return "neutral";
}
function outcomeTone(o: string): string {
  if (o === "SUCCESS") return "good";
  if (o === "COMPLETED_WITH_WARNINGS") return "warn";
  if (o === "NONE") return "neutral";
  return isErrorOutcome(o as EndpointOutcome) ? "bad" : "neutral";
}

function Bars(props: { title: string; kind: "phase" | "outcome"; items: { key: string; label: string; count: number; tone: string }[] }) {
  const total = () => props.items.reduce((a, b) => a + b.count, 0);
  return (
    <section class="panel breakdown" aria-label={props.title}>
      <h2 class="panel-title">
        {props.title} <span class="muted">({total()})</span>
      </h2>
      <div class="stackbar" aria-hidden="true">
        <For each={props.items.filter((i) => i.count > 0)}>
          {(i) => <span class={`seg tone-${i.tone}`} style={{ "flex-grow": i.count }} title={`${i.label}: ${i.count}`} />}
        </For>
      </div>
      <ul class="chips">
        <For each={props.items}>
          {(i) => (
            <li class={`chip tone-${i.tone}`} classList={{ zero: i.count === 0 }} aria-label={`${i.key}: ${i.count}`}>
              <span class="chip-label">{i.label}</span>
              <span class="chip-count" data-testid={`${props.kind}-count-${i.key}`}>
                {i.count}
              </span>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}

export function PhaseBreakdown(props: { counts: Record<string, number | undefined> }) {
  return (
    <Bars
      title="Phases"
      kind="phase"
      items={ENDPOINT_PHASES.map((p) => ({ key: p, label: p, count: props.counts[p] ?? 0, tone: phaseTone(p) }))}
    />
  );
}

export function OutcomeBreakdown(props: { counts: Record<string, number | undefined>; pending: number }) {
  return (
    <Bars
      title="Outcomes"
      kind="outcome"
      items={[
        ...ENDPOINT_OUTCOMES.map((o) => ({ key: o, label: o.replaceAll("_", " "), count: props.counts[o] ?? 0, tone: outcomeTone(o) })),
        { key: "NONE", label: "no outcome yet", count: props.pending, tone: "neutral" },
      ]}
    />
  );
}

export { phaseTone, outcomeTone };
