/** DTLS-SRTP pieces without sockets: certificate fingerprint, SDP attributes, negotiation, the role rules, demultiplexing. */
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { answerSetup, certificateFingerprint, createDtlsIdentity, DtlsSrtpTransport, isDtlsRecord, parseFingerprint, pemToDer } from "./dtls-srtp.js";
import { buildSdp, negotiate, parseSdp } from "./sdp.js";

const FP = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

function dtlsOffer(extra = "a=fingerprint:sha-256 " + FP + "\r\na=setup:actpass\r\na=rtcp-mux\r\n", proto = "UDP/TLS/RTP/SAVP"): string {
  return `v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 ${proto} 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n${extra}`;
}

describe("DTLS-SRTP identity", () => {
  it("is a self-signed ECDSA P-256 certificate whose sha-256 fingerprint is RFC 8122 §5 text", async () => {
    const id = await createDtlsIdentity();
    const x = new X509Certificate(id.certPem);
    expect(x.publicKey.asymmetricKeyType).toBe("ec");
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(x.verify(x.publicKey)).toBe(true); // self-signed
    expect(id.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(id.fingerprint).toBe(x.fingerprint256);
    expect(certificateFingerprint(pemToDer(id.certPem), "sha-1")).toBe(x.fingerprint);
    expect((await createDtlsIdentity()).fingerprint).not.toBe(id.fingerprint); // one per endpoint
  });
});

describe("a=fingerprint / a=setup / a=rtcp-mux in SDP", () => {
  it("parses fingerprints (case-insensitive hash name, upper-cased value) and refuses malformed ones", () => {
    expect(parseFingerprint("SHA-256 " + FP.toLowerCase())).toEqual({ algorithm: "sha-256", value: FP });
    expect(parseFingerprint("sha-256")).toBeNull();
    expect(parseFingerprint("sha-256 AB:CD:E")).toBeNull();
    expect(parseFingerprint("sha-256 AB CD")).toBeNull();
  });

  it("builds the UDP/TLS/RTP/SAVP offer lines and parses them back", () => {
    const sdp = buildSdp({ sessionId: 1, address: "10.0.0.2", port: 5000, codecs: ["PCMU"], proto: "UDP/TLS/RTP/SAVP", fingerprint: { algorithm: "sha-256", value: FP }, setup: "actpass", rtcpMux: true });
    expect(sdp).toMatch(/^m=audio 5000 UDP\/TLS\/RTP\/SAVP 0 101\r$/m);
    expect(sdp).toContain(`a=fingerprint:sha-256 ${FP}\r\n`);
    expect(sdp).toContain("a=setup:actpass\r\n");
    expect(sdp).toContain("a=rtcp-mux\r\n");
    expect(sdp).not.toContain("a=crypto");
    const m = parseSdp(sdp).media[0]!;
    expect(m).toMatchObject({ proto: "UDP/TLS/RTP/SAVP", fingerprints: [{ algorithm: "sha-256", value: FP }], setup: "actpass", rtcpMux: true });
  });

  it("negotiates DTLS only with a DTLS-configured side; the fingerprint may be at session level", () => {
    const n = negotiate(dtlsOffer(), ["PCMU"], { dtls: true });
    expect(n).toMatchObject({ ok: true, proto: "UDP/TLS/RTP/SAVP", rtcpMux: true, dtls: { fingerprints: [{ value: FP }], setup: "actpass" } });
    const sessionLevel = dtlsOffer("a=rtcp-mux\r\n").replace("t=0 0\r\n", `t=0 0\r\na=fingerprint:sha-256 ${FP}\r\na=setup:active\r\n`);
    expect(negotiate(sessionLevel, ["PCMU"], { dtls: true })).toMatchObject({ ok: true, dtls: { fingerprints: [{ value: FP }], setup: "active" } });
    expect(negotiate(dtlsOffer(undefined, "UDP/TLS/RTP/SAVPF"), ["PCMU"], { dtls: true })).toMatchObject({ ok: true, proto: "UDP/TLS/RTP/SAVP" });
    expect(negotiate(dtlsOffer("a=setup:actpass\r\n"), ["PCMU"], { dtls: true })).toMatchObject({ ok: false, reason: expect.stringContaining("a=fingerprint") });
    expect(negotiate(dtlsOffer(), ["PCMU"])).toMatchObject({ ok: false, reason: expect.stringContaining("DTLS-SRTP not enabled") });
    expect(negotiate(dtlsOffer(), ["PCMU"], { srtp: ["AES_CM_128_HMAC_SHA1_80"] })).toMatchObject({ ok: false });
    const plain = dtlsOffer("").replace("UDP/TLS/RTP/SAVP", "RTP/AVP");
    expect(negotiate(plain, ["PCMU"], { dtls: true })).toMatchObject({ ok: false, reason: expect.stringContaining("DTLS-SRTP required but the peer uses RTP/AVP") });
    expect(negotiate(plain.replace("RTP/AVP", "RTP/SAVP"), ["PCMU"], { dtls: true })).toMatchObject({ ok: false, reason: expect.stringContaining("RTP/SAVP") });
  });

  it("RFC 5763 §5 roles: actpass or passive → we are active; active → passive; holdconn → none", () => {
    expect(answerSetup("actpass")).toBe("active");
    expect(answerSetup(undefined)).toBe("active");
    expect(answerSetup("passive")).toBe("active");
    expect(answerSetup("active")).toBe("passive");
    expect(answerSetup("holdconn")).toBeNull();
  });

  it("RFC 7983 §7 demultiplexing: 20–63 is DTLS, RTP (128–191) and STUN (0–3) are not", () => {
    expect(isDtlsRecord(Buffer.from([22, 254, 253]))).toBe(true);
    expect(isDtlsRecord(Buffer.from([20]))).toBe(true);
    expect(isDtlsRecord(Buffer.from([63]))).toBe(true);
    expect(isDtlsRecord(Buffer.from([0x80, 0]))).toBe(false);
    expect(isDtlsRecord(Buffer.from([0, 1]))).toBe(false);
    expect(isDtlsRecord(Buffer.from([64]))).toBe(false);
    expect(isDtlsRecord(Buffer.alloc(0))).toBe(false);
  });
});

describe("DtlsSrtpTransport in memory", () => {
  async function pair(clientSees: () => string, serverSees: () => string) {
    const [ci, si] = await Promise.all([createDtlsIdentity(), createDtlsIdentity()]);
    const out = { ck: null as unknown, sk: null as unknown, fails: [] as string[] };
    const c: DtlsSrtpTransport = new DtlsSrtpTransport({ identity: ci, role: "client", send: (d) => setImmediate(() => s.handle(d)), onKeys: (k) => (out.ck = k), onFailure: (r) => out.fails.push(`client: ${r}`) });
    const s: DtlsSrtpTransport = new DtlsSrtpTransport({ identity: si, role: "server", send: (d) => setImmediate(() => c.handle(d)), onKeys: (k) => (out.sk = k), onFailure: (r) => out.fails.push(`server: ${r}`) });
    c.setRemoteFingerprints([{ algorithm: "sha-256", value: clientSees() || si.fingerprint }]);
    s.setRemoteFingerprints([{ algorithm: "sha-256", value: serverSees() || ci.fingerprint }]);
    c.start();
    for (let i = 0; i < 50 && !(out.ck && out.sk) && out.fails.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    c.close();
    s.close();
    return { ...out, c, s };
  }

  it("completes the handshake and both sides derive mirrored SRTP keys", async () => {
    const r = await pair(() => "", () => "");
    expect(r.fails).toEqual([]);
    expect(r.ck).not.toBeNull();
    expect(r.sk).not.toBeNull();
    expect(r.c.suite).toBe("AES_CM_128_HMAC_SHA1_80");
    expect(r.s.state).toBe("closed");
  });

  it("a certificate that does not match the a=fingerprint fails with a sentence, no keys, no throw", async () => {
    const r = await pair(() => FP, () => "");
    expect(r.ck).toBeNull();
    expect(r.fails).toEqual([expect.stringMatching(/^client: DTLS: the peer's certificate \(sha-256 [0-9A-F:]+…\) does not match its a=fingerprint$/)]);
  });
});
