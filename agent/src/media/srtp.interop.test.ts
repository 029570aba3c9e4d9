/**
 * SRTP interop with a peer that is not ours: baresip (Debian package `baresip`, its `srtp` and
 * `dtls_srtp` modules), over SIP on 127.0.0.1 without a registrar. Our user agent + RtpSession on
 * one side, baresip with a 440 Hz sine as its microphone on the other:
 *  (a) we call baresip offering RTP/SAVP with a=crypto (SDES, RFC 4568); it auto-answers with its
 *      own key; media flows both ways, every packet of baresip's decrypts (0 failures).
 *  (b) baresip calls us (SDES): we answer with our key; the same checks.
 *  (c) DTLS-SRTP (RFC 5764) against baresip as answerer: the handshake on the RTP port completes
 *      and baresip's SRTP decrypts.
 * A packet received counts only after SRTP authentication, so packets_received > 0 together with
 * srtp_decrypt_failures = 0 is "decrypting cleanly".
 */
import { afterEach, describe, expect, it } from "vitest";
import { hasBaresip, measureInterval, startBaresip, type BaresipHandle } from "../../../test/support/baresip.js";
import { freeUdpPort } from "../../../test/support/ports.js";
import { createUserAgent, type UserAgent } from "../sip/index.js";
import { createDtlsIdentity } from "./dtls-srtp.js";
import { RtpSession } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";
import { parseSdp } from "./sdp.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasBaresip())("SRTP interop with baresip", () => {
  let peer: BaresipHandle | null = null;
  let ua: UserAgent | null = null;
  let media: RtpSession | null = null;
  afterEach(async () => {
    media?.stop();
    media = null;
    await ua?.close();
    ua = null;
    await peer?.stop();
    peer = null;
  });

  it("SDES: we call baresip with RTP/SAVP + a=crypto; its answer's key decrypts every packet", async () => {
    const bsPort = await freeUdpPort();
    peer = await startBaresip({ sipPort: bsPort, mediaenc: "srtp-mand" });
    media = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler(), srtp: ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"] });
    ua = await createUserAgent({ server: { host: "127.0.0.1", port: bsPort, transport: "UDP" }, domain: "127.0.0.1", account: { username: "ringfleet", password: "unused" } });
    const call = ua.invite(`sip:peer@127.0.0.1:${bsPort}`, media.offer(), { direct: true });
    const final = await call.final;
    if (!final.ok) throw new Error(`${final.statusCode} ${final.reason}\n${peer.output().slice(-2000)}`);
    const answer = parseSdp(final.remoteSdp).media[0]!;
    expect(answer.proto).toBe("RTP/SAVP");
    expect(answer.crypto).toHaveLength(1);
    expect(media.applyAnswer(final.remoteSdp)).toEqual({ ok: true });
    media.start();
    const m = (await measureInterval(media, 3000)).m;
    expect(media.srtpSuite).toMatch(/^AES_CM_128_HMAC_SHA1_(80|32)$/);
    expect(m.packets_received, peer.output().slice(-2000)).toBeGreaterThan(100);
    expect(m.srtp_decrypt_failures).toBe(0);
    expect(media.malformed).toBeLessThanOrEqual(2); // baresip's plain RTCP APP "PING" pinholes, see (b)
    expect(await call.bye()).toMatchObject({ ok: true, statusCode: 200 });
  }, 30_000);

  it("SDES: baresip calls us; we answer RTP/SAVP with our own key and decrypt its media cleanly", async () => {
    const ourPort = await freeUdpPort();
    const bsPort = await freeUdpPort();
    media = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler(), srtp: ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"] });
    ua = await createUserAgent({ localPort: ourPort, server: { host: "127.0.0.1", port: bsPort, transport: "UDP" }, domain: "127.0.0.1", account: { username: "ringfleet", password: "unused" } });
    const offered = new Promise<string>((resolve, reject) => {
      ua!.onIncomingCall((call) => {
        const ans = media!.answer(call.remoteSdp);
        if (!ans.ok) {
          call.reject(488);
          reject(new Error(ans.reason));
          return;
        }
        call.answer(ans.sdp);
        media!.start();
        resolve(call.remoteSdp);
      });
    });
    peer = await startBaresip({ sipPort: bsPort, mediaenc: "srtp-mand", dial: `sip:ringfleet@127.0.0.1:${ourPort}` });
    const offer = parseSdp(await offered).media[0]!;
    expect(offer.proto).toBe("RTP/SAVP");
    expect(offer.crypto.length).toBeGreaterThan(0);
    const m = (await measureInterval(media, 3000)).m;
    expect(m.packets_received, peer.output().slice(-2000)).toBeGreaterThan(100);
    expect(m.srtp_decrypt_failures).toBe(0);
    // At most the plain 16-octet RTCP APP "PING" pinholes baresip sends before its keys are set:
    // too short for SRTCP (RFC 3711 §3.4), so malformed, not a decryption failure.
    expect(media.malformed).toBeLessThanOrEqual(2);
  }, 30_000);

  it("DTLS-SRTP: we call baresip with UDP/TLS/RTP/SAVP + a=fingerprint; the handshake completes and its SRTP decrypts", async () => {
    const bsPort = await freeUdpPort();
    peer = await startBaresip({ sipPort: bsPort, mediaenc: "dtls_srtp" });
    media = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler(), dtls: await createDtlsIdentity() });
    ua = await createUserAgent({ server: { host: "127.0.0.1", port: bsPort, transport: "UDP" }, domain: "127.0.0.1", account: { username: "ringfleet", password: "unused" } });
    const call = ua.invite(`sip:peer@127.0.0.1:${bsPort}`, media.offer(), { direct: true });
    const final = await call.final;
    if (!final.ok) throw new Error(`${final.statusCode} ${final.reason}\n${peer.output().slice(-2000)}`);
    const answer = parseSdp(final.remoteSdp);
    expect(answer.media[0]!.proto).toMatch(/^UDP\/TLS\/RTP\/SAVPF?$/);
    const neg = media.applyAnswer(final.remoteSdp);
    expect(neg, final.remoteSdp).toEqual({ ok: true });
    media.start();
    for (let i = 0; i < 100 && media.dtlsState !== "connected" && !media.failure; i++) await sleep(50);
    expect(media.failure, peer.output().slice(-2000)).toBeNull();
    expect(media.dtlsState).toBe("connected");
    const m = (await measureInterval(media, 3000)).m;
    expect(m.packets_received, peer.output().slice(-2000)).toBeGreaterThan(100);
    expect(m.srtp_decrypt_failures).toBe(0);
    expect(await call.bye()).toMatchObject({ ok: true, statusCode: 200 });
  }, 30_000);
});
