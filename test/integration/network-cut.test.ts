/**
 * The agent's connection to the edge is cut for 10 s mid-run (a TCP proxy the test controls).
 * The agent reconnects with bounded back-off, re-joins the run and resends the frames the run
 * object had not acknowledged: the per-second series has no gap and nothing is counted twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack, type Stack } from "../../scripts/stack.js";
import { freeTcpPort, freeUdpPort } from "../support/ports.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

describe("network cut between agent and edge", () => {
  let stack: Stack;
  let proxy: TcpProxy;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ringfleet-cut-"));
    const edgePort = await freeTcpPort();
    stack = await startStack({ dir, dbPort: await freeTcpPort(), edgePort, registrarPort: await freeUdpPort(), agent: false, log: () => {} });
    proxy = await startTcpProxy(edgePort);
    await stack.startAgent("proxied-agent", { server: `http://127.0.0.1:${proxy.port}` });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${stack.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    return (await r.json()) as any;
  };

  it("resends what was buffered: no gap, no double count", async () => {
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 20 })).data.testRunId;
    for (let i = 0; i < 60; i++) {
      if ((await api("GET", `/projects/${stack.projectId}/test-runs/${rid}`)).data.summary?.phaseCounts?.INCALL === 10) break;
      await new Promise((r) => setTimeout(r, 400));
    }
    proxy.cut();
    await new Promise((r) => setTimeout(r, 10_000));
    proxy.restore();

    let run: any;
    for (let i = 0; i < 120; i++) {
      run = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}`)).data;
      if (["COMPLETED", "FAILED"].includes(run.status)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
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
