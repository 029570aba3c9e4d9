import { SELF } from "cloudflare:test";
import { inject } from "vitest";

export const BASE = "http://ringfleet.test";

export async function api<T = unknown>(method: string, path: string, body?: unknown, token = inject("apiToken")): Promise<{ status: number; body: T }> {
  const res = await SELF.fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** A GET that returns the raw Response (for non-JSON bodies such as pcap files). */
export function apiRaw(path: string, token = inject("apiToken")): Promise<Response> {
  return SELF.fetch(`${BASE}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
}

/** A WebSocket client inside workerd, with a queue of received messages to await on. */
export class TestSocket {
  private queue: unknown[] = [];
  private waiters: ((m: unknown) => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.accept();
    ws.addEventListener("message", (e) => {
      const m = JSON.parse(e.data as string);
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
  }
  static async open(path: string, token: string): Promise<TestSocket> {
    const res = await SELF.fetch(`${BASE}${path}`, { headers: { upgrade: "websocket", authorization: `Bearer ${token}` } });
    if (!res.webSocket) throw new Error(`no websocket: ${res.status} ${await res.text()}`);
    return new TestSocket(res.webSocket);
  }
  send(m: unknown) {
    this.ws.send(typeof m === "string" ? m : JSON.stringify(m));
  }
  next<T = any>(timeoutMs = 10_000): Promise<T> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q as T);
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("timed out waiting for a message")), timeoutMs);
      this.waiters.push((m) => (clearTimeout(t), resolve(m as T)));
    });
  }
  /** Next message of a type, skipping others (e.g. ticks). */
  async nextOf<T = any>(type: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = (await this.next(Math.max(1, deadline - Date.now()))) as { type: string };
      if (m.type === type) return m as T;
    }
  }
  close() {
    this.ws.close(1000, "test done");
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
