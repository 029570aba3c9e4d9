/**
 * CPU profile of the Worker isolate (where the Durable Objects run) during a benchmark, through
 * wrangler dev's inspector (`--inspector-port`, Chrome DevTools Protocol). Used by fleet-scale.ts
 * when FLEET_INSPECTOR_PORT is set: start() before the load, stop() writes a .cpuprofile.
 */
import WebSocket from "ws";
import { writeFileSync } from "node:fs";

export interface EdgeProfiler {
  stop(path: string): Promise<void>;
}

export async function startEdgeProfile(port: number): Promise<EdgeProfiler> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string }[];
  const target = targets.find((t) => !/inspector|devtools/i.test(t.title ?? "")) ?? targets[0];
  if (!target) throw new Error(`no inspector target on port ${port}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
  let id = 0;
  const pending = new Map<number, (v: any) => void>();
  ws.on("message", (d) => {
    const m = JSON.parse(d.toString());
    if (m.id !== undefined) pending.get(m.id)?.(m.result ?? m.error);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<any>((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  return {
    async stop(path) {
      const r = await call("Profiler.stop");
      writeFileSync(path, JSON.stringify(r.profile));
      ws.close();
    },
  };
}
