/**
 * Interop with a real Kamailio (test/fixtures/kamailio): register two UAs (401 digest), call
 * through the proxy (407 digest, Record-Route, loose routing), hang up after 1 s; a wrong
 * password gets 403 on REGISTER.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKamailio, type KamailioHandle } from "../../../test/support/kamailio.js";
import { freeUdpPort } from "../../../test/support/ports.js";
import { createUserAgent, type IncomingCall, type TraceEvent, type UserAgent } from "./index.js";

const hasKamailio = existsSync("/usr/sbin/kamailio");
const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

describe.skipIf(!hasKamailio)("Kamailio interop", () => {
  let k: KamailioHandle;
  const uas: UserAgent[] = [];
  const mk = async (username: string, password: string, trace?: TraceEvent[]) => {
    const ua = await createUserAgent({
      server: { host: "127.0.0.1", port: k.port, transport: "UDP" },
      domain: "127.0.0.1",
      account: { username, authUsername: username, password, realm: null },
      onTrace: trace ? (e) => trace.push(e) : undefined,
    });
    uas.push(ua);
    return ua;
  };

  beforeAll(async () => {
    k = await startKamailio({ port: await freeUdpPort(), accounts: [{ username: "1001", password: "s3cret-1" }, { username: "1002", password: "s3cret-2" }, { username: "1003", password: "right" }] });
  }, 30_000);
  afterAll(async () => {
    for (const ua of uas) await ua.close();
    await k?.stop();
  });

  it("registers, calls through the proxy, BYE ends both sides", async () => {
    const traceA: TraceEvent[] = [];
    const a = await mk("1001", "s3cret-1", traceA);
    const b = await mk("1002", "s3cret-2");
    const ra = await a.register({ expires: 300 });
    const rb = await b.register({ expires: 300 });
    expect(ra).toMatchObject({ ok: true, statusCode: 200 });
    expect(rb).toMatchObject({ ok: true, statusCode: 200 });
    if (ra.ok) {
      expect(ra.expires).toBeGreaterThan(0);
      expect(ra.expires).toBeLessThanOrEqual(300);
      expect(ra.timeMs).toBeGreaterThan(0);
    }
    expect(traceA.some((e) => e.dir === "in" && e.text.startsWith("SIP/2.0 401"))).toBe(true);

    const calleeEnded = new Promise<string>((resolve) => {
      b.onIncomingCall((call: IncomingCall) => {
        expect(call.remoteSdp).toContain("m=audio 40000");
        call.onEnded((e) => resolve(e.by));
        call.ringing();
        setTimeout(() => call.answer(SDP.replace("40000", "40002")), 50);
      });
    });
    const codes: number[] = [];
    const call = a.invite("sip:1002@127.0.0.1", SDP, { onProvisional: (c) => codes.push(c) });
    const final = await call.final;
    expect(final).toMatchObject({ ok: true, statusCode: 200 });
    if (final.ok) expect(final.remoteSdp).toContain("m=audio 40002");
    expect(codes).toContain(180);
    expect(call.timings.answeredMs).toBeGreaterThan(0);
    expect(call.timings.firstProvisionalMs).not.toBeNull();
    expect(traceA.some((e) => e.dir === "in" && e.text.startsWith("SIP/2.0 407"))).toBe(true);
    // The 200 carries Kamailio's Record-Route, so the ACK and BYE are routed through it.
    const ok200 = traceA.find((e) => e.dir === "in" && e.text.startsWith("SIP/2.0 200") && e.text.includes("INVITE"));
    expect(ok200?.text).toMatch(/Record-Route: <sip:127\.0\.0\.1:\d+;lr/i);

    await new Promise((r) => setTimeout(r, 1000));
    const callerEnded = new Promise<string>((resolve) => call.onEnded((e) => resolve(e.by)));
    const bye = await call.bye();
    expect(bye).toEqual({ ok: true, statusCode: 200 });
    expect(await callerEnded).toBe("local");
    expect(await calleeEnded).toBe("remote");
    const byeOut = traceA.find((e) => e.dir === "out" && e.text.startsWith("BYE "));
    expect(byeOut?.text).toMatch(/Route: <sip:127\.0\.0\.1:\d+;lr/i);

    expect((await a.unregister()).ok).toBe(true);
    expect((await b.unregister()).ok).toBe(true);
  }, 20_000);

  it("a wrong password gets 403 on REGISTER", async () => {
    const trace: TraceEvent[] = [];
    const c = await mk("1003", "wrong", trace);
    const r = await c.register({ expires: 300 });
    expect(r).toMatchObject({ ok: false, statusCode: 403 });
    const lines = trace.map((e) => `${e.dir} ${e.text.split("\r\n")[0]}`);
    expect(lines).toContain("in SIP/2.0 401 Unauthorized");
  }, 10_000);

  it("an unregistered callee gets 404", async () => {
    const a = await mk("1001", "s3cret-1");
    const call = a.invite("sip:1003@127.0.0.1", SDP);
    expect(await call.final).toMatchObject({ ok: false, statusCode: 404 });
  }, 10_000);
});
