/**
 * The agent's connection to the edge is cut for 10 s mid-run (a TCP proxy the test controls).
 * The agent reconnects with bounded back-off, re-joins the run and resends the frames the run
 * object had not acknowledged: the per-second series has no gap and nothing is counted twice.
 */
import { afterAll, describe, expect, it } from "vitest";
import { useOwnStack } from "./own-stack.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

describe("network cut between agent and edge", () => {
  let proxy: TcpProxy;
  const own = useOwnStack({
    agent: false,
    setup: async (stack) => {
      proxy = await startTcpProxy(Number(new URL(stack.url).port));
      await stack.startAgent("proxied-agent", { server: `http://127.0.0.1:${proxy.port}` });
    },
  });
  afterAll(async () => proxy?.close());

  it("resends what was buffered: no gap, no double count", async () => {
    const { stack, until } = own;
    const api = async (method: string, path: string, body?: unknown) => (await own.api(method, path, body)).body;
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 20 })).data.testRunId;
    await until(rid, (r) => r.summary?.phaseCounts?.INCALL === 10, 30_000);
    proxy.cut();
    await new Promise((r) => setTimeout(r, 10_000));
    proxy.restore();

    const run = await until(rid, (r) => ["COMPLETED", "FAILED"].includes(r.status), 60_000);
    expect(run.status).toBe("COMPLETED");
    expect(run.summary.outcomeCounts).toEqual({ SUCCESS: 10 });
    const endpoints = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints?perPage=100`)).data;
    for (const e of endpoints) {
      const d = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints/${e.id}`)).data;
      const seconds: number[] = d.series.map((s: any) => s.t);
      const gaps = seconds.slice(1).filter((t, i) => t - seconds[i]! > 2);
      expect(gaps, e.username).toEqual([]);
      expect(seconds.length).toBeGreaterThanOrEqual(17);
      // No double count: one sample per second, and SIP messages appear once each.
      expect(new Set(seconds).size).toBe(seconds.length);
      const texts = d.trace.map((t: any) => `${t.t} ${t.dir} ${t.text}`);
      expect(new Set(texts).size).toBe(texts.length);
    }
  });
});
