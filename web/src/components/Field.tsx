import { Show, type JSX } from "solid-js";

/**
 * A labelled form field with its message beside it. The control inside should use `id`, and
 * `aria-describedby={describedBy(id)}` / `aria-invalid={!!error}` (see `fieldAria`).
 */
export function Field(props: { id: string; label: string; error?: string | null; hint?: JSX.Element; class?: string; children: JSX.Element }) {
  return (
    <div class={`field ${props.class ?? ""}`} classList={{ invalid: !!props.error }}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      <Show when={props.hint}>
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      </Show>
      <Show when={props.error}>
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      </Show>
    </div>
  );
}

/** aria attributes for the control inside a `Field`. */
export function fieldAria(id: string, error: string | null | undefined, hint = false) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return { "aria-invalid": error ? ("true" as const) : undefined, "aria-describedby": ids || undefined };
}
