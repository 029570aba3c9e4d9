/** RtpSession with Opus (RFC 7587): two real sessions on 127.0.0.1, and a raw socket as a peer. */
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { FLOOR_DBOV } from "./audio-level.js";
import { RtpSession } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";
import { frameBytes, payloadLoop } from "./source.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open: RtpSession[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.stop();
  for (const s of sockets.splice(0)) s.close();
});

const ALL = ["OPUS", "G722", "PCMU", "PCMA"] as const;

async function session(scheduler: MediaScheduler, codec: "OPUS" | "PCMU" = "OPUS") {
  const s = await RtpSession.open({ localAddress: "127.0.0.1", codec, codecs: codec === "OPUS" ? ALL : ["PCMU", "PCMA"], preferCodec: true, scheduler });
  open.push(s);
  return s;
}

/** A UDP socket on 127.0.0.1 that keeps what it receives. */
async function rawPeer(): Promise<{ sock: Socket; port: number; got: Buffer[] }> {
  const sock = createSocket("udp4");
  sockets.push(sock);
  const got: Buffer[] = [];
  sock.on("message", (m) => got.push(Buffer.from(m)));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
  return { sock, port: sock.address().port, got };
}

function rtp(pt: number, seq: number, ts: number, ssrc: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  b.set(payload, 12);
  return b;
}

