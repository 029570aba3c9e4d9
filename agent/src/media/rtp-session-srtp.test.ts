/** Two RtpSessions on 127.0.0.1 negotiating SDES-SRTP (RFC 4568) and exchanging SRTP through a recording relay. */
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { RtpSession } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";
import { parseSdp } from "./sdp.js";
import { generateSdesKey, parseCrypto, SrtpTransform, type SrtpSuite } from "./srtp.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open: RtpSession[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.stop();
  for (const s of sockets.splice(0)) s.close();
});

function bindOn(port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    sock.once("error", () => (sock.close(), resolve(null)));
    sock.bind(port, "127.0.0.1", () => resolve(sock));
  });
}

/**
 * A UDP relay between two sessions on an even/odd port pair (RTP, RTCP): records the RTP that A
 * sends and forwards it to B (the nth datagram optionally altered), forwards B's replies back, so
 * neither side learns the other's real address (comedia) and every packet passes through.
 */
async function relay(a: RtpSession, b: RtpSession, alter?: (pkt: Buffer, n: number) => Buffer) {
  let pair: [Socket, Socket] | null = null;
  for (let i = 0; i < 20 && !pair; i++) {
    const rtp = await bindOn(0);
    if (!rtp) continue;
    const port = rtp.address().port;
    const rtcp = port % 2 === 0 ? await bindOn(port + 1) : null;
    if (rtcp) pair = [rtp, rtcp];
    else rtp.close();
  }
  if (!pair) throw new Error("no relay port pair");
  const [rtp, rtcp] = pair;
  sockets.push(rtp, rtcp);
  const seen: Buffer[] = [];
  rtp.on("message", (m, rinfo) => {
    if (rinfo.port === b.localPort) return void rtp.send(m, a.localPort, "127.0.0.1");
    seen.push(Buffer.from(m));
    rtp.send(alter ? alter(m, seen.length) : m, b.localPort, "127.0.0.1");
  });
  rtcp.on("message", (m, rinfo) => rtcp.send(m, rinfo.port === b.localRtcpPort ? a.localRtcpPort : b.localRtcpPort, "127.0.0.1"));
  return { port: rtp.address().port, seen };
}

async function srtpPair(suites: SrtpSuite[], answererSuites: SrtpSuite[] = suites) {
  const scheduler = new MediaScheduler();
  const a = await RtpSession.open({ codec: "PCMU", scheduler, srtp: suites });
  const b = await RtpSession.open({ codec: "PCMU", scheduler, srtp: answererSuites });
  open.push(a, b);
  return { a, b };
}

