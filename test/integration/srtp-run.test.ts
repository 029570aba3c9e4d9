/**
 * Media encryption per group, through the whole product: a two-group test with SRTP (SDES keys,
 * RFC 4568) against the built-in registrar. The calls offer RTP/SAVP with a=crypto, the answers
 * accept it, media flows encrypted with no authentication failures, and MOS is as good as plain RTP.
 * The same with DTLS-SRTP (RFC 5764): UDP/TLS/RTP/SAVP with a=fingerprint, a=setup:actpass in the
 * offer and a=setup:active in the answer (RFC 5763 §5), keys from the handshake on the RTP port.
 */
import { describe, expect, inject, it } from "vitest";
import { allEndpoints, call, waitForRun } from "./client.js";

describe("SRTP (SDES) run", () => {
  it("completes encrypted calls with good MOS and no SRTP failures", async () => {
    const pid = inject("stackProjectId");
    const reg = (await call("GET", `/projects/${pid}/registrars`)).body.data.find((r: any) => r.builtin);
    const test = await call("POST", `/projects/${pid}/tests`, {
      name: `SRTP ${Date.now()}`, durationSec: 6,
      groups: [
        { name: "srtp-callers", registrarId: reg.id, endpoints: 2, srtp: "SDES", callee: { type: "GROUP", group: "srtp-receivers" } },
        { name: "srtp-receivers", registrarId: reg.id, endpoints: 2, srtp: "SDES", callee: { type: "RECEIVE" } },
      ],
    });
    expect(test.status, JSON.stringify(test.body)).toBe(201);
    expect(test.body.data.groups.map((g: any) => g.srtp)).toEqual(["SDES", "SDES"]);
    const rid = (await call("POST", `/projects/${pid}/tests/${test.body.data.id}/run`, {})).body.data.testRunId;
    const run = await waitForRun(pid, rid, ["COMPLETED", "FAILED"], 90_000);
    expect(run.status).toBe("COMPLETED");
    const endpoints = await allEndpoints(pid, rid);
    for (const e of endpoints) {
      expect(e, `${e.group} ${e.username}: ${e.statusText}`).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
      expect(e.metrics.mos).toBeGreaterThan(4.0);
    }
    const caller = endpoints.find((e: any) => e.role === "CALLER");
    const detail = (await call("GET", `/projects/${pid}/test-runs/${rid}/endpoints/${caller.id}`)).body.data;
    const invite = detail.trace.find((t: any) => t.dir === "out" && t.text.startsWith("INVITE ")).text;
    expect(invite).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    expect(invite).toMatch(/^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/m);
    const answer = detail.trace.find((t: any) => t.dir === "in" && t.text.startsWith("SIP/2.0 200") && /CSeq: \d+ INVITE/.test(t.text)).text;
    expect(answer).toMatch(/^a=crypto:\d+ [A-Z0-9_]+ inline:/m);
    const media = detail.series.filter((s: any) => s.m.packets_received > 0);
    expect(media.length).toBeGreaterThan(3);
    expect(Math.max(...detail.series.map((s: any) => s.m.srtp_decrypt_failures ?? 0))).toBe(0);
  });

  it("DTLS-SRTP: completes encrypted calls keyed by the handshake, with good MOS and no SRTP failures", async () => {
    const pid = inject("stackProjectId");
    const reg = (await call("GET", `/projects/${pid}/registrars`)).body.data.find((r: any) => r.builtin);
    const test = await call("POST", `/projects/${pid}/tests`, {
      name: `DTLS-SRTP ${Date.now()}`, durationSec: 6,
      groups: [
        { name: "dtls-callers", registrarId: reg.id, endpoints: 2, srtp: "DTLS", callee: { type: "GROUP", group: "dtls-receivers" } },
        { name: "dtls-receivers", registrarId: reg.id, endpoints: 2, srtp: "DTLS", callee: { type: "RECEIVE" } },
      ],
    });
    expect(test.status, JSON.stringify(test.body)).toBe(201);
    expect(test.body.data.groups.map((g: any) => g.srtp)).toEqual(["DTLS", "DTLS"]);
    const rid = (await call("POST", `/projects/${pid}/tests/${test.body.data.id}/run`, {})).body.data.testRunId;
    const run = await waitForRun(pid, rid, ["COMPLETED", "FAILED"], 90_000);
    expect(run.status).toBe("COMPLETED");
    const endpoints = await allEndpoints(pid, rid);
    for (const e of endpoints) {
      expect(e, `${e.group} ${e.username}: ${e.statusText}`).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
      expect(e.metrics.mos).toBeGreaterThan(4.0);
    }
    const fingerprint = /^a=fingerprint:sha-256 (?:[0-9A-F]{2}:){31}[0-9A-F]{2}\r?$/m;
    for (const e of endpoints.filter((x: any) => x.role === "CALLER")) {
      const detail = (await call("GET", `/projects/${pid}/test-runs/${rid}/endpoints/${e.id}`)).body.data;
      const invite = detail.trace.find((t: any) => t.dir === "out" && t.text.startsWith("INVITE ")).text;
      expect(invite).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVP /m);
      expect(invite).toMatch(fingerprint);
      expect(invite).toMatch(/^a=setup:actpass\r?$/m);
      expect(invite).not.toMatch(/^a=crypto/m);
      const answer = detail.trace.find((t: any) => t.dir === "in" && t.text.startsWith("SIP/2.0 200") && /CSeq: \d+ INVITE/.test(t.text)).text;
      expect(answer).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVP /m);
      expect(answer).toMatch(fingerprint);
      expect(answer).toMatch(/^a=setup:active\r?$/m);
      // Each endpoint has a certificate of its own.
      expect(fingerprint.exec(answer)![0]).not.toBe(fingerprint.exec(invite)![0]);
      const media = detail.series.filter((s: any) => s.m.packets_received > 0);
      expect(media.length).toBeGreaterThan(3);
      expect(Math.max(...detail.series.map((s: any) => s.m.srtp_decrypt_failures ?? 0))).toBe(0);
    }
  });
});
