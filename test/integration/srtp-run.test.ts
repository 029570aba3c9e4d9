/**
 * Media encryption per group, through the whole product: a two-group test with SRTP (SDES keys,
 * RFC 4568) against the built-in registrar. The calls offer RTP/SAVP with a=crypto, the answers
 * accept it, media flows encrypted with no authentication failures, and MOS is as good as plain RTP.
 * The same with DTLS-SRTP (RFC 5764): UDP/TLS/RTP/SAVP with a=fingerprint, a=setup:actpass in the
 * offer and a=setup:active in the answer (RFC 5763 §5), keys from the handshake on the RTP port.
 */
import { describe, expect, inject, it } from "vitest";
import { allEndpoints, call, waitForRun } from "./client.js";

/** Runs a two-group test (2 callers → 2 receivers) with `srtp` on both groups; every endpoint must succeed with MOS > 4. */
async function runEncrypted(srtp: "SDES" | "DTLS") {
  const pid = inject("stackProjectId");
  const reg = (await call("GET", `/projects/${pid}/registrars`)).body.data.find((r: any) => r.builtin);
  const name = srtp.toLowerCase();
  const test = await call("POST", `/projects/${pid}/tests`, {
    name: `${srtp} ${Date.now()}`, durationSec: 6,
    groups: [
      { name: `${name}-callers`, registrarId: reg.id, endpoints: 2, srtp, callee: { type: "GROUP", group: `${name}-receivers` } },
      { name: `${name}-receivers`, registrarId: reg.id, endpoints: 2, srtp, callee: { type: "RECEIVE" } },
    ],
  });
  expect(test.status, JSON.stringify(test.body)).toBe(201);
  expect(test.body.data.groups.map((g: any) => g.srtp)).toEqual([srtp, srtp]);
  const rid = (await call("POST", `/projects/${pid}/tests/${test.body.data.id}/run`, {})).body.data.testRunId;
  const run = await waitForRun(pid, rid, ["COMPLETED", "FAILED"], 90_000);
  expect(run.status).toBe("COMPLETED");
  const endpoints = await allEndpoints(pid, rid);
  for (const e of endpoints) {
    expect(e, `${e.group} ${e.username}: ${e.statusText}`).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
    expect(e.metrics.mos).toBeGreaterThan(4.0);
  }
  return { pid, rid, endpoints };
}

describe("SRTP (SDES) run", () => {
  it("completes encrypted calls with good MOS and no SRTP failures", async () => {
    const { pid, rid, endpoints } = await runEncrypted("SDES");
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
    const { pid, rid, endpoints } = await runEncrypted("DTLS");
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
