/** The built-in registrar/proxy over real UDP sockets on 127.0.0.1, driven by our own UA. */
import { createSocket } from "node:dgram";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUserAgent, type TraceEvent, type UserAgent } from "../sip/index.js";
import { startRegistrar, type RegistrarHandle } from "./index.js";

const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
const accounts = [
  { username: "2001", password: "pw-2001" },
  { username: "2002", password: "pw-2002" },
  { username: "2003", password: "pw-2003" },
];

describe("built-in registrar + proxy", () => {
  let reg: RegistrarHandle;
  let uas: UserAgent[] = [];
  const ua = async (username: string, password: string, trace?: TraceEvent[]) => {
    const u = await createUserAgent({
      server: { host: "127.0.0.1", port: reg.port, transport: "UDP" },
      domain: "127.0.0.1",
      account: { username, password },
      onTrace: trace ? (e) => trace.push(e) : undefined,
    });
    uas.push(u);
    return u;
  };

  beforeAll(async () => {
    reg = await startRegistrar({ host: "127.0.0.1", port: 0, domain: "127.0.0.1", accounts });
  });
  afterEach(async () => {
    for (const u of uas) await u.close();
    uas = [];
  });
  afterAll(async () => reg.stop());

  it("challenges REGISTER with 401 and accepts the digest answer", async () => {
    const trace: TraceEvent[] = [];
    const a = await ua("2001", "pw-2001", trace);
    const r = await a.register({ expires: 120 });
    expect(r).toMatchObject({ ok: true, statusCode: 200, expires: 120 });
    const firsts = trace.map((e) => `${e.dir} ${e.text.split("\r\n")[0]}`);
    expect(firsts).toEqual([
      "out REGISTER sip:127.0.0.1 SIP/2.0", "in SIP/2.0 401 Unauthorized", "out REGISTER sip:127.0.0.1 SIP/2.0", "in SIP/2.0 200 OK",
    ]);
    expect(trace[2].text).toMatch(/Authorization: Digest username="2001", realm="127.0.0.1".*qop=auth, nc=00000001/);
    expect(reg.stats.bindings).toBeGreaterThanOrEqual(1);
  });

  it("answers 403 to a wrong password and to an unknown user", async () => {
    const bad = await ua("2002", "nope");
    expect(await bad.register()).toMatchObject({ ok: false, statusCode: 403 });
    const unknown = await ua("9999", "x");
    expect(await unknown.register()).toMatchObject({ ok: false, statusCode: 403 });
  });

  it("404 for an unregistered callee (after the 407 challenge)", async () => {
    const trace: TraceEvent[] = [];
    const a = await ua("2001", "pw-2001", trace);
    await a.register();
    const call = a.invite("sip:2003@127.0.0.1", SDP);
    expect(await call.final).toMatchObject({ ok: false, statusCode: 404 });
    expect(trace.some((e) => e.dir === "in" && e.text.startsWith("SIP/2.0 407"))).toBe(true);
  });

  it("proxies a call to the registered contact with Record-Route; callee hangs up", async () => {
    const traceA: TraceEvent[] = [];
    const a = await ua("2001", "pw-2001", traceA);
    const b = await ua("2002", "pw-2002");
    await a.register();
    await b.register();
    const calleeEnded = new Promise<string>((resolve) =>
      b.onIncomingCall((call) => {
        call.onEnded((e) => resolve(e.by));
        call.ringing();
        call.answer(SDP);
        setTimeout(() => void call.bye(), 200);
      }),
    );
    const codes: number[] = [];
    const call = a.invite("2002", SDP, { onProvisional: (c) => codes.push(c) });
    const callerEnded = new Promise<string>((resolve) => call.onEnded((e) => resolve(e.by)));
    expect(await call.final).toMatchObject({ ok: true, statusCode: 200 });
    expect(codes).toEqual([100, 180]);
    expect(call.timings.tryingMs).not.toBeNull();
    expect(call.timings.ringingMs).not.toBeNull();
    expect(await callerEnded).toBe("remote");
    expect(await calleeEnded).toBe("local");
    const ok = traceA.find((e) => e.dir === "in" && e.text.startsWith("SIP/2.0 200") && e.text.includes(" INVITE"));
    expect(ok?.text).toContain(`Record-Route: <sip:127.0.0.1:${reg.port};lr>`);
    const bye = traceA.find((e) => e.dir === "in" && e.text.startsWith("BYE "));
    expect(bye).toBeDefined();
  });

  it("forwards CANCEL: the caller gets 487 and the callee sees the call end", async () => {
    const a = await ua("2001", "pw-2001");
    const b = await ua("2002", "pw-2002");
    await a.register();
    await b.register();
    const calleeEnded = new Promise<string>((resolve) =>
      b.onIncomingCall((call) => {
        call.onEnded((e) => resolve(`${e.by}:${e.reason}`));
        call.ringing();
      }),
    );
    const call = a.invite("2002", SDP, { onProvisional: (c) => c === 180 && call.cancel() });
    expect(await call.final).toMatchObject({ ok: false, statusCode: 487 });
    expect(await calleeEnded).toBe("remote:CANCEL received");
  });

  it("un-REGISTER removes the binding; calls then get 404", async () => {
    const a = await ua("2001", "pw-2001");
    const c = await ua("2003", "pw-2003");
    await c.register();
    expect((await c.unregister()).ok).toBe(true);
    await a.register();
    expect(await a.invite("2003", SDP).final).toMatchObject({ ok: false, statusCode: 404 });
  });

  it("counts and drops malformed datagrams, and keeps serving", async () => {
    const before = reg.stats.malformed;
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    for (const junk of ["garbage\r\n\r\n", "INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n", "\x00\x01\x02"]) s.send(junk, reg.port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 100));
    s.close();
    expect(reg.stats.malformed).toBe(before + 3);
    const a = await ua("2001", "pw-2001");
    expect((await a.register()).ok).toBe(true);
  });
});
