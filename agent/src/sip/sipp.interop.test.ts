/**
 * Interop with SIPp (UDP; this SIPp build has no TLS) using its built-in scenarios and ours
 * (bench/sipp/*.xml):
 *  (a) SIPp as UAS answers N calls our UA places directly at its host:port (no registrar):
 *      we see 200 → ACK → BYE 200 for each; SIPp counts N successful, 0 failed, 0 unexpected.
 *  (b) SIPp as UAC places N calls to our UA's UAS side on a known port; we answer with a static
 *      SDP; SIPp counts N successful, 0 failed, 0 unexpected.
 *  (c) SIPp as UAS sending a reliable 180 (Require: 100rel) that needs our PRACK (uas-100rel.xml).
 *  (d) SIPp as UAS answering with Session-Expires: 2;refresher=uac (uas-session-timer.xml): we
 *      refresh with UPDATE, or with re-INVITE when configured so, every second until we hang up.
 *  (e) SIPp as UAC offering 100rel (uac-100rel.xml) calls our UAS: our 180 is reliable, SIPp PRACKs it.
 *  (g) SIPp as UAS sending INFO and UPDATE inside the early dialog of its 180 (uas-early-requests.xml):
 *      both answered 200 by the call (not 481), then 200 → ACK → BYE.
 *  (f) SIPp as UAC with a late offer (uac-late-offer.xml: INVITE without SDP): our 200 offers, the
 *      ACK's SDP reaches us as the answer (IncomingCall.acked()).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { hasSipp, startSipp, type SippHandle, type SippStats } from "../../../test/support/sipp.js";
import { freeUdpPort } from "../../../test/support/ports.js";
import { createUserAgent, type TraceEvent, type UserAgent } from "./index.js";

const N = 20;
const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bench", "sipp");
const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

const firstLine = (e: TraceEvent) => e.text.slice(0, e.text.indexOf("\r\n"));
const callIdOf = (e: TraceEvent) => /^Call-ID:\s*(\S+)/im.exec(e.text)?.[1] ?? "";
const expectClean = (s: SippStats, calls: number) => {
  const summary = { exitCode: s.exitCode, successful: s.successful, failed: s.failed, failedUnexpected: s.failedUnexpected, unexpectedMessages: s.unexpectedMessages, outOfCall: s.outOfCallMessages, dead: s.deadCallMessages };
  expect(summary, s.errors || s.screen.slice(-3000)).toEqual({ exitCode: 0, successful: calls, failed: 0, failedUnexpected: 0, unexpectedMessages: 0, outOfCall: 0, dead: 0 });
};

describe.skipIf(!hasSipp())("SIPp interop (UDP)", () => {
  let sipp: SippHandle | null = null;
  let ua: UserAgent | null = null;
  afterEach(async () => {
    await ua?.close();
    ua = null;
    await sipp?.stop();
    sipp = null;
  });

  it(`SIPp UAS answers ${N} calls placed directly at its host:port: 200 → ACK → BYE 200 each, SIPp 0 failed / 0 unexpected`, async () => {
    const port = await freeUdpPort();
    sipp = await startSipp({ scenario: "uas", localPort: port, calls: N, timeoutSec: 60 });
    const trace: TraceEvent[] = [];
    ua = await createUserAgent({
      // No registrar: the server address is never used, every INVITE goes to its Request-URI.
      server: { host: "127.0.0.1", port, transport: "UDP" },
      domain: "127.0.0.1",
      account: { username: "ringfleet", password: "unused" },
      onTrace: (e) => trace.push(e),
    });
    const target = `sip:service@127.0.0.1:${port}`;
    const one = async () => {
      const call = ua!.invite(target, SDP, { direct: true });
      const final = await call.final;
      expect(final).toMatchObject({ ok: true, statusCode: 200 });
      const bye = await call.bye();
      expect(bye).toEqual({ ok: true, statusCode: 200 });
      return call.callId;
    };
    const ids: string[] = [];
    for (let i = 0; i < N; i += 5) ids.push(...(await Promise.all([one(), one(), one(), one(), one()])));
    expect(new Set(ids).size).toBe(N);

    for (const id of ids) {
      const mine = trace.filter((e) => callIdOf(e) === id).map((e) => `${e.dir} ${firstLine(e).split(" ").slice(0, 2).join(" ")}`);
      const out = mine.filter((l) => l.startsWith("out"));
      expect(out, id).toEqual(["out INVITE sip:service@127.0.0.1:" + port, expect.stringMatching(/^out ACK sip:/), expect.stringMatching(/^out BYE sip:/)]);
      expect(mine.filter((l) => l === "in SIP/2.0 200"), id).toHaveLength(2); // 200 to INVITE, 200 to BYE
      const order = mine.indexOf("in SIP/2.0 200") < mine.findIndex((l) => l.startsWith("out ACK"));
      expect(order, id).toBe(true);
    }
    expectClean(await sipp.done, N);
  }, 90_000);

  it(`SIPp UAC places ${N} calls to our UA's UAS side on a known port; SIPp 0 failed / 0 unexpected`, async () => {
    const port = await freeUdpPort();
    const sippPort = await freeUdpPort();
    ua = await createUserAgent({
      localPort: port,
      server: { host: "127.0.0.1", port: sippPort, transport: "UDP" },
      domain: "127.0.0.1",
      account: { username: "service", password: "unused" },
    });
    expect(ua.localPort).toBe(port);
    const ended: string[] = [];
    let answered = 0;
    const allEnded = new Promise<void>((resolve) => {
      ua!.onIncomingCall((call) => {
        expect(call.remoteSdp).toContain("m=audio");
        call.onEnded((e) => {
          ended.push(e.by);
          if (ended.length === N) resolve();
        });
        call.ringing();
        call.answer(SDP);
        answered++;
      });
    });
    sipp = await startSipp({ scenario: "uac", localPort: sippPort, remote: `127.0.0.1:${port}`, calls: N, rate: 20, maxConcurrent: 10, timeoutSec: 60 });
    const stats = await sipp.done;
    await allEnded;
    expect(answered).toBe(N);
    expect(ended).toEqual(Array(N).fill("remote")); // SIPp hangs up every call with BYE
    expectClean(stats, N);
    expect(ua.stats.malformed).toBe(0);
  }, 90_000);

  it("the statistics are read, not assumed: calls we reject with 486 are failed, unexpected calls in SIPp's counts", async () => {
    const port = await freeUdpPort();
    const sippPort = await freeUdpPort();
    ua = await createUserAgent({ localPort: port, server: { host: "127.0.0.1", port: sippPort, transport: "UDP" }, domain: "127.0.0.1", account: { username: "service", password: "unused" } });
    ua.onIncomingCall((call) => call.reject(486));
    sipp = await startSipp({ scenario: "uac", localPort: sippPort, remote: `127.0.0.1:${port}`, calls: 3, rate: 20, timeoutSec: 30 });
    const s = await sipp.done;
    expect(s.exitCode).toBe(1);
    expect(s.successful).toBe(0);
    expect(s.failed).toBe(3);
    expect(s.failedUnexpected).toBe(3);
    expect(s.unexpectedMessages).toBe(3);
  }, 60_000);

  it("SIPp UAS with a reliable 180 (Require: 100rel): we PRACK with the right RAck, then 200 → ACK → BYE; SIPp 0 failed / 0 unexpected", async () => {
    const calls = 10;
    const port = await freeUdpPort();
    sipp = await startSipp({ scenario: "uas", scenarioFile: join(SCENARIOS, "uas-100rel.xml"), localPort: port, calls, timeoutSec: 60 });
    const trace: TraceEvent[] = [];
    ua = await createUserAgent({
      server: { host: "127.0.0.1", port, transport: "UDP" },
      domain: "127.0.0.1",
      account: { username: "ringfleet", password: "unused" },
      onTrace: (e) => trace.push(e),
    });
    const one = async () => {
      const codes: number[] = [];
      const call = ua!.invite(`sip:service@127.0.0.1:${port}`, SDP, { direct: true, onProvisional: (c) => codes.push(c) });
      expect(await call.final).toMatchObject({ ok: true, statusCode: 200 });
      expect(codes).toEqual([180]);
      expect(await call.bye()).toEqual({ ok: true, statusCode: 200 });
      return call.callId;
    };
    const ids: string[] = [];
    for (let i = 0; i < calls; i += 5) ids.push(...(await Promise.all([one(), one(), one(), one(), one()])));
    for (const id of ids) {
      const mine = trace.filter((e) => callIdOf(e) === id && e.dir === "out");
      expect(mine.map((e) => firstLine(e).split(" ")[0]), id).toEqual(["INVITE", "PRACK", "ACK", "BYE"]);
      const inviteSeq = /^CSeq:\s*(\d+)/im.exec(mine[0].text)?.[1];
      expect(/^RAck:\s*(.*)$/im.exec(mine[1].text)?.[1].trim(), id).toBe(`1 ${inviteSeq} INVITE`);
    }
    expectClean(await sipp.done, calls);
  }, 90_000);

  it.each(["UPDATE", "INVITE"] as const)("SIPp UAS with Session-Expires: 2;refresher=uac: we refresh by %s every second, SIPp 0 failed / 0 unexpected", async (method) => {
    const calls = 3;
    const port = await freeUdpPort();
    sipp = await startSipp({ scenario: "uas", scenarioFile: join(SCENARIOS, "uas-session-timer.xml"), localPort: port, calls, timeoutSec: 60 });
    const trace: TraceEvent[] = [];
    ua = await createUserAgent({
      server: { host: "127.0.0.1", port, transport: "UDP" },
      domain: "127.0.0.1",
      account: { username: "ringfleet", password: "unused" },
      // We ask for no timer ourselves: the callee imposes one (and makes us the refresher).
      sessionTimer: method === "INVITE" ? { method: "INVITE", expires: 1800 } : undefined,
      onTrace: (e) => trace.push(e),
    });
    const one = async () => {
      const call = ua!.invite(`sip:service@127.0.0.1:${port}`, SDP, { direct: true, sessionTimer: false });
      const refreshes: { method: string; ok: boolean; at: number }[] = [];
      call.onSessionRefresh((e) => refreshes.push({ method: e.method, ok: e.ok, at: Date.now() }));
      expect(await call.final).toMatchObject({ ok: true, statusCode: 200 });
      const answered = Date.now();
      expect(call.sessionTimer).toEqual({ intervalSec: 2, refresher: "local", refreshes: 0 });
      // Two refreshes (at ~1 s and ~2 s), then hang up before the third.
      await new Promise((r) => setTimeout(r, 2400));
      expect(await call.bye()).toEqual({ ok: true, statusCode: 200 });
      expect(refreshes.map((r) => `${r.method} ${r.ok}`)).toEqual([`${method} true`, `${method} true`]);
      return { id: call.callId, firstAfterMs: refreshes[0].at - answered };
    };
    const results = await Promise.all(Array.from({ length: calls }, one));
    for (const { id, firstAfterMs } of results) {
      expect(firstAfterMs).toBeGreaterThanOrEqual(950); // half of Session-Expires 2 s (RFC 4028 §10)
      expect(firstAfterMs).toBeLessThan(1500);
      const out = trace.filter((e) => callIdOf(e) === id && e.dir === "out").map((e) => firstLine(e).split(" ")[0]);
      const expected = method === "UPDATE" ? ["INVITE", "ACK", "UPDATE", "UPDATE", "BYE"] : ["INVITE", "ACK", "INVITE", "ACK", "INVITE", "ACK", "BYE"];
      expect(out, id).toEqual(expected);
    }
    expectClean(await sipp.done, calls);
  }, 90_000);

  it("SIPp UAC offering 100rel calls our UAS: our 180 is reliable (Require: 100rel, RSeq), SIPp's PRACK is answered, 200 after it; SIPp 0 failed / 0 unexpected", async () => {
    const calls = 10;
    const port = await freeUdpPort();
    const sippPort = await freeUdpPort();
    const trace: TraceEvent[] = [];
    ua = await createUserAgent({
      localPort: port,
      server: { host: "127.0.0.1", port: sippPort, transport: "UDP" },
      domain: "127.0.0.1",
      account: { username: "service", password: "unused" },
      reliableProvisionals: true,
      onTrace: (e) => trace.push(e),
    });
    const ended: string[] = [];
    const allEnded = new Promise<void>((resolve) => {
      ua!.onIncomingCall((call) => {
        call.onEnded((e) => {
          ended.push(e.by);
          if (ended.length === calls) resolve();
        });
        call.ringing();
        // Answer once the PRACK is in (SIPp's scenario expects the PRACK's 200 before the INVITE's).
        setTimeout(() => call.answer(SDP), 300);
      });
    });
    sipp = await startSipp({ scenario: "uac", scenarioFile: join(SCENARIOS, "uac-100rel.xml"), localPort: sippPort, remote: `127.0.0.1:${port}`, calls, rate: 20, maxConcurrent: 5, timeoutSec: 60 });
    const stats = await sipp.done;
    await allEnded;
    expect(ended).toEqual(Array(calls).fill("remote"));
    const lines = trace.map((e) => `${e.dir} ${firstLine(e)}`);
    expect(lines.filter((l) => l.startsWith("in PRACK "))).toHaveLength(calls);
    expect(lines.filter((l) => l === "out SIP/2.0 481 Call/Transaction Does Not Exist")).toHaveLength(0);
    const ringing = trace.filter((e) => e.dir === "out" && firstLine(e) === "SIP/2.0 180 Ringing");
    expect(ringing.length).toBeGreaterThanOrEqual(calls);
    for (const r of ringing) expect(r.text).toMatch(/^RSeq: \d+\r$/m);
    expectClean(stats, calls);
  }, 90_000);

  it("SIPp UAC with a late offer (INVITE without SDP): our 200 carries the offer, acked() gives SIPp's answer from the ACK; SIPp 0 failed / 0 unexpected", async () => {
    const calls = 5;
    const port = await freeUdpPort();
    const sippPort = await freeUdpPort();
    ua = await createUserAgent({ localPort: port, server: { host: "127.0.0.1", port: sippPort, transport: "UDP" }, domain: "127.0.0.1", account: { username: "service", password: "unused" } });
    const answers: (string | null)[] = [];
    const offers: string[] = [];
    const allAcked = new Promise<void>((resolve) => {
      ua!.onIncomingCall((call) => {
        offers.push(call.remoteSdp);
        call.ringing();
        call.answer(SDP);
        void call.acked().then((body) => {
          answers.push(body);
          if (answers.length === calls) resolve();
        });
      });
    });
    sipp = await startSipp({ scenario: "uac", scenarioFile: join(SCENARIOS, "uac-late-offer.xml"), localPort: sippPort, remote: `127.0.0.1:${port}`, calls, rate: 20, maxConcurrent: 5, timeoutSec: 60 });
    const stats = await sipp.done;
    await allAcked;
    expect(offers).toEqual(Array(calls).fill(""));
    for (const a of answers) expect(a).toMatch(/^m=audio 40008 RTP\/AVP 0\r$/m);
    expectClean(stats, calls);
  }, 90_000);

  it("SIPp UAS sends INFO and UPDATE in the early dialog of its 180: the call answers both 200 (not 481), then 200 → ACK → BYE; SIPp 0 failed / 0 unexpected", async () => {
    const calls = 5;
    const port = await freeUdpPort();
    sipp = await startSipp({ scenario: "uas", scenarioFile: join(SCENARIOS, "uas-early-requests.xml"), localPort: port, calls, timeoutSec: 60 });
    const trace: TraceEvent[] = [];
    ua = await createUserAgent({ server: { host: "127.0.0.1", port, transport: "UDP" }, domain: "127.0.0.1", account: { username: "ringfleet", password: "unused" }, onTrace: (e) => trace.push(e) });
    for (let i = 0; i < calls; i++) {
      const call = ua.invite(`sip:service@127.0.0.1:${port}`, SDP, { direct: true });
      expect(await call.final).toMatchObject({ ok: true, statusCode: 200 });
      expect(await call.bye()).toEqual({ ok: true, statusCode: 200 });
      const mine = trace.filter((e) => callIdOf(e) === call.callId && e.dir === "out").map((e) => firstLine(e));
      expect(mine.filter((l) => l.startsWith("SIP/2.0 ")), call.callId).toEqual(["SIP/2.0 200 OK", "SIP/2.0 200 OK"]);
    }
    expectClean(await sipp.done, calls);
  }, 90_000);
});
