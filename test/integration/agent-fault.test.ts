/**
 * An agent that cannot open sockets (a low open-files limit, the classic `ulimit -n 1024` trap of
 * load generators) reports it: its endpoints end OSERROR naming EMFILE, the agent shows ERROR
 * with a message saying what to do, and it gets no new work while the fault holds.
 */
import { describe, expect, it } from "vitest";
import { useOwnStack } from "./own-stack.js";

describe("agent fault → ERROR status", () => {
  const own = useOwnStack({
    agent: false,
    // 24 descriptors: the agent itself needs about a dozen, so a 20-endpoint run runs out.
    setup: (stack) => stack.startAgent("tight", { region: "tight", capacity: 50, wrap: ["prlimit", "--nofile=24:24", "--"] }).then(() => undefined),
  });
  /** One group waiting for inbound calls: no caller, so the run lasts until it is stopped. */
  const runTest = async (name: string, endpoints: number) => {
    const reg = (await own.api("GET", `/projects/${own.stack.projectId}/registrars`)).body.data.find((r: any) => r.builtin).id;
    const t = await own.api("POST", `/projects/${own.stack.projectId}/tests`, {
      name, durationSec: 30, groups: [{ name: "waiters", registrarId: reg, endpoints, region: "tight", callee: { type: "RECEIVE" } }],
    });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    return (await own.api("POST", `/projects/${own.stack.projectId}/tests/${t.body.data.id}/run`, {})).body.data.testRunId as string;
  };

  it("ends endpoints without sockets OSERROR, shows the agent ERROR with the fix, and refuses new runs on it", async () => {
    const rid = await runTest("too many sockets", 20);
    // The fault goes out with the next heartbeat (every 5 s) after the first failed socket.
    const agent = await (async () => {
      for (let i = 0; i < 60; i++) {
        const a = (await own.api("GET", "/agents")).body.data.find((x: any) => x.name === "tight");
        if (a?.status === "ERROR") return a;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error("agent never became ERROR");
    })();
    expect(agent.fault.code).toBe("SOCKET_LIMIT");
    expect(agent.fault.message).toMatch(/EMFILE.*ulimit -n/);

    const refused = await runTest("while faulty", 1);
    expect(await own.until(refused, (r) => r.status !== "PENDING", 15_000)).toMatchObject({ status: "CANNOT_RUN_FOR_NOW", reasonCode: "NO_ONLINE_AGENT" });

    expect((await own.api("POST", `/projects/${own.stack.projectId}/test-runs/${rid}/stop`, {})).status).toBe(200);
    const run = await own.until(rid, (r) => r.status === "COMPLETED", 60_000);
    const endpoints = (await own.api("GET", `/projects/${own.stack.projectId}/test-runs/${rid}/endpoints?perPage=100`)).body.data;
    const oserrors = endpoints.filter((e: any) => e.outcome === "OSERROR");
    expect(oserrors.length, JSON.stringify(run.summary)).toBeGreaterThan(0);
    expect(oserrors.length, JSON.stringify(run.summary)).toBeLessThan(20);
    for (const e of oserrors) expect(e.statusText).toMatch(/cannot open (SIP|RTP) socket/);
    expect(oserrors.some((e: any) => /EMFILE/.test(e.statusText))).toBe(true);
  });
});
