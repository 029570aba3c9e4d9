/**
 * A restarted edge recovers its runs: mid-run, wrangler dev (workerd with the Durable Objects) is
 * stopped and started again. The run object's state survives on disk; the agent's sockets drop, it
 * reconnects, re-joins with its outbox and resends unacknowledged frames. The run completes with
 * every endpoint SUCCESS and no per-second data lost across the gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack, type Stack } from "../../scripts/stack.js";
import { freeTcpPort, freeUdpPort } from "../support/ports.js";

describe("edge restart during a run", () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ringfleet-restart-"));
    stack = await startStack({ dir, dbPort: await freeTcpPort(), edgePort: await freeTcpPort(), registrarPort: await freeUdpPort(), log: () => {} });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${stack.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    return (await r.json()) as any;
  };
  const run = (rid: string) => api("GET", `/projects/${stack.projectId}/test-runs/${rid}`).then((b) => b.data);

  it("completes the run after the edge comes back, with continuous per-second data", async () => {
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 14 })).data.testRunId;
    for (let i = 0; i < 60 && (await run(rid)).summary?.phaseCounts?.INCALL !== 10; i++) await new Promise((r) => setTimeout(r, 500));
    expect((await run(rid)).summary.phaseCounts.INCALL).toBe(10);

    await stack.restartEdge();

    let final: any;
    for (let i = 0; i < 120; i++) {
      final = await run(rid);
      if (["COMPLETED", "FAILED"].includes(final.status)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(final.status).toBe("COMPLETED");
    expect(final.summary.outcomeCounts).toEqual({ SUCCESS: 10 });
    const endpoints = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints?perPage=100`)).data;
    const caller = endpoints.find((e: any) => e.role === "CALLER");
    const detail = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints/${caller.id}`)).data;
    // Frames buffered while the edge was down were resent: no missing seconds in the call.
    const seconds = detail.series.map((s: any) => s.t);
    const gaps = seconds.slice(1).filter((t: number, i: number) => t - seconds[i] > 2);
    expect(gaps).toEqual([]);
    expect(seconds.length).toBeGreaterThanOrEqual(12);
  });
});
