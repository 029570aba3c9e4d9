import { createSignal } from "solid-js";

/** Copies `text` to the clipboard; says "Copied" for a moment (or why it could not). */
export function CopyButton(props: { text: string; label?: string }) {
  const [state, setState] = createSignal<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setState("copied");
    } catch {
      setState("failed");
    }
    setTimeout(() => setState("idle"), 2000);
  };
  return (
    <button type="button" class="btn small" onClick={() => void copy()} aria-label={props.label ?? "Copy"}>
      <span aria-live="polite">{state() === "copied" ? "Copied" : state() === "failed" ? "Copy failed — select and copy" : "Copy"}</span>
    </button>
  );
}
