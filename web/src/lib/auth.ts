/** The API token: taken from `?token=` once (then stripped from the address bar), kept in localStorage. */
import { createSignal } from "solid-js";

export const TOKEN_KEY = "ringfleet.token";

function readStored(): string | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

const [tokenSig, setTokenSig] = createSignal<string | null>(readStored());
const [authMessage, setAuthMessage] = createSignal<string | null>(null);

export const token = tokenSig;
export { authMessage };

export function setToken(t: string): void {
  const v = t.trim();
  try {
    localStorage.setItem(TOKEN_KEY, v);
  } catch {
    /* private mode: keep it in memory */
  }
  setAuthMessage(null);
  setTokenSig(v);
}

export function signOut(message: string | null = null): void {
  try {
    localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* ignore */
  }
  setAuthMessage(message);
  setTokenSig(null);
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
