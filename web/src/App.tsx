import { Match, Show, Switch } from "solid-js";
import { signOut, token } from "./lib/auth.js";
import { currentRoute, href, type Route } from "./lib/router.js";
import { SignIn } from "./components/SignIn.js";
import { HomePage } from "./pages/HomePage.js";
import { RunPage } from "./pages/RunPage.js";
import { EndpointPage } from "./pages/EndpointPage.js";

const as = <N extends Route["name"]>(r: Route, n: N) => (r.name === n ? (r as Extract<Route, { name: N }>) : false);

export function App() {
  return (
    <Show when={token()} fallback={<SignIn />}>
      <header class="topbar">
        <a class="brand" href={href({ name: "home" })} aria-label="Ringfleet home">
          <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
            <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2.5" />
          </svg>
          Ringfleet
        </a>
        <button type="button" class="btn small ghost" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <Switch>
        <Match when={as(currentRoute(), "home")}>
          <HomePage />
        </Match>
        <Match when={as(currentRoute(), "run")} keyed>
          {(r) => <RunPage pid={r.pid} rid={r.rid} />}
        </Match>
        <Match when={as(currentRoute(), "endpoint")} keyed>
          {(r) => <EndpointPage pid={r.pid} rid={r.rid} eid={r.eid} />}
        </Match>
        <Match when={as(currentRoute(), "notFound")} keyed>
          {(r) => (
            <main class="page">
              <div class="state empty">
                Nothing at <code>{r.path}</code>. <a href={href({ name: "home" })}>Go to tests</a>
              </div>
            </main>
          )}
        </Match>
      </Switch>
    </Show>
  );
}