describe("RtpSession with Opus", () => {
  it("two Opus endpoints: PT 111, 48 kHz timestamps, clean metrics, MOS > 4 and real audio levels", async () => {
    const scheduler = new MediaScheduler();
    const a = await session(scheduler);
    const b = await session(scheduler);
    const offer = a.offer();
    expect(offer).toContain(`m=audio ${a.localPort} RTP/AVP 111 9 0 8 110 101\r\n`);
    const ans = b.answer(offer);
    if (!ans.ok) throw new Error(ans.reason);
    expect(ans.sdp).toContain(`m=audio ${b.localPort} RTP/AVP 111 110\r\n`);
    expect(ans.sdp).toContain("a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n");
    expect(ans.sdp).toContain("a=rtpmap:110 telephone-event/48000\r\n");
    expect(a.applyAnswer(ans.sdp)).toEqual({ ok: true });
    expect([a.codec, b.codec]).toEqual(["OPUS", "OPUS"]);
    expect([a.stats.clockRate, a.arrival.clockRate, a.jitterBuffer.clockRate]).toEqual([48000, 48000, 48000]);
    a.start();
    b.start();
    await sleep(1500);
    a.sample();
    b.sample();
    await sleep(1000);
    for (const s of [a, b]) {
      const m = s.sample();
      const d = s.detail();
      expect(m.packets_received).toBeGreaterThan(40);
      expect(m.packets_lost).toBe(0);
      // VBR: not 172 bytes a packet as G.711; ~24 kbit/s + 12-byte headers ≈ 60–120 bytes.
      expect(m.bytes_received / m.packets_received).toBeGreaterThan(40);
      expect(m.bytes_received / m.packets_received).toBeLessThan(140);
      // §A.8 at the 48 kHz clock: read at 8 kHz the 960-unit steps would make ~100 ms of jitter.
      expect(m.jitter_ms).toBeLessThan(10);
      expect(m.mos).toBeGreaterThan(4);
      expect(d.avg_packet_spacing).toBeGreaterThan(15);
      expect(d.avg_packet_spacing).toBeLessThan(25);
      // Decoded audio: the speech-like source's level, not the floor.
      expect(d.audio_level_dbov).toBeGreaterThan(-45);
      expect(d.audio_level_dbov).toBeLessThan(-5);
      expect(d.speech_level_dbov).toBeGreaterThan(FLOOR_DBOV);
      expect(d.speech_level_dbov).toBeGreaterThanOrEqual(d.audio_level_dbov);
      expect(s.summary().malformed).toBe(0);
    }
    const calm = scheduler.stats().lagMaxMs < 40 && a.summary().skippedFrames === 0;
    if (calm) expect(b.summary().timestampJumps).toBe(0);
  });

  it("on the wire: PT 111, timestamps +960 per packet, payloads of the loop's variable sizes", async () => {
    const scheduler = new MediaScheduler();
    const a = await session(scheduler);
    const peer = await rawPeer();
    const ans = a.answer(`v=0\nc=IN IP4 127.0.0.1\nm=audio ${peer.port} RTP/AVP 111\na=rtpmap:111 opus/48000/2\n`);
    if (!ans.ok) throw new Error(ans.reason);
    a.start();
    await sleep(400);
    const pkts = peer.got.filter((p) => (p[1]! & 0x7f) === 111);
    expect(pkts.length).toBeGreaterThan(10);
    const loop = payloadLoop("OPUS");
    const sizes = new Set(Array.from({ length: loop.frames }, (_, i) => frameBytes(loop, i)));
    for (let k = 1; k < pkts.length; k++) {
      const dSeq = (pkts[k]!.readUInt16BE(2) - pkts[k - 1]!.readUInt16BE(2)) & 0xffff;
      const dTs = (pkts[k]!.readUInt32BE(4) - pkts[k - 1]!.readUInt32BE(4)) >>> 0;
      expect(dTs).toBe(960 * dSeq); // skipped frames move the timestamp on, in 960s (§4.1)
      expect(sizes.has(pkts[k]!.length - 12)).toBe(true);
    }
    expect(new Set(pkts.map((p) => p.length)).size).toBeGreaterThan(1);
  });

  it("answers another UA's offer (opus on PT 96, telephone-event/48000 on 101) on its PTs; DTMF at 48 kHz", async () => {
    const scheduler = new MediaScheduler();
    const a = await session(scheduler);
    const b = await session(scheduler);
    // a's offer dressed as a softphone's: opus on 96, telephone-event/48000 on 101 and /8000 on 97.
    const offer = [
      "v=0",
      "o=- 3884720051 3884720052 IN IP4 127.0.0.1",
      "s=Talk",
      "c=IN IP4 127.0.0.1",
      "t=0 0",
      `m=audio ${a.localPort} RTP/AVP 96 9 0 8 101 97`,
      "a=rtpmap:96 opus/48000/2",
      "a=fmtp:96 useinbandfec=1;stereo=0;sprop-stereo=0",
      "a=rtpmap:101 telephone-event/48000",
      "a=rtpmap:97 telephone-event/8000",
      "a=fmtp:101 0-15",
      "a=ptime:20",
      "",
    ].join("\r\n");
    const ans = b.answer(offer);
    if (!ans.ok) throw new Error(ans.reason);
    expect(ans.sdp).toContain(`m=audio ${b.localPort} RTP/AVP 96 101\r\n`);
    expect(ans.sdp).toContain("a=rtpmap:96 opus/48000/2\r\n");
    expect(ans.sdp).toContain("a=rtpmap:101 telephone-event/48000\r\n");
    expect(ans.sdp).not.toContain("111");
    expect(a.applyAnswer(ans.sdp)).toEqual({ ok: true });
    expect(a.remoteMedia).toMatchObject({ payloadType: 96, codec: "OPUS" });
    a.start();
    b.start();
    await sleep(300);
    expect(a.sendDtmf("4#", { toneMs: 100, gapMs: 60 })).toBe(2);
    await sleep(900);
    expect(b.receivedDigits).toBe("4#");
    const m = b.sample();
    expect(m.packets_received).toBeGreaterThan(30);
    expect(b.summary().malformed).toBe(0);
    expect(b.detail().audio_level_dbov).toBeGreaterThan(FLOOR_DBOV);
  });

  it("an Opus endpoint picks Opus from an offer listing G.711 first (its codec first), and G.711 when Opus is absent", async () => {
    const scheduler = new MediaScheduler();
    const caller = await session(scheduler, "PCMU");
    const opus = await session(scheduler);
    const peer = await rawPeer();
    const ans = opus.answer(`v=0\nc=IN IP4 127.0.0.1\nm=audio ${peer.port} RTP/AVP 0 8 111 101\na=rtpmap:111 opus/48000/2\na=rtpmap:101 telephone-event/8000\n`);
    if (!ans.ok) throw new Error(ans.reason);
    // Opus chosen; the offer had no telephone-event/48000, so ours goes on a PT the offer left free.
    expect(ans.sdp).toContain(`m=audio ${opus.localPort} RTP/AVP 111 110\r\n`);
    const other = await session(scheduler);
    const g711 = other.answer(caller.offer());
    if (!g711.ok) throw new Error(g711.reason);
    expect(other.codec).toBe("PCMU");
    expect(g711.sdp).toContain(`RTP/AVP 0 101\r\n`);
    expect(other.stats.clockRate).toBe(8000);
  });

  it("an Opus payload that does not decode is counted as malformed, never thrown; G.711 PTs are not Opus", async () => {
    const scheduler = new MediaScheduler();
    const b = await session(scheduler);
    const peer = await rawPeer();
    const ans = b.answer(`v=0\nc=IN IP4 127.0.0.1\nm=audio ${peer.port} RTP/AVP 111\na=rtpmap:111 opus/48000/2\na=sendonly\n`);
    if (!ans.ok) throw new Error(ans.reason);
    b.start();
    const loop = payloadLoop("OPUS");
    const ssrc = 0x0badcafe;
    for (let i = 0; i < 20; i++) {
      const f = loop.data.subarray(loop.offsets[i], loop.offsets[i + 1]);
      peer.sock.send(rtp(111, 1000 + i, 5000 + 960 * i, ssrc, f), b.localPort, "127.0.0.1");
    }
    peer.sock.send(rtp(111, 1020, 5000 + 960 * 20, ssrc, Buffer.from([0x03, 0x00])), b.localPort, "127.0.0.1"); // code 3, 0 frames (RFC 6716 §3.2.5)
    peer.sock.send(rtp(111, 1021, 5000 + 960 * 21, ssrc, Buffer.alloc(0)), b.localPort, "127.0.0.1"); // empty (§3.4 R1)
    peer.sock.send(rtp(0, 1022, 5000 + 960 * 22, ssrc, Buffer.alloc(160, 0xff)), b.localPort, "127.0.0.1"); // a G.711 PT
    await sleep(300);
    expect([b.malformed, b.undecodable]).toEqual([2, 2]);
    expect(b.unknownPayloadType).toBe(1);
    const m = b.sample();
    expect(m.packets_received).toBe(22); // the G.711 one is dropped before the statistics
    expect(b.detail().audio_level_dbov).toBeGreaterThan(FLOOR_DBOV);
  });
});
