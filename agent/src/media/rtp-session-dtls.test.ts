/** Two RtpSessions on 127.0.0.1 negotiating DTLS-SRTP (RFC 5764): the handshake on the RTP port, then SRTP both ways. */
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { createDtlsIdentity, type DtlsIdentity } from "./dtls-srtp.js";
import { RtpSession } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";
import { generateSdesKey, SrtpTransform } from "./srtp.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open: RtpSession[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.stop();
  for (const s of sockets.splice(0)) s.close();
});

let ids: [DtlsIdentity, DtlsIdentity] | null = null;
async function dtlsPair() {
  ids ??= [await createDtlsIdentity(), await createDtlsIdentity()];
  const scheduler = new MediaScheduler();
  const a = await RtpSession.open({ codec: "PCMU", scheduler, dtls: ids[0] });
  const b = await RtpSession.open({ codec: "PCMU", scheduler, dtls: ids[1] });
  open.push(a, b);
  return { a, b };
}

async function until(cond: () => boolean, ms = 3000) {
  for (const end = Date.now() + ms; !cond() && Date.now() < end; ) await sleep(20);
}

describe("RtpSession with DTLS-SRTP", () => {
  it("offers UDP/TLS/RTP/SAVP with fingerprint, actpass and rtcp-mux; the answer is active; others refuse it", async () => {
    const { a, b } = await dtlsPair();
    const offer = a.offer();
    expect(offer).toContain(`m=audio ${a.localPort} UDP/TLS/RTP/SAVP 0 101`);
    expect(offer).toContain(`a=fingerprint:sha-256 ${ids![0].fingerprint}\r\n`);
    expect(offer).toContain("a=setup:actpass\r\n");
    expect(offer).toContain("a=rtcp-mux\r\n");
    const ans = b.answer(offer);
    if (!ans.ok) throw new Error(ans.reason);
    expect(ans.sdp).toContain(`a=fingerprint:sha-256 ${ids![1].fingerprint}\r\n`);
    expect(ans.sdp).toContain("a=setup:active\r\n");
    expect(ans.sdp).toMatch(/UDP\/TLS\/RTP\/SAVP 0 101/);
    const plain = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler() });
    const sdes = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler(), srtp: ["AES_CM_128_HMAC_SHA1_80"] });
    open.push(plain, sdes);
    expect(plain.answer(offer)).toMatchObject({ ok: false });
    expect(sdes.answer(offer)).toMatchObject({ ok: false });
    expect(a.answer(plain.offer())).toMatchObject({ ok: false, reason: expect.stringContaining("DTLS-SRTP required") });
    expect(a.answer(sdes.offer())).toMatchObject({ ok: false, reason: expect.stringContaining("DTLS-SRTP required") });
  });

  it("completes the handshake on the RTP port and exchanges SRTP both ways, RTCP muxed", async () => {
    const { a, b } = await dtlsPair();
    const ans = b.answer(a.offer());
    if (!ans.ok) throw new Error(ans.reason);
    // B (active) starts the handshake before A has the answer, as over SIP (RFC 5763 §5).
    b.start();
    await until(() => a.dtlsState === "connecting" || a.dtlsState === "connected", 1000);
    expect(a.applyAnswer(ans.sdp)).toEqual({ ok: true });
    a.start();
    await until(() => a.dtlsState === "connected" && b.dtlsState === "connected");
    expect([a.dtlsState, b.dtlsState]).toEqual(["connected", "connected"]);
    expect(a.srtpSuite).toBe("AES_CM_128_HMAC_SHA1_80");
    // A packet from a stranger keyed differently: counted, not a crash (RFC 3711 §3.3).
    const stranger = createSocket("udp4");
    sockets.push(stranger);
    await new Promise<void>((r) => stranger.bind(0, "127.0.0.1", () => r()));
    const forged = Buffer.alloc(172);
    forged[0] = 0x80;
    forged.writeUInt16BE(7, 2);
    forged.writeUInt32BE(0x1234, 8);
    const k = generateSdesKey("AES_CM_128_HMAC_SHA1_80");
    stranger.send(new SrtpTransform(k, k).protectRtp(forged), b.localPort, "127.0.0.1");
    await sleep(2200); // RTCP at 0.5 s and 1.5 s after start: RTT needs the second round
    const ma = a.sample();
    const mb = b.sample();
    expect(ma.packets_received).toBeGreaterThan(60);
    expect(mb.packets_received).toBeGreaterThan(60);
    expect(ma.srtp_decrypt_failures).toBe(0);
    expect(mb.srtp_decrypt_failures).toBe(1);
    expect(ma.bytes_received).toBe(ma.packets_received * (172 + 10));
    expect(ma.rtt_ms).toBeGreaterThan(0); // SRTCP over the RTP port worked both ways
    expect(mb.rtt_ms).toBeGreaterThan(0);
    expect(ma.mos).toBeGreaterThan(4);
    expect(a.failure).toBeNull();
  });

  it("an answer with a=setup:passive makes the offerer the DTLS client (RFC 5763 §5 allows either)", async () => {
    const { a, b } = await dtlsPair();
    // An offer saying active leaves B passive, the server; A then reads passive in the answer and connects.
    const ans = b.answer(a.offer().replace("a=setup:actpass", "a=setup:active"));
    if (!ans.ok) throw new Error(ans.reason);
    expect(ans.sdp).toContain("a=setup:passive\r\n");
    expect(a.applyAnswer(ans.sdp)).toEqual({ ok: true });
    b.start();
    a.start();
    await until(() => a.dtlsState === "connected" && b.dtlsState === "connected");
    expect([a.dtlsState, b.dtlsState]).toEqual(["connected", "connected"]);
    await sleep(300);
    expect(a.sample().packets_received).toBeGreaterThan(5);
    expect(b.sample().packets_received).toBeGreaterThan(5);
    // An answer saying actpass is not a role (RFC 5763 §5).
    const { a: c, b: d } = await dtlsPair();
    const bad = d.answer(c.offer());
    if (!bad.ok) throw new Error(bad.reason);
    expect(c.applyAnswer(bad.sdp.replace("a=setup:active", "a=setup:actpass"))).toMatchObject({ ok: false, reason: expect.stringContaining("a=setup:actpass") });
  });

  it("a certificate that does not match the answer's a=fingerprint fails the media, never crashes", async () => {
    const { a, b } = await dtlsPair();
    const ans = b.answer(a.offer());
    if (!ans.ok) throw new Error(ans.reason);
    const failures: string[] = [];
    a.onFailure((r) => failures.push(r));
    // The answer names a different certificate than the one B will present.
    const wrong = ans.sdp.replace(/a=fingerprint:sha-256 ([0-9A-F]{2})/, (_m, h: string) => `a=fingerprint:sha-256 ${h === "00" ? "01" : "00"}`);
    expect(a.applyAnswer(wrong)).toEqual({ ok: true });
    a.start();
    b.start();
    await until(() => failures.length > 0);
    await sleep(500);
    expect(failures).toEqual([expect.stringContaining("does not match its a=fingerprint")]);
    expect(a.failure).toBe(failures[0]);
    expect(a.dtlsState).toBe("failed");
    expect(a.sample().packets_received).toBe(0); // no keys: B's SRTP is dropped
    expect(b.sample().packets_received).toBe(0); // A sends nothing without keys
  });
});
