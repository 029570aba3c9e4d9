/**
 * Opus interop with a peer that is not ours: baresip (Debian package `baresip`, its `opus` module
 * over the system's libopus), over SIP on 127.0.0.1 without a registrar, plain RTP. Our user agent +
 * an Opus RtpSession on one side, baresip with a 440 Hz sine as its microphone on the other:
 *  (a) we call baresip offering opus/48000/2 on PT 111 (RFC 7587 §7); it answers Opus;
 *  (b) baresip calls us offering Opus; we answer on its PT.
 * Each way: > 100 packets from it, every one decoded by our libopus to a real level (none
 * undecodable), MOS > 4; and after our BYE its call summary (module rtcpsummary, RFC 6035 fields:
 * PR packets received, PL lost, JI jitter in ms) shows > 100 of our packets, none lost, and a jitter
 * under 10 ms, which needs our timestamps to advance 960 per 20 ms (RFC 7587 §4.1): 160 per packet
 * read at its 48 kHz clock would be ~17 ms of jitter per packet.
 */
import { afterEach, describe, expect, it } from "vitest";
import { hasBaresipOpus, measureInterval, startBaresip, type BaresipHandle } from "../../../test/support/baresip.js";
import { freeUdpPort } from "../../../test/support/ports.js";
import { createUserAgent, type IncomingCall, type UserAgent } from "../sip/index.js";
import { FLOOR_DBOV } from "./audio-level.js";
import { RtpSession } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";
import { parseSdp } from "./sdp.js";

const OPUS_ENDPOINT = { codec: "OPUS", codecs: ["OPUS", "G722", "PCMU", "PCMA"], preferCodec: true } as const;

/** baresip's end-of-call summary line (`EX=BareSip;...;PR=..;PS=..;PL=..,..;JI=..,..;`). */
async function callSummary(peer: BaresipHandle): Promise<{ received: number; lost: number; jitterMs: number }> {
  await peer.waitFor(/EX=BareSip;[^\n]*JI=/, 5000);
  const line = /EX=BareSip;[^\n]*/.exec(peer.output())![0];
  const field = (k: string) => new RegExp(`;${k}=([^;]*)`).exec(line)?.[1] ?? "";
  return { received: Number(field("PR")), lost: Number(field("PL").split(",")[0]), jitterMs: Number(field("JI").split(",")[0]) };
}

describe.skipIf(!hasBaresipOpus())("Opus interop with baresip", () => {
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

  /** baresip's own end-of-call summary: it received our stream whole, at low jitter. */
  async function expectTheyReceivedUs(bs: BaresipHandle) {
    const theirs = await callSummary(bs);
    expect(theirs.received, bs.output().slice(-1500)).toBeGreaterThan(100);
    expect(theirs.lost).toBe(0);
    expect(theirs.jitterMs).toBeLessThan(10);
  }

  /** What we check of its stream, decoded by us. */
  function expectItsAudio(s: RtpSession, m: ReturnType<RtpSession["sample"]>, d: ReturnType<RtpSession["detail"]>, log: string) {
    expect(m.packets_received, log).toBeGreaterThan(100);
    expect(s.undecodable, "every baresip Opus packet decodes").toBe(0);
    expect(s.malformed).toBeLessThanOrEqual(2); // its RTCP APP "PING" pinholes (no compound, RFC 3550 §6.1)
    expect(d.audio_level_dbov, "its 440 Hz sine, decoded").toBeGreaterThan(-60);
    expect(d.speech_level_dbov).toBeGreaterThan(FLOOR_DBOV);
    expect(m.jitter_ms).toBeLessThan(20);
    expect(m.mos).toBeGreaterThan(4);
  }

  it("we call baresip offering Opus: it answers opus/48000/2, media both ways, each side decodes the other", async () => {
    const bsPort = await freeUdpPort();
    peer = await startBaresip({ sipPort: bsPort, audioCodecs: "opus/48000/2" });
    media = await RtpSession.open({ ...OPUS_ENDPOINT, scheduler: new MediaScheduler() });
    ua = await createUserAgent({ server: { host: "127.0.0.1", port: bsPort, transport: "UDP" }, domain: "127.0.0.1", account: { username: "ringfleet", password: "unused" } });
    const call = ua.invite(`sip:peer@127.0.0.1:${bsPort}`, media.offer(), { direct: true });
    const final = await call.final;
    if (!final.ok) throw new Error(`${final.statusCode} ${final.reason}\n${peer.output().slice(-2000)}`);
    const answer = parseSdp(final.remoteSdp).media[0]!;
    expect(answer.payloadTypes[0]).toBe(111); // our PT echoed (RFC 3264 §6.1)
    expect(answer.rtpmap.get(111)).toMatchObject({ encoding: expect.stringMatching(/^opus$/i), clockRate: 48000, channels: 2 });
    expect(media.applyAnswer(final.remoteSdp), final.remoteSdp).toEqual({ ok: true });
    expect(media.codec).toBe("OPUS");
    media.start();
    const { m, d } = await measureInterval(media, 3000);
    expectItsAudio(media, m, d, peer.output().slice(-2000));
    expect(peer.output()).toContain("Set audio decoder: opus 48000Hz");
    expect(await call.bye()).toMatchObject({ ok: true, statusCode: 200 });
    await expectTheyReceivedUs(peer);
  }, 30_000);

  it("baresip calls us with Opus: we answer on its PT and decode its audio; it decodes ours", async () => {
    const ourPort = await freeUdpPort();
    const bsPort = await freeUdpPort();
    media = await RtpSession.open({ ...OPUS_ENDPOINT, scheduler: new MediaScheduler() });
    ua = await createUserAgent({ localPort: ourPort, server: { host: "127.0.0.1", port: bsPort, transport: "UDP" }, domain: "127.0.0.1", account: { username: "ringfleet", password: "unused" } });
    const offered = new Promise<{ call: IncomingCall; offer: string; answer: string }>((resolve, reject) => {
      ua!.onIncomingCall((call) => {
        const ans = media!.answer(call.remoteSdp);
        if (!ans.ok) {
          call.reject(488);
          reject(new Error(ans.reason));
          return;
        }
        call.answer(ans.sdp);
        media!.start();
        resolve({ call, offer: call.remoteSdp, answer: ans.sdp });
      });
    });
    peer = await startBaresip({ sipPort: bsPort, audioCodecs: "opus/48000/2", dial: `sip:ringfleet@127.0.0.1:${ourPort}` });
    const { call, offer, answer } = await offered;
    const o = parseSdp(offer).media[0]!;
    const opusPt = [...o.rtpmap].find(([, map]) => map.encoding.toLowerCase() === "opus")?.[0];
    expect(opusPt, offer).toBeDefined();
    expect(answer).toContain(`a=rtpmap:${opusPt} opus/48000/2\r\n`);
    expect(media.codec).toBe("OPUS");
    const { m, d } = await measureInterval(media, 3000);
    expectItsAudio(media, m, d, peer.output().slice(-2000));
    expect(await call.bye()).toMatchObject({ ok: true, statusCode: 200 });
    await expectTheyReceivedUs(peer);
  }, 30_000);
});
