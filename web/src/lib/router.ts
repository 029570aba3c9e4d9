/**
 * A tiny hash router: `#/`, `#/projects/{pid}/runs/{rid}`, `#/projects/{pid}/runs/{rid}/endpoints/{eid}`,
 * `#/projects/{pid}/registrars`, `#/projects/{pid}/tests/new`, `#/projects/{pid}/tests/{tid}`,
 * `#/projects/{pid}/tests/{tid}/compare/{baseRunId}/{otherRunId}`, `#/agents`, `#/tokens`.
 * `parseRoute` and `href` are pure; `currentRoute` is a signal that follows `hashchange`.
 */
import { createRoot, createSignal, type Accessor } from "solid-js";

export type Route =
  | { name: "home" }
  | { name: "run"; pid: string; rid: string }
  | { name: "endpoint"; pid: string; rid: string; eid: string }
  | { name: "registrars"; pid: string }
  | { name: "newTest"; pid: string }
  | { name: "test"; pid: string; tid: string }
  | { name: "compare"; pid: string; tid: string; base: string; other: string }
  | { name: "agents" }
  | { name: "tokens" }
  | { name: "notFound"; path: string };

function segments(hash: string): string[] {
  const path = hash.replace(/^#/, "").split("?")[0] ?? "";
  return path
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export function parseRoute(hash: string): Route {
  const s = segments(hash);
  if (s.length === 0) return { name: "home" };
  if (s.length === 1 && s[0] === "agents") return { name: "agents" };
  if (s.length === 1 && s[0] === "tokens") return { name: "tokens" };
  if (s[0] === "projects" && s[1] && s.length === 3 && s[2] === "registrars") return { name: "registrars", pid: s[1] };
  if (s[0] === "projects" && s[1] && s.length === 7 && s[2] === "tests" && s[3] && s[4] === "compare" && s[5] && s[6])
    return { name: "compare", pid: s[1], tid: s[3], base: s[5], other: s[6] };
  if (s[0] === "projects" && s[1] && s.length === 4 && s[2] === "tests" && s[3])
    return s[3] === "new" ? { name: "newTest", pid: s[1] } : { name: "test", pid: s[1], tid: s[3] };
  if (s[0] === "projects" && s[2] === "runs" && s[1] && s[3]) {
    if (s.length === 4) return { name: "run", pid: s[1], rid: s[3] };
    if (s.length === 6 && s[4] === "endpoints" && s[5]) return { name: "endpoint", pid: s[1], rid: s[3], eid: s[5] };
  }
  return { name: "notFound", path: "/" + s.join("/") };
}

export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.name) {
    case "home":
      return "#/";
    case "run":
      return `#/projects/${e(route.pid)}/runs/${e(route.rid)}`;
    case "endpoint":
      return `#/projects/${e(route.pid)}/runs/${e(route.rid)}/endpoints/${e(route.eid)}`;
    case "registrars":
      return `#/projects/${e(route.pid)}/registrars`;
    case "newTest":
      return `#/projects/${e(route.pid)}/tests/new`;
    case "test":
      return `#/projects/${e(route.pid)}/tests/${e(route.tid)}`;
    case "compare":
      return `#/projects/${e(route.pid)}/tests/${e(route.tid)}/compare/${e(route.base)}/${e(route.other)}`;
    case "agents":
      return "#/agents";
    case "tokens":
      return "#/tokens";
    case "notFound":
      return "#" + route.path;
  }
}

export const runHref = (pid: string, rid: string) => href({ name: "run", pid, rid });
export const testHref = (pid: string, tid: string) => href({ name: "test", pid, tid });
export const compareHref = (pid: string, tid: string, base: string, other: string) => href({ name: "compare", pid, tid, base, other });
export const endpointHref = (pid: string, rid: string, eid: string) => href({ name: "endpoint", pid, rid, eid });

export function navigate(to: string): void {
  if (typeof window === "undefined") return;
  if (window.location.hash === to) return;
  window.location.hash = to;
}

let route: Accessor<Route> | undefined;
/** The current route (one listener for the whole app). */
export function currentRoute(): Route {
  if (!route) {
    route = createRoot(() => {
      const [r, setR] = createSignal<Route>(parseRoute(typeof window === "undefined" ? "" : window.location.hash));
      if (typeof window !== "undefined") window.addEventListener("hashchange", () => setR(parseRoute(window.location.hash)));
      return r;
    });
  }
  return route();
}