describe("RtpSession with SDES-SRTP", () => {
  it("offers RTP/SAVP with one a=crypto per suite; plain and SRTP sides refuse each other", async () => {
    const { a } = await srtpPair(["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM"]);
    const offer = a.offer();
    expect(offer).toContain(`m=audio ${a.localPort} RTP/SAVP 0 101`);
    const m = parseSdp(offer).media[0]!;
    expect(m.crypto.map((c) => parseCrypto(c)?.suite)).toEqual(["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM"]);
    expect(m.crypto.map((c) => c.split(" ")[0])).toEqual(["1", "2", "3"]);
    expect(a.offer()).toContain(m.crypto[0]!); // re-offers keep the keys
    const plain = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler() });
    open.push(plain);
    expect(plain.answer(offer)).toMatchObject({ ok: false, reason: expect.stringContaining("RTP/SAVP") });
    expect(a.answer(plain.offer())).toMatchObject({ ok: false, reason: expect.stringContaining("SRTP required") });
  });

  it("the answerer picks the offerer's first suite it supports and echoes its tag", async () => {
    const { a, b } = await srtpPair(["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"], ["AEAD_AES_128_GCM"]);
    const ans = b.answer(a.offer());
    if (!ans.ok) throw new Error(ans.reason);
    const crypto = parseSdp(ans.sdp).media[0]!.crypto;
    expect(crypto).toHaveLength(1);
    expect(parseCrypto(crypto[0]!)).toMatchObject({ tag: 2, suite: "AEAD_AES_128_GCM" });
    expect(a.applyAnswer(ans.sdp)).toEqual({ ok: true });
    expect(a.srtpSuite).toBe("AEAD_AES_128_GCM");
    // An answer whose tag we did not offer is refused (RFC 4568 §7.1.3).
    const forged = ans.sdp.replace("a=crypto:2 ", "a=crypto:7 ");
    expect(a.applyAnswer(forged)).toMatchObject({ ok: false, reason: expect.stringContaining("tag 7") });
  });

  for (const suite of ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM"] as const) {
    it(`${suite}: media is encrypted on the wire, decrypts cleanly, a tampered packet is counted`, async () => {
      const { a, b } = await srtpPair([suite]);
      // A → relay → B; the relay flips one payload bit of A's 10th packet.
      const r = await relay(a, b, (pkt, n) => {
        if (n === 12) return r.seen[10]!; // A's 11th packet again instead of its 12th: a replay
        if (n !== 10) return pkt;
        const t = Buffer.from(pkt);
        t[40]! ^= 0x01;
        return t;
      });
      const ans = b.answer(a.offer().replace(`m=audio ${a.localPort} `, `m=audio ${r.port} `));
      if (!ans.ok) throw new Error(ans.reason);
      expect(a.applyAnswer(ans.sdp.replace(`m=audio ${b.localPort} `, `m=audio ${r.port} `))).toEqual({ ok: true });
      a.start();
      b.start();
      await sleep(2200); // RTCP at 0.5 s and 1.5 s: RTT needs the second round
      const ma = a.sample();
      a.stop(); // nothing in flight when B is sampled
      await sleep(100);
      const mb = b.sample();
      const sentByA = a.summary().packetsSent;
      const tag = suite === "AES_CM_128_HMAC_SHA1_32" ? 4 : suite === "AEAD_AES_128_GCM" ? 16 : 10;
      // On the wire: 12-byte header + 160 payload + tag, and the payload is not the plaintext.
      const aKey = parseCrypto(parseSdp(a.offer()).media[0]!.crypto[0]!)!;
      const sniffer = new SrtpTransform(generateSdesKey(suite), aKey);
      const wire = r.seen[2]!;
      expect(wire.length).toBe(172 + tag);
      const plain = sniffer.unprotectRtp(wire)!;
      expect(plain).not.toBeNull();
      expect(plain.subarray(0, 12).equals(wire.subarray(0, 12))).toBe(true); // header in the clear
      expect(plain.subarray(12).equals(wire.subarray(12, 172))).toBe(false); // payload is not
      expect(mb.srtp_decrypt_failures).toBe(1);
      expect(ma.srtp_decrypt_failures).toBe(0);
      // B received every packet A sent except the tampered one and the one replaced by a replay.
      expect(mb.packets_received).toBe(sentByA - 2);
      expect(b.detail().duplicate_packets).toBe(1);
      expect(r.seen.length).toBe(sentByA);
      expect(mb.bytes_received).toBe(mb.packets_received * (172 + tag));
      expect(ma.bytes_sent).toBe(ma.packets_sent * (172 + tag));
      expect(ma.packets_received).toBeGreaterThan(60); // B → relay → A
      expect(ma.rtt_ms).toBeGreaterThan(0); // SRTCP SR/RR round trip worked both ways
      expect(mb.packets_lost).toBeLessThanOrEqual(2);
    });
  }

  it("a wrong key shows as srtp_decrypt_failures, not a crash", async () => {
    const { a, b } = await srtpPair(["AES_CM_128_HMAC_SHA1_80"]);
    const ans = b.answer(a.offer());
    if (!ans.ok) throw new Error(ans.reason);
    // Replace B's key in the answer: A decrypts B's media with the wrong key.
    const wrong = ans.sdp.replace(/inline:[A-Za-z0-9+/=]+/, `inline:${Buffer.alloc(30, 7).toString("base64")}`);
    expect(a.applyAnswer(wrong)).toEqual({ ok: true });
    a.start();
    b.start();
    await sleep(700);
    const ma = a.sample();
    expect(ma.packets_received).toBe(0);
    expect(ma.srtp_decrypt_failures).toBeGreaterThan(20);
    expect(b.sample().packets_received).toBeGreaterThan(20); // the other direction is fine
  });
});
