/**
 * Allocation across a fleet in two regions, with real agents: a group in region "eu" calls a group
 * in region "us" and each runs only on its region's agent; a group pinned to an explicit agent
 * runs there; a region with no ONLINE agent, or more endpoints than the region's free capacity,
 * is refused before anything starts (CANNOT_RUN_FOR_NOW with the reason).
 */
import { describe, expect, it } from "vitest";
import { useOwnStack } from "./own-stack.js";

describe("regions and explicit assignment", () => {
  const own = useOwnStack({
    agent: false,
    setup: async (stack) => {
      await stack.startAgent("eu-1", { region: "eu", capacity: 10 });
      await stack.startAgent("us-1", { region: "us", capacity: 10 });
    },
  });
  const registrarId = async () =>
    (await own.api("GET", `/projects/${own.stack.projectId}/registrars`)).body.data.find((r: any) => r.builtin).id;
  const runTest = async (groups: unknown[]) => {
    const t = await own.api("POST", `/projects/${own.stack.projectId}/tests`, { name: `regions ${Date.now()}`, durationSec: 5, groups });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    return (await own.api("POST", `/projects/${own.stack.projectId}/tests/${t.body.data.id}/run`, {})).body.data.testRunId as string;
  };

  it("runs each group on its region's agent", async () => {
    const reg = await registrarId();
    const agents = (await own.api("GET", "/agents")).body.data;
    const rid = await runTest([
      { name: "eu-callers", registrarId: reg, endpoints: 2, region: "eu", callee: { type: "GROUP", group: "us-receivers" } },
      { name: "us-receivers", registrarId: reg, endpoints: 2, region: "us", callee: { type: "RECEIVE" } },
    ]);
    const run = await own.until(rid, (r) => ["COMPLETED", "FAILED", "CANNOT_RUN_FOR_NOW"].includes(r.status), 60_000);
    expect(run.status).toBe("COMPLETED");
    expect(run.summary.outcomeCounts).toEqual({ SUCCESS: 4 });
    const regionOf = new Map(agents.map((a: any) => [a.id, a.region]));
    const endpoints = (await own.api("GET", `/projects/${own.stack.projectId}/test-runs/${rid}/endpoints`)).body.data;
    for (const e of endpoints) expect(regionOf.get(e.agentId), e.group).toBe(e.group.startsWith("eu") ? "eu" : "us");
  });

  it("runs a group pinned to an explicit agent on that agent", async () => {
    const reg = await registrarId();
    const us = (await own.api("GET", "/agents")).body.data.find((a: any) => a.name === "us-1");
    const rid = await runTest([
      { name: "pinned-callers", registrarId: reg, endpoints: 1, agents: [us.id], callee: { type: "GROUP", group: "pinned-receivers" } },
      { name: "pinned-receivers", registrarId: reg, endpoints: 1, agents: [us.id], callee: { type: "RECEIVE" } },
    ]);
    await own.until(rid, (r) => r.status === "COMPLETED", 60_000);
    const endpoints = (await own.api("GET", `/projects/${own.stack.projectId}/test-runs/${rid}/endpoints`)).body.data;
    expect(endpoints.map((e: any) => e.agentId)).toEqual([us.id, us.id]);
  });

  it("refuses a region without agents and a group larger than the region's free capacity", async () => {
    const reg = await registrarId();
    const noAgents = await runTest([{ name: "ap", registrarId: reg, endpoints: 1, region: "ap", callee: { type: "EXTERNAL", uri: "sip:echo@127.0.0.1" } }]);
    expect(await own.until(noAgents, (r) => r.status !== "PENDING", 15_000)).toMatchObject({
      status: "CANNOT_RUN_FOR_NOW", reasonCode: "NO_ONLINE_AGENT", reason: 'No agent is ONLINE in region "ap" for group "ap".',
    });
    const tooBig = await runTest([{ name: "big", registrarId: reg, endpoints: 11, region: "eu", callee: { type: "EXTERNAL", uri: "sip:echo@127.0.0.1" } }]);
    expect(await own.until(tooBig, (r) => r.status !== "PENDING", 15_000)).toMatchObject({
      status: "CANNOT_RUN_FOR_NOW", reasonCode: "INSUFFICIENT_AGENT_CAPACITY", reason: expect.stringContaining('have 10 free'),
    });
  });
});
