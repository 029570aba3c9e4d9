/**
 * Interop with a real Kamailio (test/fixtures/kamailio) over UDP, TCP and TLS: register two UAs
 * (401 digest), call through the proxy (407 digest, Record-Route, loose routing), hang up; a
 * wrong password gets 403 on REGISTER; a call to an unregistered user gets 404; through the proxy a
 * reliable 180 is PRACKed and a 2 s session is refreshed by UPDATE; over UDP a REGISTER is
 * refreshed before its 10 s grant lapses and de-registered with Expires: 0; with qop=auth and a 3 s
 * nonce lifetime the refresh's re-used nonce (nc 2) is answered 401 stale=true and retried (nc 1).
 * Each transport has its own accounts so a failure in one leaves no registrations in another.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasKamailio, startKamailio, type KamailioHandle } from "../../../test/support/kamailio.js";
import { freeTcpPort, freeUdpPort } from "../../../test/support/ports.js";
import { createUserAgent, type IncomingCall, type TraceEvent, type UserAgent, type UserAgentOptions } from "./index.js";

const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

const TRANSPORTS = [
  { transport: "UDP", base: 1000 },
  { transport: "TCP", base: 2000 },
  { transport: "TLS", base: 3000 },
] as const;

describe.skipIf(!hasKamailio())("Kamailio interop", () => {
  let k: KamailioHandle;
  const uas: UserAgent[] = [];

  beforeAll(async () => {
    const accounts = TRANSPORTS.flatMap(({ base }) => [
      { username: String(base + 1), password: `s3cret-${base + 1}` },
      { username: String(base + 2), password: `s3cret-${base + 2}` },
      { username: String(base + 3), password: "right" },
    ]);
    k = await startKamailio({ port: await freeUdpPort(), tcpPort: await freeTcpPort(), tlsPort: await freeTcpPort(), accounts });
  }, 30_000);
  afterAll(async () => {
    for (const ua of uas) await ua.close();
    await k?.stop();
  });

  describe.each(TRANSPORTS)("over $transport", ({ transport, base }) => {
    const user = (n: number) => String(base + n);
    const mk = async (username: string, password: string, trace?: TraceEvent[], more: Partial<UserAgentOptions> = {}) => {
      const port = transport === "UDP" ? k.port : transport === "TCP" ? k.tcpPort! : k.tlsPort!;
      const ua = await createUserAgent({
        server: { host: "127.0.0.1", port, transport },
        // Kamailio opens connections to our TLS listener to deliver calls: it needs a certificate
        // (Kamailio does not verify it); we verify Kamailio's against its self-signed CA.
        tls: transport === "TLS" ? { verify: "custom", ca: k.cert!.cert, cert: k.cert!.cert, key: k.cert!.key } : undefined,
        domain: "127.0.0.1",
        account: { username, authUsername: username, password, realm: null },
        onTrace: trace ? (e) => trace.push(e) : undefined,
        ...more,
      });
      uas.push(ua);
      return ua;
    };

    it("through the proxy: the callee's reliable 180 is PRACKed (RFC 3262), the caller refreshes the 2 s session by UPDATE (RFC 4028)", async () => {
      const traceA: TraceEvent[] = [];
      const traceB: TraceEvent[] = [];
      const a = await mk(user(1), `s3cret-${user(1)}`, traceA, { sessionTimer: { expires: 2, minSE: 1 } });
      const b = await mk(user(2), `s3cret-${user(2)}`, traceB, { reliableProvisionals: true, sessionTimer: { minSE: 1 } });
      expect((await a.register({ expires: 300 })).ok).toBe(true);
      expect((await b.register({ expires: 300 })).ok).toBe(true);
      let callee: IncomingCall | null = null;
      const calleeRefreshes: string[] = [];
      b.onIncomingCall((c) => {
        callee = c;
        c.onSessionRefresh((e) => calleeRefreshes.push(`${e.by} ${e.method}`));
        c.ringing();
      });
      const codes: number[] = [];
      const call = a.invite(`sip:${user(2)}@127.0.0.1`, SDP, { onProvisional: (c) => codes.push(c) });
      const callerRefreshes: string[] = [];
      call.onSessionRefresh((e) => callerRefreshes.push(`${e.by} ${e.method} ${e.statusCode}`));
      // The callee answers once its 180 was PRACKed.
      const deadline = Date.now() + 5000;
      while (!traceB.some((e) => e.dir === "in" && e.text.startsWith("PRACK ")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      callee!.answer(SDP.replace("40000", "40002"));
      expect(await call.final).toMatchObject({ ok: true, statusCode: 200 });
      expect(codes).toEqual(expect.arrayContaining([180]));
      const ringing = traceA.find((e) => e.dir === "in" && e.text.startsWith("SIP/2.0 180"))!.text;
      expect(ringing).toMatch(/^Require: 100rel\r$/m);
      const prack = traceA.find((e) => e.dir === "out" && e.text.startsWith("PRACK "))!.text;
      expect(prack).toMatch(/^Route: <sip:127\.0\.0\.1:\d+;.*lr/im); // through Kamailio, loose-routed
      expect(traceA.some((e) => e.dir === "in" && /^SIP\/2\.0 200 [^\r]*\r\n(?:[^\r]*\r\n)*CSeq: \d+ PRACK/.test(e.text))).toBe(true);
      expect(call.sessionTimer).toMatchObject({ intervalSec: 2, refresher: "local" });
      await new Promise((r) => setTimeout(r, 2300));
      expect(callerRefreshes).toEqual(["local UPDATE 200", "local UPDATE 200"]);
      expect(calleeRefreshes).toEqual(["remote UPDATE", "remote UPDATE"]);
      expect((await call.bye())).toEqual({ ok: true, statusCode: 200 });
      expect((await a.unregister()).ok).toBe(true);
      expect((await b.unregister()).ok).toBe(true);
    }, 20_000);

    it("registers, calls through the proxy, BYE ends both sides", async () => {
      const traceA: TraceEvent[] = [];
      const traceB: TraceEvent[] = [];
      const a = await mk(user(1), `s3cret-${user(1)}`, traceA);
      const b = await mk(user(2), `s3cret-${user(2)}`, traceB);
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
      const reg = traceA.find((e) => e.dir === "out" && e.text.startsWith("REGISTER "))!.text;
      expect(reg).toMatch(new RegExp(`^Via: SIP/2\\.0/${transport} `, "m"));
      if (transport !== "UDP") expect(reg).toMatch(new RegExp(`^Contact: <sip:${user(1)}@127\\.0\\.0\\.1:\\d+;transport=${transport.toLowerCase()}>`, "m"));

      const calleeEnded = new Promise<string>((resolve) => {
        b.onIncomingCall((call: IncomingCall) => {
          expect(call.remoteSdp).toContain("m=audio 40000");
          call.onEnded((e) => resolve(e.by));
          call.ringing();
          setTimeout(() => call.answer(SDP.replace("40000", "40002")), 50);
        });
      });
      const codes: number[] = [];
      const call = a.invite(`sip:${user(2)}@127.0.0.1`, SDP, { onProvisional: (c) => codes.push(c) });
      const final = await call.final;
      expect(final).toMatchObject({ ok: true, statusCode: 200 });
      if (final.ok) expect(final.remoteSdp).toContain("m=audio 40002");
      expect(codes).toContain(180);
      expect(call.timings.answeredMs).toBeGreaterThan(0);
      expect(call.timings.firstProvisionalMs).not.toBeNull();
      expect(traceA.some((e) => e.dir === "in" && e.text.startsWith("SIP/2.0 407"))).toBe(true);
      // The 200 carries Kamailio's Record-Route, so the ACK and BYE are routed through it.
      const ok200 = traceA.find((e) => e.dir === "in" && e.text.startsWith("SIP/2.0 200") && e.text.includes("INVITE"));
      expect(ok200?.text).toMatch(/Record-Route: <sip:127\.0\.0\.1:\d+;.*lr/i);
      // The callee got the INVITE over the same transport.
      const inInvite = traceB.find((e) => e.dir === "in" && e.text.startsWith("INVITE "))!.text;
      expect(inInvite).toMatch(new RegExp(`^Via: SIP/2\\.0/${transport} 127\\.0\\.0\\.1:${transport === "UDP" ? k.port : transport === "TCP" ? k.tcpPort : k.tlsPort};`, "m"));

      await new Promise((r) => setTimeout(r, 300));
      const callerEnded = new Promise<string>((resolve) => call.onEnded((e) => resolve(e.by)));
      const bye = await call.bye();
      expect(bye).toEqual({ ok: true, statusCode: 200 });
      expect(await callerEnded).toBe("local");
      expect(await calleeEnded).toBe("remote");
      const byeOut = traceA.find((e) => e.dir === "out" && e.text.startsWith("BYE "));
      expect(byeOut?.text).toMatch(/Route: <sip:127\.0\.0\.1:\d+;.*lr/i);
      expect(byeOut?.text).toMatch(new RegExp(`^Via: SIP/2\\.0/${transport} `, "m"));

      expect((await a.unregister()).ok).toBe(true);
      expect((await b.unregister()).ok).toBe(true);
    }, 20_000);

    it("a wrong password gets 403 on REGISTER", async () => {
      const trace: TraceEvent[] = [];
      const c = await mk(user(3), "wrong", trace);
      const r = await c.register({ expires: 300 });
      expect(r).toMatchObject({ ok: false, statusCode: 403 });
      const lines = trace.map((e) => `${e.dir} ${e.text.split("\r\n")[0]}`);
      expect(lines).toContain("in SIP/2.0 401 Unauthorized");
      expect(lines.filter((l) => l.startsWith("out REGISTER"))).toHaveLength(2);
    }, 10_000);

    it("a call to an unregistered user gets 404", async () => {
      const a = await mk(user(1), `s3cret-${user(1)}`);
      const call = a.invite(`sip:${user(3)}@127.0.0.1`, SDP);
      expect(await call.final).toMatchObject({ ok: false, statusCode: 404 });
    }, 10_000);
  });

  it("REGISTER refresh against Kamailio (UDP): granted 10 s, refreshed at 5 s with the nonce re-used (no new challenge), Expires: 0 removes the binding", async () => {
    const trace: TraceEvent[] = [];
    const mkUdp = async (username: string, t?: TraceEvent[]) => {
      const ua = await createUserAgent({
        server: { host: "127.0.0.1", port: k.port, transport: "UDP" },
        domain: "127.0.0.1",
        account: { username, authUsername: username, password: `s3cret-${username}`, realm: null },
        onTrace: t ? (e) => t.push(e) : undefined,
      });
      uas.push(ua);
      return ua;
    };
    const a = await mkUdp("1001", trace);
    const refreshed = new Promise<{ ok: boolean; atMs: number }>((resolve) => a.onRegistrationRefresh((r) => resolve({ ok: r.ok, atMs: performance.now() })));
    const t0 = performance.now();
    // 10 s is the fixture's registrar min_expires; the refresh goes at 10 s − min(Timer F, 5 s) = 5 s.
    const r = await a.register({ expires: 10 });
    expect(r).toMatchObject({ ok: true, expires: 10 });
    const refresh = await refreshed;
    expect(refresh.ok).toBe(true);
    expect(refresh.atMs - t0).toBeGreaterThanOrEqual(5000);
    expect(refresh.atMs - t0).toBeLessThan(6500);
    expect(a.registration).toEqual({ registered: true, expires: 10, refreshes: 1 });
    const lines = trace.map((e) => `${e.dir} ${e.text.split("\r\n")[0]}`);
    // initial REGISTER → 401 → REGISTER → 200, then the refresh: REGISTER (credentials re-used) → 200
    expect(lines.filter((l) => l.startsWith("out REGISTER"))).toHaveLength(3);
    expect(lines.filter((l) => l === "in SIP/2.0 401 Unauthorized")).toHaveLength(1);
    const regs = trace.filter((e) => e.dir === "out" && e.text.startsWith("REGISTER "));
    const nonceOf = (t: string) => /nonce="([^"]+)"/.exec(t)?.[1];
    expect(nonceOf(regs[2].text)).toBe(nonceOf(regs[1].text));

    // Still registered after the first grant would have lapsed: a call reaches it.
    const b = await mkUdp("1002");
    a.onIncomingCall((c) => c.reject(486));
    await new Promise((res) => setTimeout(res, 5500));
    expect((await b.invite("sip:1001@127.0.0.1", SDP).final)).toMatchObject({ ok: false, statusCode: 486 });

    const un = await a.unregister();
    expect(un).toMatchObject({ ok: true, expires: 0 });
    expect(trace.filter((e) => e.dir === "out" && e.text.startsWith("REGISTER ")).at(-1)?.text).toMatch(/^Expires: 0\r$/m);
    expect((await b.invite("sip:1001@127.0.0.1", SDP).final)).toMatchObject({ ok: false, statusCode: 404 });
  }, 30_000);

  it("digest with a real registrar: qop=auth, the refresh re-uses the nonce with nc=00000002, a stale nonce (nonce_expire 3 s) → 401 stale=true → new nonce, nc=00000001, no failure", async () => {
    const k2 = await startKamailio({ port: await freeUdpPort(), accounts: [{ username: "4001", password: "pw-4001" }], registerQop: true, nonceExpireSec: 3 });
    const trace: TraceEvent[] = [];
    const ua = await createUserAgent({
      server: { host: "127.0.0.1", port: k2.port, transport: "UDP" },
      domain: "127.0.0.1",
      account: { username: "4001", password: "pw-4001", realm: null },
      onTrace: (e) => trace.push(e),
    });
    try {
      const refreshes: boolean[] = [];
      ua.onRegistrationRefresh((r) => refreshes.push(r.ok));
      expect(await ua.register({ expires: 10 })).toMatchObject({ ok: true, expires: 10 });
      // Refresh at 5 s: the 3 s nonce has gone stale by then.
      await new Promise((r) => setTimeout(r, 5800));
      expect(refreshes).toEqual([true]);
      const regs = trace.filter((e) => e.dir === "out" && e.text.startsWith("REGISTER ")).map((e) => e.text);
      const ins = trace.filter((e) => e.dir === "in").map((e) => e.text);
      const field = (t: string, name: string) => new RegExp(`[ ,]${name}="?([^",\\r]+)"?`).exec(/^Authorization: (.*)$/m.exec(t)?.[1] ?? "")?.[1];
      expect(regs).toHaveLength(4); // challenge, answer; refresh (stale), answer with the new nonce
      expect(ins.filter((t) => t.startsWith("SIP/2.0 401"))).toHaveLength(2);
      expect(ins[0]).toMatch(/qop="auth"/);
      expect(field(regs[1], "qop")).toBe("auth");
      expect(field(regs[1], "nc")).toBe("00000001");
      expect(field(regs[2], "nonce")).toBe(field(regs[1], "nonce"));
      expect(field(regs[2], "nc")).toBe("00000002");
      expect(ins.find((t, i) => i > 1 && t.startsWith("SIP/2.0 401"))).toMatch(/stale=true/i);
      expect(field(regs[3], "nonce")).not.toBe(field(regs[1], "nonce"));
      expect(field(regs[3], "nc")).toBe("00000001");
      expect(ins.at(-1)).toMatch(/^SIP\/2\.0 200/);
      expect((await ua.unregister()).ok).toBe(true);
    } finally {
      await ua.close();
      await k2.stop();
    }
  }, 30_000);
});
