import { createSignal, Show } from "solid-js";
import { authMessage, setToken } from "../lib/auth.js";

export function SignIn() {
  const [value, setValue] = createSignal("");
  return (
    <main class="signin">
      <form
        class="panel signin-form"
        aria-label="Sign in"
        onSubmit={(e) => {
          e.preventDefault();
          if (value().trim()) setToken(value());
        }}
      >
        <h1>Sign in to Ringfleet</h1>
        <p class="muted">
          Paste an API token. The local stack prints a link containing one (<code>…/?token=rf_…</code>).
        </p>
        <Show when={authMessage()}>
          <p class="state error" role="alert">
            {authMessage()}
          </p>
        </Show>
        <label for="token-input">API token</label>
        <input
          id="token-input"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="rf_…"
          value={value()}
          onInput={(e) => setValue(e.currentTarget.value)}
          required
        />
        <button type="submit" class="btn primary" disabled={!value().trim()}>
          Sign in
        </button>
      </form>
    </main>
  );
}
