import { createSignal, Show } from "solid-js";
import { SignInError, authMessage, setToken, signInWithPassword } from "../lib/auth.js";

/** Email + password (session cookie), or an API token for those who have one. */
export function SignIn() {
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<{ message: string; field: string | null } | null>(null);
  const [tokenValue, setTokenValue] = createSignal("");
  const message = () => error()?.message ?? authMessage();

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (busy()) return;
    setBusy(true);
    setError(null);
    try {
      await signInWithPassword(email().trim(), password());
    } catch (err) {
      setError(err instanceof SignInError ? { message: err.message, field: err.field } : { message: String(err), field: null });
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <div class="signin-stack">
        <form class="panel signin-form" aria-label="Sign in" aria-describedby={message() ? "signin-error" : undefined} onSubmit={submit} novalidate>
          <h1>Sign in to Ringfleet</h1>
          <Show when={message()}>
            <p id="signin-error" class="state error" role="alert">
              {message()}
            </p>
          </Show>
          <label for="signin-email">Email</label>
          <input
            id="signin-email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={email()}
            aria-invalid={error()?.field === "email" ? "true" : undefined}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
          <label for="signin-password">Password</label>
          <input
            id="signin-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password()}
            aria-invalid={error()?.field === "password" || (error() !== null && error()?.field === null) ? "true" : undefined}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <button type="submit" class="btn primary" disabled={busy() || !email().trim() || !password()}>
            {busy() ? "Signing in…" : "Sign in"}
          </button>
          <p class="muted small">
            The local stack prints the email and password when it starts (<code>npm start</code>).
          </p>
        </form>
        <details class="panel signin-token">
          <summary>Use an API token instead</summary>
          <form
            aria-label="Sign in with an API token"
            onSubmit={(e) => {
              e.preventDefault();
              if (tokenValue().trim()) setToken(tokenValue());
            }}
          >
            <p class="muted">
              For automation and shared screens. <code>npm start</code> also prints a link containing one (<code>…/?token=rf_…</code>).
            </p>
            <label for="token-input">API token</label>
            <input
              id="token-input"
              name="token"
              type="password"
              autocomplete="off"
              spellcheck={false}
              placeholder="rf_…"
              value={tokenValue()}
              onInput={(e) => setTokenValue(e.currentTarget.value)}
              required
            />
            <button type="submit" class="btn" disabled={!tokenValue().trim()}>
              Use token
            </button>
          </form>
        </details>
      </div>
    </main>
  );
}
