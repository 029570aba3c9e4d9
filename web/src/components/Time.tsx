import { Show } from "solid-js";
import { localDateTime, localTime, toDate, utcTitle } from "../lib/format.js";

/** A time in the viewer's zone, with the UTC time in the title. */
export function Time(props: { value: string | number | null | undefined; timeOnly?: boolean; ms?: boolean }) {
  const d = () => toDate(props.value);
  return (
    <Show when={d()} fallback={<span class="muted">—</span>}>
      {(date) => (
        <time datetime={date().toISOString()} title={utcTitle(date())}>
          {props.timeOnly ? localTime(date(), props.ms) : localDateTime(date())}
        </time>
      )}
    </Show>
  );
}
