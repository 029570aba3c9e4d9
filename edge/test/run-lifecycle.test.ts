/**
 * The run lifecycle inside workerd, driven over real WebSockets the way an agent does it:
 * admission (no agent → CANNOT_RUN_FOR_NOW), QUEUED → RUNNING on join, phased dispatch (receivers
 * first, callers with resolved targets once receivers registered), acknowledged frames with
 * duplicate suppression, STOPPING → COMPLETED, results in libSQL, and bad socket messages.
 */
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createClient } from "@libsql/client/web";
import { api, apiRaw, TestSocket, waitFor } from "./helpers.js";

const pid = () => inject("projectId");
const agentHello = (agentId: string, name: string) => ({
  v: 1, type: "hello", agentId, name, region: "local", capacity: 100, version: "test",
  host: { hostname: "h", platform: "linux-x64", cpus: 2, memMb: 1024 }, activeRuns: [],
});
const load = { cpu: 0.1, loopLagMs: 1, pps: 0, drops: 0 };

async function startRun(): Promise<string> {
  const r = await api<{ data: { testRunId: string; status: string } }>("POST", `/projects/${pid()}/tests/${inject("demoTestId")}/run`, {});
  expect(r.status).toBe(201);
  expect(r.body.data.status).toBe("PENDING");
  return r.body.data.testRunId;
}
const getRun = (rid: string) => api<{ data: { status: string; reasonCode: string | null; reason: string | null; summary: any } }>("GET", `/projects/${pid()}/test-runs/${rid}`);

