/**
 * Against a real SIP server: Kamailio from Debian's packages with the project's fixture (digest
 * auth, usrloc, Record-Route) on 127.0.0.1/UDP. A two-group call test through the whole stack
 * (API → run object → agent → Kamailio) succeeds with MOS > 4.0; a group with wrong passwords ends
 * REGISTRATION_FAILED with status 403, and its trace shows the exchange.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { existsSync } from "node:fs";
import { allEndpoints, call, waitForRun } from "./client.js";
import { startKamailio } from "../support/kamailio.js";
import { freeTcpPort, freeUdpPort } from "../support/ports.js";

const hasKamailio = existsSync("/usr/sbin/kamailio");
const users = ["3001", "3002", "3003", "3004", "3005", "3006", "3101", "3102", "3103", "3104", "3105"];
const password = (u: string) => `kam-${u}-secret`;

describe.skipIf(!hasKamailio)("a run against Kamailio", () => {
  let kamailio: Awaited<ReturnType<typeof startKamailio>>;
  beforeAll(async () => {
    kamailio = await startKamailio({ port: await freeUdpPort(), tlsPort: await freeTcpPort(), accounts: users.map((u) => ({ username: u, password: password(u) })) });
  });
  afterAll(async () => kamailio?.stop());

  it("calls succeed with good MOS; wrong passwords end REGISTRATION_FAILED 403 with the trace", async () => {
    const pid = inject("stackProjectId");
    const good = (await call("POST", `/projects/${pid}/registrars`, { name: "Kamailio", domain: "127.0.0.1", port: kamailio.port, transport: "UDP" })).body.data;
    const bad = (await call("POST", `/projects/${pid}/registrars`, { name: "Kamailio (wrong passwords)", domain: "127.0.0.1", port: kamailio.port, transport: "UDP" })).body.data;
    expect((await call("POST", `/projects/${pid}/registrars/${good.id}/accounts`, { accounts: users.slice(0, 4).map((u) => ({ username: u, password: password(u) })) })).status).toBe(201);
    expect((await call("POST", `/projects/${pid}/registrars/${bad.id}/accounts`, { accounts: users.slice(4).map((u) => ({ username: u, password: "wrong" })) })).status).toBe(201);
    const test = await call("POST", `/projects/${pid}/tests`, {
      name: "Kamailio two groups", durationSec: 6,
      groups: [
        { name: "callers", registrarId: good.id, endpoints: 2, codec: "PCMU", callee: { type: "GROUP", group: "answerers" } },
        { name: "answerers", registrarId: good.id, endpoints: 2, codec: "PCMU", callee: { type: "RECEIVE" } },
        { name: "bad-auth", registrarId: bad.id, endpoints: 2, codec: "PCMA", callee: { type: "RECEIVE" } },
      ],
    });
    expect(test.status).toBe(201);
    const started = await call("POST", `/projects/${pid}/tests/${test.body.data.id}/run`, {});
    const runId = started.body.data.testRunId;
    const run = await waitForRun(pid, runId, ["COMPLETED", "FAILED"], 90_000);
    expect(run.status).toBe("COMPLETED");

    const endpoints = await allEndpoints(pid, runId);
    const byGroup = (g: string) => endpoints.filter((e) => e.group === g);
    for (const e of [...byGroup("callers"), ...byGroup("answerers")]) {
      expect(e, e.username).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
      expect(e.metrics.mos).toBeGreaterThan(4.0);
    }
    for (const e of byGroup("bad-auth")) {
      expect(e).toMatchObject({ phase: "CLOSED", outcome: "REGISTRATION_FAILED", statusCode: 403 });
      const detail = (await call("GET", `/projects/${pid}/test-runs/${runId}/endpoints/${e.id}`)).body.data;
      const lines = detail.trace.map((t: any) => `${t.dir} ${t.text.split("\r\n")[0]}`);
      expect(lines.some((l: string) => l.startsWith("out REGISTER sip:127.0.0.1"))).toBe(true);
      expect(lines.some((l: string) => l.startsWith("in SIP/2.0 401"))).toBe(true);
      expect(lines.some((l: string) => l.startsWith("in SIP/2.0 403"))).toBe(true);
    }
  });

  it("over TLS with the registrar's TLS settings: custom CA + client certificate succeed; system CAs reject the self-signed server (REGISTRATION_FAILED naming the certificate)", async () => {
    const pid = inject("stackProjectId");
    const cert = kamailio.cert!;
    const tlsOk = await call("POST", `/projects/${pid}/registrars`, {
      name: "Kamailio TLS (custom CA)", domain: "127.0.0.1", port: kamailio.tlsPort, transport: "TLS",
      tls: { verify: "custom", ca: cert.cert, clientCert: cert.cert, clientKey: cert.key },
    });
    expect(tlsOk.status, JSON.stringify(tlsOk.body)).toBe(201);
    // The API shows the settings but never the key.
    expect(tlsOk.body.data.tls).toEqual({ verify: "custom", ca: cert.cert, clientCert: cert.cert, hasClientKey: true, serverName: null });
    expect(JSON.stringify(tlsOk.body)).not.toContain("PRIVATE KEY");
    const tlsSystem = (await call("POST", `/projects/${pid}/registrars`, { name: "Kamailio TLS (system CAs)", domain: "127.0.0.1", port: kamailio.tlsPort, transport: "TLS" })).body.data;
    // TLS settings on a UDP registrar, and a custom CA missing, are refused naming the field.
    const udpWithTls = await call("POST", `/projects/${pid}/registrars`, { name: "x", domain: "127.0.0.1", transport: "UDP", tls: { verify: "skip" } });
    expect(udpWithTls.status).toBe(400);
    expect(udpWithTls.body.error.details.issues[0].path).toBe("tls");
    const noCa = await call("POST", `/projects/${pid}/registrars`, { name: "x", domain: "127.0.0.1", transport: "TLS", tls: { verify: "custom" } });
    expect(noCa.body.error.details.issues[0]).toMatchObject({ path: "tls.ca" });

    const tlsUsers = users.slice(6);
    expect((await call("POST", `/projects/${pid}/registrars/${tlsOk.body.data.id}/accounts`, { accounts: tlsUsers.slice(0, 4).map((u) => ({ username: u, password: password(u) })) })).status).toBe(201);
    expect((await call("POST", `/projects/${pid}/registrars/${tlsSystem.id}/accounts`, { accounts: tlsUsers.slice(4).map((u) => ({ username: u, password: password(u) })) })).status).toBe(201);
    const test = await call("POST", `/projects/${pid}/tests`, {
      name: "Kamailio over TLS", durationSec: 5,
      groups: [
        { name: "tls-callers", registrarId: tlsOk.body.data.id, endpoints: 2, codec: "PCMU", callee: { type: "GROUP", group: "tls-answerers" } },
        { name: "tls-answerers", registrarId: tlsOk.body.data.id, endpoints: 2, codec: "PCMU", callee: { type: "RECEIVE" } },
        { name: "untrusted", registrarId: tlsSystem.id, endpoints: 1, codec: "PCMU", callee: { type: "RECEIVE" } },
      ],
    });
    expect(test.status, JSON.stringify(test.body)).toBe(201);
    const runId = (await call("POST", `/projects/${pid}/tests/${test.body.data.id}/run`, {})).body.data.testRunId;
    expect((await waitForRun(pid, runId, ["COMPLETED", "FAILED"], 120_000)).status).toBe("COMPLETED");
    const endpoints = await allEndpoints(pid, runId);
    for (const e of endpoints.filter((x) => x.group.startsWith("tls-"))) {
      expect(e, `${e.group} ${e.username}: ${e.statusText}`).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
      expect(e.metrics.mos).toBeGreaterThan(4.0);
      const detail = (await call("GET", `/projects/${pid}/test-runs/${runId}/endpoints/${e.id}`)).body.data;
      expect(detail.trace.find((t: any) => t.dir === "out" && t.text.startsWith("REGISTER ")).text).toMatch(/^Via: SIP\/2\.0\/TLS /m);
    }
    const untrusted = endpoints.find((x) => x.group === "untrusted")!;
    expect(untrusted).toMatchObject({ phase: "CLOSED", outcome: "REGISTRATION_FAILED" });
    expect(untrusted.statusText).toMatch(/certificate/i);
  });
});
