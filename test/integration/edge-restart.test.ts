/**
 * A restarted edge recovers its runs: mid-run, wrangler dev (workerd with the Durable Objects) is
 * stopped and started again. The run object's state survives on disk; the agent's sockets drop, it
 * reconnects, re-joins with its outbox and resends unacknowledged frames. The run completes with
 * every endpoint SUCCESS and no per-second data lost across the gap.
 */
import { describe, expect, it } from "vitest";
import { useOwnStack } from "./own-stack.js";

describe("edge restart during a run", () => {
  const own = useOwnStack();

  it("completes the run after the edge comes back, with continuous per-second data", async () => {
    const { stack, api, until } = own;
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 14 })).body.data.testRunId;
    await until(rid, (r) => r.summary?.phaseCounts?.INCALL === 10, 30_000);

    await stack.restartEdge();

    const final = await until(rid, (r) => ["COMPLETED", "FAILED"].includes(r.status), 60_000);
    expect(final.status).toBe("COMPLETED");
    expect(final.summary.outcomeCounts).toEqual({ SUCCESS: 10 });
    const endpoints = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints?perPage=100`)).body.data;
    const caller = endpoints.find((e: any) => e.role === "CALLER");
    const detail = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints/${caller.id}`)).body.data;
    // Frames buffered while the edge was down were resent: no missing seconds in the call.
    const seconds = detail.series.map((s: any) => s.t);
    const gaps = seconds.slice(1).filter((t: number, i: number) => t - seconds[i] > 2);
    expect(gaps).toEqual([]);
    expect(seconds.length).toBeGreaterThanOrEqual(12);
  });
});
