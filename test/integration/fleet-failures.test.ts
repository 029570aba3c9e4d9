/**
 * What goes wrong in real fleets, with real processes: two agents share a run and one is killed
 * with SIGKILL mid-call — its endpoints end OSERROR once its rejoin window passes, the other
 * agent's endpoints finish, the run completes. And a user stops a run during media, twice: it goes
 * STOPPING → COMPLETED with what was collected kept.
 */
import { describe, expect, it } from "vitest";
import { useOwnStack } from "./own-stack.js";

describe("fleet failures", () => {
  const own = useOwnStack({ vars: { AGENT_REJOIN_SEC: "5" }, setup: async (stack) => void (await stack.startAgent("second-agent")) });
  const api = (method: string, path: string, body?: unknown) => own.api(method, path, body);
  const until = (rid: string, ok: (r: any) => boolean, timeoutMs: number) => own.until(rid, ok, timeoutMs);

  it("an agent killed with SIGKILL mid-run: its endpoints OSERROR, the others finish, the run completes", async () => {
    const { stack } = own;
    const agents = (await api("GET", "/agents")).body.data;
    expect(agents.filter((a: any) => a.status === "ONLINE").map((a: any) => a.name).sort()).toEqual(["local-agent", "second-agent"]);
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 8 })).body.data.testRunId;
    await until(rid, (r) => r.summary?.phaseCounts?.INCALL === 10, 30_000);
    const before = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints?perPage=100`)).body.data;
    const secondId = agents.find((a: any) => a.name === "second-agent").id;
    const onSecond = before.filter((e: any) => e.agentId === secondId).map((e: any) => e.id);
    expect(onSecond.length).toBeGreaterThan(0);
    expect(onSecond.length).toBeLessThan(10); // the allocation spread the run over both agents

    stack.children.get("second-agent")!.kill("SIGKILL");

    const final = await until(rid, (r) => ["COMPLETED", "FAILED"].includes(r.status), 60_000);
    expect(final.status).toBe("COMPLETED");
    const after = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints?perPage=100`)).body.data;
    for (const e of after) {
      expect(e.phase).toBe("CLOSED");
      if (onSecond.includes(e.id)) expect(e.outcome, e.username).toBe("OSERROR");
      // Survivors finished their own script; one whose peer died cannot get its BYE answered, which
      // the endpoint model calls TEARDOWN_ERROR — a finding about the peer, not a lost endpoint.
      else expect(["SUCCESS", "COMPLETED_WITH_WARNINGS", "TEARDOWN_ERROR"], e.username).toContain(e.outcome);
    }
  });

  it("stop during media, twice: STOPPING, then COMPLETED with the data kept", async () => {
    const { stack } = own;
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 60 })).body.data.testRunId;
    // Only local-agent is left: the run goes to it.
    await until(rid, (r) => r.summary?.phaseCounts?.INCALL === 10, 30_000);
    await new Promise((r) => setTimeout(r, 2500)); // a few seconds of media
    const first = await api("POST", `/projects/${stack.projectId}/test-runs/${rid}/stop`, {});
    expect(first.status).toBe(200);
    expect(["STOPPING", "COMPLETED"]).toContain(first.body.data.status);
    const second = await api("POST", `/projects/${stack.projectId}/test-runs/${rid}/stop`, {});
    expect([200, 409]).toContain(second.status); // still STOPPING (accepted again) or already COMPLETED (nothing to stop)
    const final = await until(rid, (r) => r.status === "COMPLETED", 30_000);
    expect(final.summary.outcomeCounts).toEqual({ SUCCESS: 10 });
    const endpoints = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints?perPage=100`)).body.data;
    const caller = endpoints.find((e: any) => e.role === "CALLER");
    expect(caller.timings.call_duration_ms).toBeLessThan(30_000);
    const detail = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}/endpoints/${caller.id}`)).body.data;
    expect(detail.series.length).toBeGreaterThanOrEqual(2);
    expect(detail.trace.some((t: any) => t.text.startsWith("BYE "))).toBe(true);
  });
});
