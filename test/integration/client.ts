/** A tiny API client for integration tests: the real HTTP API of the running stack. */
import { inject } from "vitest";

export async function call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${inject("stackUrl")}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${inject("stackToken")}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function waitForRun(projectId: string, runId: string, statuses: string[], timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any = null;
  while (Date.now() < deadline) {
    last = (await call("GET", `/projects/${projectId}/test-runs/${runId}`)).body.data;
    if (statuses.includes(last.status)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`run ${runId} still ${last?.status} after ${timeoutMs} ms (wanted ${statuses.join("/")}): ${JSON.stringify(last)}`);
}

export async function allEndpoints(projectId: string, runId: string): Promise<any[]> {
  return (await call("GET", `/projects/${projectId}/test-runs/${runId}/endpoints?perPage=500`)).body.data;
}
