/** TCP/TLS transports on loopback: framing on real sockets, connection reuse, TLS verification modes, mTLS. */
import { connect as netConnect } from "node:net";
import { createServer as tlsCreateServer, type TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCert, type SelfSignedCert } from "../../../../test/support/kamailio.js";
import type { SipMessage } from "../message.js";
import { parseMessage } from "../parser.js";
import { SipRequest } from "../message.js";
import { StreamTransport } from "./stream.js";
import type { Address } from "./transport.js";

const text = (n: number, transport = "TCP", body = "") =>
  `OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${transport} 127.0.0.1:5070;branch=z9hG4bKs${n}\r\nMax-Forwards: 70\r\n` +
  `From: <sip:alice@127.0.0.1>;tag=a${n}\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: s${n}@127.0.0.1\r\nCSeq: ${n} OPTIONS\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const req = (n: number, transport = "TCP", body = "") => {
  const r = parseMessage(text(n, transport, body));
  if (!r.ok) throw new Error(r.error.message);
  return r.message as SipRequest;
};

type Got = { msg: SipMessage; src: Address };
const collect = (t: StreamTransport) => {
  const got: Got[] = [];
  t.onMessage((msg, src) => got.push({ msg, src }));
  return got;
};
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

const open: StreamTransport[] = [];
const mk = async (o: Parameters<typeof StreamTransport.open>[0]) => {
  const t = await StreamTransport.open(o);
  open.push(t);
  return t;
};
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

describe("TCP transport", () => {
  it("delivers requests and answers over the same connection (one connection per remote)", async () => {
    const a = await mk({ protocol: "TCP" });
    const b = await mk({ protocol: "TCP" });
    const gotA = collect(a);
    const gotB = collect(b);
    for (let i = 1; i <= 50; i++) a.send(req(i, "TCP", i % 3 === 0 ? "x".repeat(i * 40) : ""), { address: "127.0.0.1", port: b.localPort });
    await until(() => gotB.length === 50);
    expect(gotB.map((g) => (g.msg as SipRequest).cseq?.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(gotB[2].msg.body).toBe("x".repeat(120));
    // All from one connection, whose source port is not the listener's.
    expect(new Set(gotB.map((g) => g.src.port)).size).toBe(1);
    const src = gotB[0].src;
    expect(src.port).not.toBe(a.localPort);
    b.send(req(99), src);
    await until(() => gotA.length === 1);
    expect(a.connectionCount).toBe(1);
    expect(b.connectionCount).toBe(1);
    expect(a.stats).toMatchObject({ sent: 50, received: 1, malformed: 0, droppedConnections: 0 });
  });

  it("a bad Content-Length drops the connection and is counted; other connections keep working", async () => {
    const b = await mk({ protocol: "TCP" });
    const gotB = collect(b);
    const s = netConnect({ host: "127.0.0.1", port: b.localPort });
    const closed = new Promise<void>((r) => s.on("close", () => r()));
    s.on("error", () => {});
    s.write(text(1) + text(2).slice(0, 20));
    s.write(text(2).slice(20) + text(3).replace("Content-Length: 0", "Content-Length: zz"));
    await closed;
    expect(gotB.map((g) => (g.msg as SipRequest).cseq?.seq)).toEqual([1, 2]);
    expect(b.stats.droppedConnections).toBe(1);
    expect(b.stats.malformed).toBe(1);
    expect(b.lastError).toMatch(/Content-Length/);
    const a = await mk({ protocol: "TCP" });
    a.send(req(4), { address: "127.0.0.1", port: b.localPort });
    await until(() => gotB.length === 3);
  });

  it("a refused connection is reported as a transport error at once", async () => {
    const a = await mk({ protocol: "TCP" });
    const dead = await mk({ protocol: "TCP" });
    const port = dead.localPort;
    await dead.close();
    const errors: Address[] = [];
    a.onTransportError((d) => errors.push(d));
    a.send(req(1), { address: "127.0.0.1", port });
    await until(() => errors.length === 1);
    expect(errors[0]).toEqual({ address: "127.0.0.1", port });
    expect(a.stats.sendErrors).toBe(1);
  });
});

describe("TLS transport", () => {
  let server: SelfSignedCert;
  let client: SelfSignedCert;
  beforeAll(() => {
    server = selfSignedCert(undefined, "sip.test");
    client = selfSignedCert(undefined, "client.test");
  });

  const pair = async (verify: "system" | "custom" | "skip", serverName?: string) => {
    const b = await mk({ protocol: "TLS", tls: { cert: server.cert, key: server.key } });
    const a = await mk({ protocol: "TLS", tls: { verify, ca: verify === "custom" ? server.cert : undefined, serverName } });
    const errors: string[] = [];
    a.onTransportError((_d, why) => errors.push(why));
    return { a, b, gotA: collect(a), gotB: collect(b), errors };
  };

  it("verify custom: a certificate signed by the given CA is accepted; requests and responses flow", async () => {
    const { a, b, gotA, gotB } = await pair("custom");
    a.send(req(1, "TLS"), { address: "127.0.0.1", port: b.localPort });
    await until(() => gotB.length === 1);
    b.send(req(2, "TLS"), gotB[0].src);
    await until(() => gotA.length === 1);
    expect(a.connectionCount).toBe(1);
  });

  it("verify custom with serverName checks the certificate's name", async () => {
    const ok = await pair("custom", "sip.test");
    ok.a.send(req(1, "TLS"), { address: "127.0.0.1", port: ok.b.localPort });
    await until(() => ok.gotB.length === 1);
    const bad = await pair("custom", "other.test");
    bad.a.send(req(1, "TLS"), { address: "127.0.0.1", port: bad.b.localPort });
    await until(() => bad.errors.length === 1);
    expect(bad.errors[0]).toMatch(/other\.test|altnames/i);
    expect(bad.gotB).toHaveLength(0);
  });

  it("verify system rejects a self-signed certificate; skip accepts it", async () => {
    const sys = await pair("system");
    sys.a.send(req(1, "TLS"), { address: "127.0.0.1", port: sys.b.localPort });
    await until(() => sys.errors.length === 1);
    expect(sys.errors[0]).toMatch(/self.signed|certificate/i);
    const skip = await pair("skip");
    skip.a.send(req(1, "TLS"), { address: "127.0.0.1", port: skip.b.localPort });
    await until(() => skip.gotB.length === 1);
  });

  it("custom without a CA is refused at open; TLS 1.1 peers are refused", async () => {
    await expect(StreamTransport.open({ protocol: "TLS", tls: { verify: "custom" } })).rejects.toThrow(/CA/);
    const b = await mk({ protocol: "TLS", tls: { cert: server.cert, key: server.key } });
    const { connect } = await import("node:tls");
    const err = await new Promise<string>((resolve) => {
      const s = connect({ host: "127.0.0.1", port: b.localPort, rejectUnauthorized: false, maxVersion: "TLSv1.1", minVersion: "TLSv1" });
      s.on("secureConnect", () => resolve("connected"));
      s.on("error", (e) => resolve(e.message));
    });
    expect(err).not.toBe("connected");
  });

  it("mTLS: the client certificate is presented to a server that asks for it", async () => {
    const seen: string[] = [];
    const srv = tlsCreateServer({ cert: server.cert, key: server.key, requestCert: true, rejectUnauthorized: true, ca: client.cert }, (s: TLSSocket) => {
      seen.push(String(s.getPeerCertificate().subject?.CN));
      s.end();
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as { port: number }).port;
    const a = await mk({ protocol: "TLS", tls: { verify: "custom", ca: server.cert, cert: client.cert, key: client.key } });
    a.send(req(1, "TLS"), { address: "127.0.0.1", port });
    await until(() => seen.length === 1);
    expect(seen).toEqual(["client.test"]);
    await new Promise<void>((r) => srv.close(() => r()));
  });
});

afterAll(() => undefined);
