/**
 * Downloads an authenticated API file (the API wants a bearer header, which a plain link cannot
 * send): fetch it as a blob, then save it through a temporary object URL.
 */
import { createSignal, Show } from "solid-js";
import { apiBlob, errorMessage } from "../lib/api.js";

export function DownloadButton(props: { path: string; filename: string; label: string; accessibleName?: string }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  async function download() {
    setBusy(true);
    setError(null);
    try {
      const blob = await apiBlob(props.path);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = props.filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <span class="download">
      <button type="button" class="btn small" aria-label={props.accessibleName ?? props.label} disabled={busy()} onClick={() => void download()}>
        {busy() ? "Preparing…" : props.label}
      </button>
      <Show when={error()}>
        <span class="error-text" role="alert">
          {" "}
          {error()}
        </span>
      </Show>
    </span>
  );
}