describe("run lifecycle", () => {
  it("ends CANNOT_RUN_FOR_NOW with a reason when no agent is ONLINE", async () => {
    const rid = await startRun();
    const run = await waitFor("admission", async () => {
      const r = await getRun(rid);
      return r.body.data.status !== "PENDING" ? r.body.data : null;
    });
    expect(run).toMatchObject({ status: "CANNOT_RUN_FOR_NOW", reasonCode: "NO_ONLINE_AGENT" });
    expect(run.reason).toMatch(/No agent is ONLINE/);
  });

  it("ends CANNOT_RUN_FOR_NOW when the test exceeds the org's plan limits", async () => {
    const db = createClient({ url: inject("dbUrl") });
    await db.execute(`UPDATE orgs SET plan_limits = '{"maxEndpointsPerTest": 4}'`);
    try {
      const rid = await startRun();
      const run = await waitFor("admission", async () => {
        const r = await getRun(rid);
        return r.body.data.status !== "PENDING" ? r.body.data : null;
      });
      expect(run).toMatchObject({ status: "CANNOT_RUN_FOR_NOW", reasonCode: "PLAN_LIMIT_ENDPOINTS", reason: "The test has 10 endpoints; your plan allows 4 per test." });
      // GET /plan shows the same limits (the rest are the self-hosted defaults) and an unmetered balance.
      const plan = await api<{ data: { limits: Record<string, number>; credits: { balance: number | null; reserved: number }; usage: Record<string, number> } }>("GET", "/plan");
      expect(plan.status).toBe(200);
      expect(plan.body.data.limits).toMatchObject({ maxEndpointsPerTest: 4, maxDurationSec: 86_400 });
      expect(plan.body.data.credits).toEqual({ balance: null, reserved: 0 });
      expect(plan.body.data.usage).toEqual({ runningRuns: 0, runningEndpoints: 0 });
    } finally {
      await db.execute(`UPDATE orgs SET plan_limits = NULL`);
    }
  });

  it("rejects bad agent messages naming the field, and keeps the socket", async () => {
    const fleet = await TestSocket.open("/agent/connect", inject("agentToken"));
    fleet.send({ v: 1, type: "hello", agentId: "agt_bad", name: "x", region: "local", capacity: -1, version: "t", host: { hostname: "h", platform: "p", cpus: 1, memMb: 1 } });
    const err = await fleet.nextOf<{ code: string; message: string; path: string }>("error");
    expect(err.path).toBe("capacity");
    fleet.send("not json");
    expect((await fleet.nextOf<{ message: string }>("error")).message).toMatch(/not valid JSON/);
    fleet.close();
  });

  it("shows a draining agent as DRAINING (it gets no new work)", async () => {
    const fleet = await TestSocket.open("/agent/connect", inject("agentToken"));
    fleet.send(agentHello("agt_drain", "draining-agent"));
    await fleet.nextOf("welcome");
    const status = async () => (await api<{ data: { id: string; status: string }[] }>("GET", "/agents")).body.data.find((a) => a.id === "agt_drain")?.status;
    expect(await status()).toBe("ONLINE");
    fleet.send({ v: 1, type: "draining" });
    expect(await waitFor("DRAINING", async () => ((await status()) === "DRAINING" ? "yes" : null))).toBe("yes");
    fleet.close();
    expect(await waitFor("OFFLINE", async () => ((await status()) === "OFFLINE" ? "yes" : null))).toBe("yes");
  });

  it("shows an agent reporting a fault as ERROR with its message, and ONLINE once the fault clears", async () => {
    const fleet = await TestSocket.open("/agent/connect", inject("agentToken"));
    fleet.send({ ...agentHello("agt_fault", "faulty-agent"), region: "fault-region" });
    await fleet.nextOf("welcome");
    const agent = async () => (await api<{ data: { id: string; status: string; fault: { code: string; message: string } | null }[] }>("GET", "/agents")).body.data.find((a) => a.id === "agt_fault");
    const heartbeat = (fault: unknown) => fleet.send({ v: 1, type: "heartbeat", load: { cpu: 0.1, loopLagMs: 1, pps: 0, drops: 0 }, activeEndpoints: 0, fault });
    heartbeat({ code: "SOCKET_LIMIT", message: "cannot open more sockets (EMFILE); raise ulimit -n" });
    const faulty = await waitFor("ERROR", async () => {
      const a = await agent();
      return a?.status === "ERROR" ? a : null;
    });
    expect(faulty.fault).toEqual({ code: "SOCKET_LIMIT", message: "cannot open more sockets (EMFILE); raise ulimit -n" });
    expect((faulty as unknown as { host: unknown }).host).toEqual({ hostname: "h", platform: "linux-x64", cpus: 2, memMb: 1024 });
    // A bad fault is rejected naming the field.
    heartbeat({ code: "ON_FIRE", message: "x" });
    expect(await fleet.nextOf<{ path: string }>("error")).toMatchObject({ path: "fault.code" });
    heartbeat(null);
    expect(await waitFor("ONLINE", async () => ((await agent())?.status === "ONLINE" ? "yes" : null))).toBe("yes");
    expect((await agent())?.fault).toBeNull();
    fleet.close();
  });

  it("runs phased dispatch, acknowledges frames once, and completes after a stop with data kept", async () => {
    const fleet = await TestSocket.open("/agent/connect", inject("agentToken"));
    fleet.send(agentHello("agt_test1", "test-agent"));
    expect((await fleet.nextOf<{ agentId: string }>("welcome")).agentId).toBe("agt_test1");

    const rid = await startRun();
    const assign = await fleet.nextOf<{ runId: string }>("assign");
    expect(assign.runId).toBe(rid);
    expect((await getRun(rid)).body.data.status).toBe("QUEUED");

    const run = await TestSocket.open(`/agent/runs/${rid}`, inject("agentToken"));
    run.send({ v: 1, type: "join", agentId: "agt_test1", runId: rid, lastAckedSeq: 0 });
    expect(await run.nextOf("ack")).toMatchObject({ seq: 0 });
    const first = await run.nextOf<{ endpoints: { id: string; role: string; target: string | null; account: { username: string } }[] }>("dispatch");
    // Phase 1: only the receivers (group B), no targets yet.
    expect(first.endpoints.map((e) => e.role)).toEqual(Array(5).fill("RECEIVER"));
    expect((await getRun(rid)).body.data.status).toBe("RUNNING");

    const t = Date.now();
    const receivers = first.endpoints.map((e) => e.id);
    const frame1 = {
      v: 1, type: "frame", seq: 1, t, agent: load,
      endpoints: receivers.map((id) => ({ id, phase: "REGISTERED", timings: { time_to_register_ms: 12, registration_expires_s: 300 }, trace: [{ t, dir: "out", remote: "udp 127.0.0.1:5999", text: "REGISTER sip:127.0.0.1 SIP/2.0\r\n\r\n" }] })),
    };
    run.send(frame1);
    expect(await run.nextOf("ack")).toMatchObject({ seq: 1 });
    // Phase 2: callers, each with a resolved target at a receiver's address of record.
    const second = await run.nextOf<typeof first>("dispatch");
    expect(second.endpoints.map((e) => e.role)).toEqual(Array(5).fill("CALLER"));
    const receiverUsers = first.endpoints.map((e) => e.account.username);
    for (const c of second.endpoints) expect(receiverUsers.map((u) => `sip:${u}@127.0.0.1`)).toContain(c.target);

    // A resent frame (after a reconnect) is acknowledged but not applied twice.
    run.send(frame1);
    expect(await run.nextOf("ack")).toMatchObject({ seq: 1 });
    const detail = await api<{ data: { trace: unknown[]; timings: Record<string, number> } }>("GET", `/projects/${pid()}/test-runs/${rid}/endpoints/${receivers[0]}`);
    expect(detail.body.data.trace).toHaveLength(1);
    expect(detail.body.data.timings.registration_expires_s).toBe(300);
    // The same trace as a pcap download: classic header, one IPv4/UDP record at the message's time.
    const pcap = await apiRaw(`/projects/${pid()}/test-runs/${rid}/endpoints/${receivers[0]}/trace.pcap`);
    expect(pcap.status).toBe(200);
    expect(pcap.headers.get("content-type")).toBe("application/vnd.tcpdump.pcap");
    expect(pcap.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.pcap"$/);
    const bytes = new Uint8Array(await pcap.arrayBuffer());
    const sipText = "REGISTER sip:127.0.0.1 SIP/2.0\r\n\r\n";
    expect([...bytes.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    expect(bytes.length).toBe(24 + 16 + 20 + 8 + sipText.length);
    const rec = new DataView(bytes.buffer, 24);
    expect(rec.getUint32(0, true) * 1000 + rec.getUint32(4, true) / 1000).toBe(t);
    expect(new TextDecoder().decode(bytes.subarray(24 + 16 + 28))).toBe(sipText);
    const missing = await apiRaw(`/projects/${pid()}/test-runs/${rid}/endpoints/nope/trace.pcap`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");

    const callers = second.endpoints.map((e) => e.id);
    const m = { mos: 4.4, r_factor: 93, jitter_ms: 0.5, rtt_ms: 1, fraction_lost: 0, packets_lost: 0, packets_sent: 50, packets_received: 50, bytes_sent: 8600, bytes_received: 8600 };
    run.send({ v: 1, type: "frame", seq: 2, t: t + 1000, agent: load, endpoints: [...receivers, ...callers].map((id) => ({ id, phase: "INCALL", m })) });
    expect(await run.nextOf("ack")).toMatchObject({ seq: 2 });
    // The endpoint's series is read back from the agent's stored frames: one point per second.
    const withSeries = await api<{ data: { series: { t: number; m: Record<string, number> }[]; metrics: Record<string, number> } }>(
      "GET", `/projects/${pid()}/test-runs/${rid}/endpoints/${callers[0]}`,
    );
    expect(withSeries.body.data.series).toEqual([{ t: Math.floor((t + 1000) / 1000), m }]);
    expect(withSeries.body.data.metrics.mos).toBe(4.4);

    // A viewer gets a snapshot with phase counts.
    const viewer = await TestSocket.open(`/live/runs/${rid}`, inject("apiToken"));
    const snap = await viewer.nextOf<{ run: { status: string; phaseCounts: Record<string, number> }; endpoints: unknown[] }>("snapshot");
    expect(snap.run.phaseCounts.INCALL).toBe(10);
    expect(snap.endpoints).toHaveLength(10);
    // Each live endpoint carries its last MOS, jitter, loss and RTT for the list's sort and colours.
    expect((snap.endpoints as Record<string, unknown>[]).find((e) => e.id === callers[0])).toMatchObject({ mos: 4.4, jitter_ms: 0.5, fraction_lost: 0, rtt_ms: 1 });
    viewer.send({ type: "hello" });
    expect(await viewer.nextOf<{ code: string }>("error")).toMatchObject({ code: "RECEIVE_ONLY" });

    // A running run cannot be deleted.
    const early = await api<{ error: { code: string; message: string } }>("DELETE", `/projects/${pid()}/test-runs/${rid}`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/run is RUNNING; stop it/);

    // Stop: STOPPING until every endpoint is CLOSED, then COMPLETED with the data kept.
    const stopped = await api<{ data: { status: string } }>("POST", `/projects/${pid()}/test-runs/${rid}/stop`, {});
    expect(stopped.body.data.status).toBe("STOPPING");
    await run.nextOf("stop");
    run.send({
      v: 1, type: "frame", seq: 3, t: t + 2000, agent: load,
      endpoints: [...receivers, ...callers].map((id, i) => ({
        id, phase: "CLOSED", outcome: "SUCCESS", statusCode: 200,
        timings: i >= 5 ? { call_setup_time_ms: 40 + i, time_to_trying_ms: 2, call_duration_ms: 1000 } : {},
      })),
    });
    expect(await run.nextOf("ack")).toMatchObject({ seq: 3 });
    const done = await waitFor("completion", async () => {
      const r = await getRun(rid);
      return r.body.data.status === "COMPLETED" ? r.body.data : null;
    });
    expect(done.summary).toMatchObject({ endpoints: 10, outcomeCounts: { SUCCESS: 10 }, mos: 4.4, callSuccessRate: 100, registrationRate: 50 });
    const eps = await api<{ data: { phase: string; outcome: string }[]; meta: { pagination: { total: number } } }>("GET", `/projects/${pid()}/test-runs/${rid}/endpoints?perPage=100`);
    expect(eps.body.meta.pagination.total).toBe(10);
    expect(eps.body.data.every((e) => e.phase === "CLOSED" && e.outcome === "SUCCESS")).toBe(true);
    // A stopped run cannot be stopped again.
    expect((await api("POST", `/projects/${pid()}/test-runs/${rid}/stop`, {})).status).toBe(409);
    // A finished run can be deleted, with its endpoints and series; then it is gone.
    const del = await api<{ data: { deleted: boolean } }>("DELETE", `/projects/${pid()}/test-runs/${rid}`);
    expect(del.status).toBe(200);
    expect(del.body.data.deleted).toBe(true);
    expect((await getRun(rid)).status).toBe(404);
    expect((await api("GET", `/projects/${pid()}/test-runs/${rid}/endpoints/${receivers[0]}`)).status).toBe(404);
    expect((await api("DELETE", `/projects/${pid()}/test-runs/${rid}`)).status).toBe(404);
    viewer.close();
    run.close();
    fleet.close();
  });
});
