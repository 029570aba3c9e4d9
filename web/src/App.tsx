import { createEffect, For, Match, Show, Switch } from "solid-js";
import type { Me } from "../../protocol/index.js";
import { apiGet } from "./lib/api.js";
import { activeProjectId, me, session, setMe, signedIn, signOut, token } from "./lib/auth.js";
import { currentRoute, href, type Route } from "./lib/router.js";
import { SignIn } from "./components/SignIn.js";
import { Switchers } from "./components/Switchers.js";
import { Loading } from "./components/States.js";
import { HomePage } from "./pages/HomePage.js";
import { RunPage } from "./pages/RunPage.js";
import { EndpointPage } from "./pages/EndpointPage.js";
import { RegistrarsPage } from "./pages/RegistrarsPage.js";
import { TestPage } from "./pages/TestPage.js";
import { ComparePage } from "./pages/ComparePage.js";
import { AgentsPage } from "./pages/AgentsPage.js";
import { TokensPage } from "./pages/TokensPage.js";

const as = <N extends Route["name"]>(r: Route, n: N) => (r.name === n ? (r as Extract<Route, { name: N }>) : false);

type Section = "tests" | "registrars" | "agents" | "tokens";
function sectionOf(r: Route): Section | null {
  switch (r.name) {
    case "home":
    case "run":
    case "endpoint":
    case "newTest":
    case "test":
    case "compare":
      return "tests";
    case "registrars":
      return "registrars";
    case "agents":
      return "agents";
    case "tokens":
      return "tokens";
    default:
      return null;
  }
}

/** The header navigation; project pages use the project in the address, else the chosen project. */
function Nav() {
  const pid = () => {
    const r = currentRoute();
    return "pid" in r ? r.pid : (activeProjectId() ?? undefined);
  };
  const items = (): { section: Section; label: string; to: string | undefined }[] => [
    { section: "tests", label: "Tests", to: href({ name: "home" }) },
    { section: "registrars", label: "Registrars", to: pid() ? href({ name: "registrars", pid: pid()! }) : undefined },
    { section: "agents", label: "Agents", to: href({ name: "agents" }) },
    { section: "tokens", label: "API tokens", to: href({ name: "tokens" }) },
  ];
  return (
    <nav class="mainnav" aria-label="Main">
      <ul>
        <For each={items()}>
          {(it) => (
            <li>
              <a href={it.to ?? "#/"} aria-current={sectionOf(currentRoute()) === it.section ? "page" : undefined} aria-disabled={it.to ? undefined : "true"}>
                {it.label}
              </a>
            </li>
          )}
        </For>
      </ul>
    </nav>
  );
}

export function App() {
  // Signed in with a token (or a session restored on load): learn who we are, our orgs and projects.
  createEffect(() => {
    if (signedIn() && !me()) void apiGet<Me>("/me").then(setMe, () => undefined);
  });
  return (
    <Show when={signedIn()} fallback={token() === null && session() === "unknown" ? <main class="signin"><Loading label="Checking sign-in…" /></main> : <SignIn />}>
      <header class="topbar">
        <a class="brand" href={href({ name: "home" })} aria-label="Ringfleet home">
          <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
            <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2.5" />
          </svg>
          <span class="brand-name">Ringfleet</span>
        </a>
        <Nav />
        <Switchers />
        <button type="button" class="btn small ghost signout" onClick={() => signOut()} title={me()?.user?.email ? `Signed in as ${me()!.user!.email}` : undefined}>
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
        <Match when={as(currentRoute(), "registrars")} keyed>
          {(r) => <RegistrarsPage pid={r.pid} />}
        </Match>
        <Match when={as(currentRoute(), "newTest")} keyed>
          {(r) => <TestPage pid={r.pid} />}
        </Match>
        <Match when={as(currentRoute(), "test")} keyed>
          {(r) => <TestPage pid={r.pid} tid={r.tid} />}
        </Match>
        <Match when={as(currentRoute(), "compare")} keyed>
          {(r) => <ComparePage pid={r.pid} tid={r.tid} base={r.base} other={r.other} />}
        </Match>
        <Match when={as(currentRoute(), "agents")}>
          <AgentsPage />
        </Match>
        <Match when={as(currentRoute(), "tokens")}>
          <TokensPage />
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
