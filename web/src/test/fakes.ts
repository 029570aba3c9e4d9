/** Test doubles for the browser APIs the dashboard talks to (used by *.test.tsx only). */
import type { TestRun } from "../../../protocol/index.js";

export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  static get last(): FakeWebSocket {
    const s = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!s) throw new Error("no WebSocket was opened");
    return s;
  }
  static reset() {
    FakeWebSocket.instances = [];
  }
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  // ---- driving it from tests
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  receive(msg: unknown) {
    this.onmessage?.(new MessageEvent("message", { data: typeof msg === "string" ? msg : JSON.stringify(msg) }));
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: "", wasClean: false } as CloseEvent);
  }
}

export function testRun(over: Partial<TestRun> = {}): TestRun {
  return {
    id: "r1", projectId: "p1", testId: "t1", testName: "Demo test", status: "RUNNING", reasonCode: null, reason: null, durationSec: 20,
    createdAt: "2026-01-01T10:00:00.000Z", queuedAt: "2026-01-01T10:00:01.000Z", startedAt: "2026-01-01T10:00:02.000Z", endedAt: null, summary: null,
    ...over,
  };
}

export type Route = (method: string, url: string, body: unknown) => { status?: number; body: unknown } | undefined;

/** A fetch that answers from `route` (404 otherwise) and records calls. */
export function fakeFetch(route: Route) {
  const calls: { method: string; url: string; body: unknown; headers: Record<string, string> }[] = [];
  const fn = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? "GET").toUpperCase();
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, url, body, headers: (init.headers ?? {}) as Record<string, string> });
    const r = route(method, url, body);
    if (!r) return new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: `no route ${method} ${url}` } }), { status: 404 });
    return new Response(JSON.stringify(r.body), { status: r.status ?? 200, headers: { "content-type": "application/json" } });
  };
  return { fn, calls };
}

export const ok = (data: unknown) => ({ body: { data, meta: { requestId: "req" } } });
