/** REST client for `/api/v1`: bearer token or session cookie, `{data, meta}` unwrapping, `{error}` → ApiError. */
import type { ApiSuccess, FieldIssue } from "../../../protocol/index.js";
import { authHeaders, signOut } from "./auth.js";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const API_BASE = "/api/v1";

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

export async function apiRequest<T>(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<ApiSuccess<T>> {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders() };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(API_BASE + withQuery(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === "AbortError") throw e;
    throw new ApiError("Could not reach the server. Check your connection and try again.", 0, "NETWORK");
  }
  let json: unknown = null;
  const text = await res.text();
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: { issues?: FieldIssue[] } } } | null)?.error;
    const message = err?.message ?? `Request failed (HTTP ${res.status}${res.statusText ? " " + res.statusText : ""}).`;
    const e = new ApiError(message, res.status, err?.code ?? "HTTP_" + res.status, err?.details?.issues ?? []);
    if (res.status === 401) signOut(message, { remote: false });
    throw e;
  }
  if (!json || typeof json !== "object" || !("data" in json)) throw new ApiError("The server sent an unexpected response.", res.status, "BAD_RESPONSE");
  return json as ApiSuccess<T>;
}

export const apiGet = async <T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> =>
  (await apiRequest<T>("GET", path, { query, signal })).data;
export const apiPost = async <T>(path: string, body: unknown = {}): Promise<T> => (await apiRequest<T>("POST", path, { body })).data;
export const apiPut = async <T>(path: string, body: unknown): Promise<T> => (await apiRequest<T>("PUT", path, { body })).data;
export const apiPatch = async <T>(path: string, body: unknown): Promise<T> => (await apiRequest<T>("PATCH", path, { body })).data;
export const apiDelete = async <T>(path: string): Promise<T> => (await apiRequest<T>("DELETE", path)).data;

/** A binary download (e.g. a pcap file) with the same auth and error handling as JSON calls. */
export async function apiBlob(path: string): Promise<Blob> {
  const headers: Record<string, string> = authHeaders();
  let res: Response;
  try {
    res = await fetch(API_BASE + path, { headers });
  } catch {
    throw new ApiError("Could not reach the server. Check your connection and try again.", 0, "NETWORK");
  }
  if (!res.ok) {
    let err: { code?: string; message?: string } | undefined;
    try {
      err = (JSON.parse(await res.text()) as { error?: { code?: string; message?: string } }).error;
    } catch {
      err = undefined;
    }
    const message = err?.message ?? `Download failed (HTTP ${res.status}).`;
    if (res.status === 401) signOut(message, { remote: false });
    throw new ApiError(message, res.status, err?.code ?? "HTTP_" + res.status);
  }
  return res.blob();
}

/** `/projects/{pid}` with escaping. */
export const projectPath = (pid: string) => `/projects/${encodeURIComponent(pid)}`;

/** A readable sentence for any error, with field issues appended. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    const issues = e.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    return issues ? `${e.message} (${issues})` : e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}
