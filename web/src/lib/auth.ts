/**
 * Who is signed in. Two ways:
 *  - a session cookie (email + password, `POST /api/v1/auth/login`): HttpOnly, so the page never
 *    sees it; `checkSession()` asks `GET /api/v1/me` whether there is one;
 *  - an API token pasted in, or taken from `?token=` once (then stripped from the address bar),
 *    kept in localStorage and sent as `Authorization: Bearer`.
 * Also remembers the chosen org and project (localStorage).
 */
import { createSignal } from "solid-js";
import { ORG_HEADER, type Me } from "../../../protocol/index.js";
import { currentRoute } from "./router.js";

export const TOKEN_KEY = "ringfleet.token";
export const ORG_KEY = "ringfleet.org";
export const PROJECT_KEY = "ringfleet.project";

function readStored(key: string): string | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage.getItem(key);
  } catch {
    return null;
  }
}
function store(key: string, v: string | null): void {
  try {
    if (v === null) localStorage.removeItem(key);
    else localStorage.setItem(key, v);
  } catch {
    /* private mode: keep it in memory */
  }
}

export type SessionState = "unknown" | "in" | "out";

const [tokenSig, setTokenSig] = createSignal<string | null>(readStored(TOKEN_KEY));
const [authMessage, setAuthMessage] = createSignal<string | null>(null);
const [session, setSession] = createSignal<SessionState>("unknown");
const [me, setMe] = createSignal<Me | null>(null);
const [orgChoice, setOrgChoice] = createSignal<string | null>(readStored(ORG_KEY));
const [projectChoice, setProjectChoice] = createSignal<string | null>(readStored(PROJECT_KEY));

export const token = tokenSig;
export { authMessage, session, me, setMe };

/** Signed in by a token or by a session cookie. */
export const signedIn = (): boolean => tokenSig() !== null || session() === "in";

export function setToken(t: string): void {
  const v = t.trim();
  store(TOKEN_KEY, v);
  setAuthMessage(null);
  setTokenSig(v);
}

/** The org the dashboard acts in: the remembered choice if the user still belongs to it, else their first. */
export function activeOrgId(): string | null {
  const m = me();
  if (!m) return orgChoice();
  const c = orgChoice();
  return c && m.orgs.some((o) => o.id === c) ? c : (m.orgs[0]?.id ?? null);
}
export function chooseOrg(id: string): void {
  store(ORG_KEY, id);
  setOrgChoice(id);
}

/** The remembered project, if it belongs to the active org; else that org's first project. */
export function activeProjectId(): string | null {
  const m = me();
  const c = projectChoice();
  if (!m) return c;
  const mine = m.projects.filter((p) => p.orgId === activeOrgId());
  return c && mine.some((p) => p.id === c) ? c : (mine[0]?.id ?? null);
}
export function chooseProject(id: string): void {
  store(PROJECT_KEY, id);
  setProjectChoice(id);
}

/** The org a request acts in: the org of the project in the address if known, else the active org. */
export function requestOrgId(): string | null {
  const r = currentRoute();
  const p = "pid" in r ? me()?.projects.find((x) => x.id === r.pid) : undefined;
  return p?.orgId ?? activeOrgId();
}

/** Headers for API calls: the bearer token, or (with the session cookie) the org to act in. */
export function authHeaders(): Record<string, string> {
  const t = tokenSig();
  if (t) return { Authorization: `Bearer ${t}` };
  const org = requestOrgId();
  return org ? { [ORG_HEADER]: org } : {};
}

/** Ask the server whether this browser has a live session (only when no token is stored). */
export async function checkSession(): Promise<void> {
  if (tokenSig()) return;
  try {
    const res = await fetch("/api/v1/me", { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (res.ok) {
      setMe(((await res.json()) as { data: Me }).data);
      setSession("in");
    } else setSession("out");
  } catch {
    setSession("out");
  }
}

export class SignInError extends Error {
  constructor(
    message: string,
    /** The field a validation error is about (`email`, `password`), if any. */
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "SignInError";
  }
}

/** `POST /api/v1/auth/login`; the server sets the session cookie. Throws SignInError with a readable message. */
export async function signInWithPassword(email: string, password: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch("/api/v1/auth/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
  } catch {
    throw new SignInError("Could not reach the server. Check your connection and try again.");
  }
  let json: { data?: Me; error?: { message?: string; details?: { issues?: { path: string; message: string }[] } } } | null = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok || !json?.data) {
    const issue = json?.error?.details?.issues?.[0];
    if (issue) throw new SignInError(`${issue.path === "email" ? "Email" : issue.path === "password" ? "Password" : issue.path} ${issue.message}.`, issue.path);
    if (res.status === 401) throw new SignInError("Email or password is incorrect.");
    throw new SignInError(json?.error?.message ?? `Sign-in failed (HTTP ${res.status}).`);
  }
  setMe(json.data);
  setAuthMessage(null);
  setSession("in");
}

/**
 * Forget the token and end the session. `remote: false` when the server already refused it (a
 * 401), so there is nothing to revoke.
 */
export function signOut(message: string | null = null, opts: { remote?: boolean } = {}): void {
  store(TOKEN_KEY, null);
  if (session() === "in" && opts.remote !== false)
    void fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } }).catch(() => undefined);
  setAuthMessage(message);
  setTokenSig(null);
  setSession("out");
  setMe(null);
}

/**
 * If the URL has `?token=…`, store it and remove it from the address bar (keeping the hash).
 * Returns the token found, if any. Pure enough to test: takes the location and history.
 */
export function captureTokenFromUrl(loc: Location = window.location, hist: History = window.history): string | null {
  const params = new URLSearchParams(loc.search);
  const t = params.get("token");
  if (!t) return null;
  setToken(t);
  params.delete("token");
  const qs = params.toString();
  hist.replaceState(hist.state, "", loc.pathname + (qs ? `?${qs}` : "") + loc.hash);
  return t;
}
