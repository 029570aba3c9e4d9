/**
 * The receive path never throws: random and half-valid datagrams (RTP headers with random payload
 * types, telephone-events of every length, SRTP-sized junk, RTCP-looking bytes) fed straight into a
 * plain and an SRTP session, with the statistics still sane afterwards.
 */
import type { RemoteInfo } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { RtpSession } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";

const open: RtpSession[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.stop();
});

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function datagram(rnd: () => number, i: number): Buffer {
  const kind = i % 4;
  const len = Math.floor(rnd() * (kind === 0 ? 40 : 220));
  const b = Buffer.alloc(len);
  for (let k = 0; k < len; k++) b[k] = Math.floor(rnd() * 256);
  if (kind >= 1 && len >= 12) {
    b[0] = 0x80 | (rnd() < 0.2 ? 0x30 : 0); // sometimes X and P bits
    b[1] = (rnd() < 0.5 ? 101 : Math.floor(rnd() * 128)) | (rnd() < 0.3 ? 0x80 : 0);
    if (kind === 3) b.writeUInt32BE(0xabcdef, 8); // one SSRC, so streams validate and stats run
  }
  if (kind === 2 && len >= 2 && rnd() < 0.3) b[1] = 200 + Math.floor(rnd() * 5); // RTCP-mux lookalike
  return b;
}

describe("RtpSession receive path under junk", () => {
  for (const srtp of [false, true]) {
    it(`${srtp ? "SRTP" : "plain"}: 20,000 random datagrams never throw`, async () => {
      const scheduler = new MediaScheduler();
      const opts = srtp ? { srtp: ["AES_CM_128_HMAC_SHA1_80" as const] } : {};
      const a = await RtpSession.open({ codec: "PCMU", scheduler, ...opts });
      const b = await RtpSession.open({ codec: "PCMU", scheduler, ...opts });
      open.push(a, b);
      const ans = b.answer(a.offer());
      if (!ans.ok) throw new Error(ans.reason);
      a.applyAnswer(ans.sdp);
      const rinfo: RemoteInfo = { address: "127.0.0.1", port: 9, family: "IPv4", size: 0 };
      const onRtp = (a as unknown as { onRtp(m: Buffer, r: RemoteInfo): void }).onRtp.bind(a);
      const onRtcp = (a as unknown as { onRtcp(m: Buffer, r: RemoteInfo): void }).onRtcp.bind(a);
      const rnd = prng(srtp ? 2 : 1);
      for (let i = 0; i < 20_000; i++) {
        const d = datagram(rnd, i);
        expect(() => onRtp(d, rinfo)).not.toThrow();
        if (i % 5 === 0) expect(() => onRtcp(d, rinfo)).not.toThrow();
      }
      const m = a.sample();
      const d = a.detail();
      for (const v of [...Object.values(m), ...Object.values(d)]) expect(Number.isFinite(v)).toBe(true);
      if (srtp) expect(m.srtp_decrypt_failures).toBeGreaterThan(1000);
      else expect(m.packets_received).toBeGreaterThan(1000);
    });
  }
});
