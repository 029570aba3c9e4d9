import { onCleanup, onMount, type JSX } from "solid-js";

/** A small modal confirmation (role=dialog), Escape cancels, focus starts on Cancel. */
export function ConfirmDialog(props: {
  title: string;
  children: JSX.Element;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  let cancel!: HTMLButtonElement;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") props.onCancel();
  };
  onMount(() => {
    cancel?.focus();
    document.addEventListener("keydown", onKey);
  });
  onCleanup(() => document.removeEventListener("keydown", onKey));
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && props.onCancel()}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title">
        <h2 id="confirm-title">{props.title}</h2>
        <div class="modal-body">{props.children}</div>
        <div class="modal-actions">
          <button ref={cancel} type="button" class="btn" onClick={() => props.onCancel()}>
            Cancel
          </button>
          <button type="button" class={props.danger ? "btn danger" : "btn primary"} disabled={props.busy} onClick={() => props.onConfirm()}>
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
