/**
 * A request the transport cannot deliver fails at once with the transport's reason (RFC 3261
 * §8.1.3.1, §17.1.1.2), not after Timer F: a TLS server whose certificate does not verify, and a
 * refused TCP connection.
 */
import { describe, expect, it } from "vitest";
import { createServer as tlsServer } from "node:tls";
import { selfSignedCert } from "../../../../test/support/kamailio.js";
import { freeTcpPort } from "../../../../test/support/ports.js";
import { createUserAgent } from "../index.js";

const account = { username: "alice", authUsername: "alice", password: "x", realm: null };

describe("transport errors reach the user agent with their reason", () => {
  it("REGISTER over TLS to a self-signed server with system CAs: fails fast naming the certificate", async () => {
    const cert = selfSignedCert(undefined, "registrar.test");
    const server = tlsServer({ cert: cert.cert, key: cert.key });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    const ua = await createUserAgent({ server: { host: "127.0.0.1", port, transport: "TLS" }, tls: { verify: "system" }, domain: "127.0.0.1", account });
    const started = performance.now();
    const r = await ua.register({ expires: 60, refresh: false });
    await ua.close();
    await new Promise<void>((res) => server.close(() => res()));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.statusCode).toBeNull();
      expect(r.reason).toMatch(/^cannot reach the registrar: .*certificate/i);
    }
    expect(performance.now() - started).toBeLessThan(5_000); // not Timer F (32 s)
  });

  it("INVITE over TCP to a closed port: fails fast with the connection error", async () => {
    const port = await freeTcpPort();
    const ua = await createUserAgent({ server: { host: "127.0.0.1", port, transport: "TCP" }, domain: "127.0.0.1", account });
    const call = ua.invite("sip:bob@127.0.0.1", "v=0\r\n");
    const final = await call.final;
    await ua.close();
    expect(final).toMatchObject({ ok: false, statusCode: null });
    if (!final.ok) expect(final.reason).toMatch(/^INVITE not sent: .*ECONNREFUSED/);
  });
});
