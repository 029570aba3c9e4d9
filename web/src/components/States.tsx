import type { JSX } from "solid-js";
import { Show } from "solid-js";

export function Loading(props: { label?: string }) {
  return (
    <div class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {props.label ?? "Loading…"}
    </div>
  );
}

export function ErrorBox(props: { message: string; onRetry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <span>{props.message}</span>
      <Show when={props.onRetry}>
        <button type="button" class="btn small" onClick={() => props.onRetry?.()}>
          Retry
        </button>
      </Show>
    </div>
  );
}

export function Empty(props: { children: JSX.Element }) {
  return <div class="state empty">{props.children}</div>;
}
