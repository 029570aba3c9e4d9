import { For } from "solid-js";
import { SECOND_METRICS } from "../../../protocol/index.js";
import { num } from "../lib/format.js";
import { qualityLevel, type QualityKey } from "../lib/quality.js";

export type AggregateValues = Record<QualityKey, number | null>;

const CARDS: { key: QualityKey; digits: number; unit: string }[] = [
  { key: "mos", digits: 2, unit: "" },
  { key: "jitter_ms", digits: 1, unit: "ms" },
  { key: "fraction_lost", digits: 2, unit: "%" },
  { key: "rtt_ms", digits: 0, unit: "ms" },
];

const LEVEL_TEXT = { good: "good", warn: "warning", bad: "bad", none: "no data" } as const;

export function AggregateCards(props: { values: AggregateValues; caption: string }) {
  return (
    <section class="cards" aria-label="Call quality">
      <For each={CARDS}>
        {(c) => {
          const def = SECOND_METRICS.find((m) => m.key === c.key)!;
          const v = () => props.values[c.key];
          const level = () => qualityLevel(c.key, v());
          return (
            <div
              class={`card quality-${level()}`}
              title={def.description}
              role="group"
              aria-label={`${def.label}: ${num(v(), c.digits)}${c.unit && v() != null ? " " + c.unit : ""} (${LEVEL_TEXT[level()]})`}
              data-testid={`card-${c.key}`}
              data-level={level()}
            >
              <div class="card-head">
                <span class="card-label">{def.label}</span>
                <details class="info">
                  <summary aria-label={`About ${def.label}`}>?</summary>
                  <p>{def.description}</p>
                </details>
              </div>
              <div class="card-value">
                {num(v(), c.digits)}
                <span class="card-unit">{v() != null ? c.unit : ""}</span>
              </div>
              <div class="card-foot muted">{props.caption}</div>
            </div>
          );
        }}
      </For>
    </section>
  );
}
