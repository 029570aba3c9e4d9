/** Two UAs calling each other directly (InviteOptions.direct) over UDP, TCP and TLS: Via/Contact transport, no retransmissions on streams. */
import { connect, createServer } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCert, type SelfSignedCert } from "../../../../test/support/kamailio.js";
import { createUserAgent, type TraceEvent, type UserAgent, type UserAgentOptions } from "../index.js";

const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
let cert: SelfSignedCert;
const uas: UserAgent[] = [];
beforeAll(() => {
  cert = selfSignedCert();
});
afterEach(async () => {
  for (const ua of uas.splice(0)) await ua.close();
});

const mk = async (transport: "UDP" | "TCP" | "TLS", user: string, trace?: TraceEvent[], extra: Partial<UserAgentOptions> = {}) => {
  const ua = await createUserAgent({
    server: { host: "127.0.0.1", port: 9, transport },
    domain: "127.0.0.1",
    account: { username: user, password: "x" },
    tls: transport === "TLS" ? { verify: "custom", ca: cert.cert, cert: cert.cert, key: cert.key } : undefined,
    onTrace: trace ? (e) => trace.push(e) : undefined,
    ...extra,
  });
  uas.push(ua);
  return ua;
};

describe.each(["UDP", "TCP", "TLS"] as const)("direct call over %s", (transport) => {
  it("INVITE → 200 → ACK → BYE 200 between two UAs, Via and Contact name the transport", async () => {
    const trace: TraceEvent[] = [];
    const a = await mk(transport, "alice", trace);
    const b = await mk(transport, "bob");
    const ended = new Promise<string>((resolve) =>
      b.onIncomingCall((call) => {
        call.onEnded((e) => resolve(e.by));
        call.ringing();
        call.answer(SDP);
      }),
    );
    const call = a.invite(`sip:bob@127.0.0.1:${b.localPort}`, SDP, { direct: true });
    expect(await call.final).toMatchObject({ ok: true, statusCode: 200 });
    expect(await call.bye()).toEqual({ ok: true, statusCode: 200 });
    expect(await ended).toBe("remote");
    const invite = trace.find((e) => e.dir === "out" && e.text.startsWith("INVITE "))!.text;
    expect(invite).toMatch(new RegExp(`^Via: SIP/2\\.0/${transport} 127\\.0\\.0\\.1:${a.localPort};`, "m"));
    if (transport === "UDP") expect(invite).toMatch(/^Contact: <sip:alice@127\.0\.0\.1:\d+>$/m);
    else expect(invite).toMatch(new RegExp(`^Contact: <sip:alice@127\\.0\\.0\\.1:${a.localPort};transport=${transport.toLowerCase()}>`, "m"));
    const out = trace.filter((e) => e.dir === "out").map((e) => e.text.split(" ")[0]);
    expect(out).toEqual(["INVITE", "ACK", "BYE"]);
  });
});

describe("stream transport timers", () => {
  it("over TCP an unanswered INVITE is sent once and still times out (Timer B kept, Timer A off)", async () => {
    const trace: TraceEvent[] = [];
    // Accepts the connection, reads, never answers (not even 100 Trying).
    let bytes = "";
    const silent = createServer((s) => s.on("data", (d) => (bytes += d.toString())));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const port = (silent.address() as { port: number }).port;
    const a = await mk("TCP", "alice", trace, { timers: { t1: 20 } });
    const t0 = Date.now();
    const call = a.invite(`sip:silent@127.0.0.1:${port}`, SDP, { direct: true });
    const f = await call.final;
    expect(f).toMatchObject({ ok: false, statusCode: null });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(64 * 20 - 5);
    expect(trace.filter((e) => e.dir === "out" && e.text.startsWith("INVITE ")).length).toBe(1);
    expect(bytes.match(/^INVITE /gm)).toHaveLength(1);
    await a.close();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it("a refused TCP connection fails the INVITE at once (transport error, not Timer B)", async () => {
    const a = await mk("TCP", "alice");
    const t0 = Date.now();
    const call = a.invite("sip:nobody@127.0.0.1:9", SDP, { direct: true });
    expect(await call.final).toMatchObject({ ok: false, statusCode: null });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("TLS with verify system against a self-signed server fails at once", async () => {
    const b = await mk("TLS", "bob");
    const a = await createUserAgent({
      server: { host: "127.0.0.1", port: b.localPort, transport: "TLS" },
      domain: "127.0.0.1",
      account: { username: "alice", password: "x" },
    });
    uas.push(a);
    const t0 = Date.now();
    expect(await a.register()).toMatchObject({ ok: false, statusCode: null });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("UAS over TCP: responses go on the connection the INVITE came on (not the Via sent-by); the 2xx is re-sent until the ACK", async () => {
    const b = await mk("TCP", "bob", undefined, { timers: { t1: 40 } });
    b.onIncomingCall((call) => call.answer(SDP));
    const sock = connect({ host: "127.0.0.1", port: b.localPort });
    await new Promise<void>((r) => sock.once("connect", () => r()));
    let got = "";
    sock.on("data", (d) => (got += d.toString()));
    const head = (m: string, cseq: number, toTag = "") =>
      `${m} sip:bob@127.0.0.1:${b.localPort};transport=tcp SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKraw${m}${cseq}\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:raw@127.0.0.1>;tag=r1\r\nTo: <sip:bob@127.0.0.1>${toTag}\r\nCall-ID: raw-tcp@127.0.0.1\r\n` +
      `CSeq: ${cseq} ${m}\r\nContact: <sip:raw@127.0.0.1:9;transport=tcp>\r\n`;
    sock.write(`${head("INVITE", 1)}Content-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`);
    await new Promise((r) => setTimeout(r, 250));
    const oks = got.match(/^SIP\/2\.0 200 OK/gm) ?? [];
    expect(oks.length).toBeGreaterThanOrEqual(2);
    const toTag = /^To: .*;tag=([^;\r\n]+)/m.exec(got)![1];
    sock.write(`${head("ACK", 1, `;tag=${toTag}`)}Content-Length: 0\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 50));
    const after = (got.match(/^SIP\/2\.0 200 OK/gm) ?? []).length;
    await new Promise((r) => setTimeout(r, 300));
    expect((got.match(/^SIP\/2\.0 200 OK/gm) ?? []).length).toBe(after);
    sock.destroy();
  });
});
