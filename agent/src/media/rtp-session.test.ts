/** Two real sessions on 127.0.0.1 exchanging RTP/RTCP through the shared scheduler. */
import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { mosFromR, mouthToEarMs, rFactor } from "./emodel.js";
import { DETAIL_METRIC_KEYS, SECOND_METRIC_KEYS } from "../../../protocol/metrics.js";
import { buildSr } from "./rtcp.js";
import { RtpSession, mediaCounters } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open: RtpSession[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.stop();
});

async function pair(scheduler: MediaScheduler, aOpts: { dropEveryNth?: number } = {}) {
  const a = await RtpSession.open({ localAddress: "127.0.0.1", codec: "PCMU", codecs: ["PCMU", "PCMA"], scheduler, ...aOpts });
  const b = await RtpSession.open({ localAddress: "127.0.0.1", codec: "PCMA", codecs: ["PCMA", "PCMU"], scheduler });
  open.push(a, b);
  return { a, b };
}

describe("RtpSession", () => {
  it("binds an even RTP port with RTCP on the next one", async () => {
    const s = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler() });
    open.push(s);
    expect(s.localPort % 2).toBe(0);
    expect(s.localRtcpPort).toBe(s.localPort + 1);
    expect(s.offer()).toContain(`m=audio ${s.localPort} RTP/AVP 0 101`);
    const w = await RtpSession.open({ localAddress: "0.0.0.0", advertiseAddress: "127.0.0.1", codec: "PCMA", scheduler: new MediaScheduler() });
    open.push(w);
    expect(w.offer()).toContain("c=IN IP4 127.0.0.1\r\n");
  });

  it("negotiates, exchanges media for ~2 s, reports clean metrics and RTT", async () => {
    const scheduler = new MediaScheduler();
    const { a, b } = await pair(scheduler);
    const ans = b.answer(a.offer());
    expect(ans.ok).toBe(true);
    if (!ans.ok) return;
    expect(ans.sdp).toContain("m=audio " + b.localPort + " RTP/AVP 0 101"); // offerer's preference wins
    expect(a.applyAnswer(ans.sdp)).toEqual({ ok: true });
    expect(a.codec).toBe("PCMU");
    expect(b.codec).toBe("PCMU");
    a.start();
    b.start();
    await sleep(1000);
    a.sample();
    b.sample();
    await sleep(1000);
    const sa = a.sample();
    const sb = b.sample();
    await sleep(60);
    for (const m of [sa, sb]) {
      expect(Object.keys(m).sort()).toEqual(
        ["bytes_received", "bytes_sent", "dtmf_digits_received", "dtmf_digits_sent", "fraction_lost", "jitter_ms", "mos", "packets_lost", "packets_received", "packets_sent", "r_factor", "rtt_ms", "srtp_decrypt_failures"],
      );
      expect(m.packets_received).toBeGreaterThanOrEqual(95);
      expect(m.packets_received).toBeLessThanOrEqual(105);
      expect(m.packets_sent).toBeGreaterThanOrEqual(95);
      expect(m.bytes_sent).toBe(m.packets_sent * 172);
      expect(m.bytes_received).toBe(m.packets_received * 172);
      expect(m.fraction_lost).toBe(0);
      expect(m.packets_lost).toBe(0);
      expect(m.jitter_ms).toBeLessThan(10);
      expect(m.mos).toBeGreaterThan(4.3);
      expect(m.r_factor).toBeGreaterThan(88);
      expect(m.rtt_ms).toBeGreaterThan(0);
      expect(m.rtt_ms).toBeLessThan(50);
    }
    const sum = a.summary();
    expect(sum.samples).toBe(2);
    expect(sum.mosAvg).toBeGreaterThan(4.3);
    expect(sum.malformed).toBe(0);
    expect(sum.rttMsAvg).toBeGreaterThan(0);
  });

  it("detail(): rates, spacing, RTCP interval, jitter buffer and audio level of a clean call", async () => {
    const scheduler = new MediaScheduler();
    const { a, b } = await pair(scheduler);
    const ans = b.answer(a.offer());
    if (!ans.ok) throw new Error(ans.reason);
    a.applyAnswer(ans.sdp);
    a.start();
    b.start();
    await sleep(1600);
    b.sample();
    await sleep(1000);
    b.sample();
    const d = b.detail();
    // On a calm event loop a clean call has no late packets and no timestamp jumps. On a loaded
    // runner the sender may skip frames (a real timestamp jump on the wire) and a stall longer than
    // the 60 ms buffer makes packets late, so only bounds are checked then.
    const calm = scheduler.stats().lagMaxMs < 40 && a.summary().skippedFrames === 0;
    const sum = b.summary();
    expect(sum).toMatchObject({ samples: 2, ssrcSwitches: 0 });
    if (calm) expect([sum.jitterBufferLate, sum.effectiveLossAvg, sum.timestampJumps]).toEqual([0, 0, 0]);
    else expect(sum.jitterBufferLate).toBeLessThan(10);
    expect(b.summary().jitterBufferDelayMsAvg).toBeGreaterThanOrEqual(60);
    // Exactly the documented keys, no more, no less (protocol/metrics.ts).
    expect(Object.keys(d).sort()).toEqual([...DETAIL_METRIC_KEYS].sort());
    expect(Object.keys(b.sample()).sort()).toEqual([...SECOND_METRIC_KEYS].sort());
    expect(d.packets_recv_rate_ps).toBeGreaterThan(45);
    expect(d.packets_recv_rate_ps).toBeLessThan(55);
    expect(Math.abs(d.bytes_recv_rate_bps - d.packets_recv_rate_ps * 172 * 8)).toBeLessThan(10); // both rounded to 0.01
    expect(d.packets_sent_rate_ps).toBeGreaterThan(45);
    expect(d.avg_packet_spacing).toBeGreaterThan(18);
    expect(d.avg_packet_spacing).toBeLessThan(22);
    expect(d.min_packet_spacing).toBeLessThanOrEqual(d.avg_packet_spacing);
    expect(d.max_packet_spacing).toBeGreaterThanOrEqual(d.avg_packet_spacing);
    // A's reports: first at 0.5 s, then every 1 s (the schedule in the header).
    expect(d.rtcp_sr_rr_interval_ms).toBeGreaterThan(calm ? 900 : 600);
    expect(d.rtcp_sr_rr_interval_ms).toBeLessThan(calm ? 1100 : 1500);
    expect([d.duplicate_packets, d.out_of_order_packets, d.sequence_number_resets, d.sequence_number_jumps, d.ssrc_switches]).toEqual([0, 0, 0, 0, 0]);
    if (calm) expect([d.timestamp_jumps, d.jb_late_packets, d.jb_effective_loss]).toEqual([0, 0, 0]);
    expect(d.sequence_number_gaps).toBe(0);
    expect(d.jb_current_delay_ms).toBeGreaterThanOrEqual(60);
    // The speech-like source (source.ts): a real level, with speech and pauses told apart.
    expect(d.audio_level_dbov).toBeGreaterThan(-40);
    expect(d.audio_level_dbov).toBeLessThan(-5);
    expect(d.speech_level_dbov).toBeGreaterThanOrEqual(d.audio_level_dbov);
    expect(d.clock_drift_estimate).toBe(0); // not reported before 10 s of media (arrival-stats.ts)
  });

  it("drop every 10th packet → ≈ 10 % loss and a lower MOS", async () => {
    const scheduler = new MediaScheduler();
    const { a, b } = await pair(scheduler, { dropEveryNth: 10 });
    const ans = b.answer(a.offer());
    if (!ans.ok) throw new Error(ans.reason);
    a.applyAnswer(ans.sdp);
    a.start();
    b.start();
    await sleep(1000);
    b.sample();
    await sleep(1000);
    const m = b.sample();
    expect(m.fraction_lost).toBeGreaterThanOrEqual(6);
    expect(m.fraction_lost).toBeLessThanOrEqual(14);
    expect(m.packets_lost).toBeGreaterThanOrEqual(8);
    expect(m.packets_lost).toBeLessThanOrEqual(12);
    // G.711, Bpl 4.3: Ie,eff = 95·10/(10 + 4.3) ≈ 66 → R ≈ 26 → MOS ≈ 1.4
    expect(m.mos).toBeLessThan(2);
    expect(m.mos).toBeGreaterThan(1.1);
    // MOS is G.107 on what the modelled playout buffer suffers (detail keys of the same sample).
    const d = b.detail();
    expect(d.jb_effective_loss).toBeGreaterThanOrEqual(m.fraction_lost);
    const expected = mosFromR(rFactor({ oneWayDelayMs: mouthToEarMs(m.rtt_ms, m.jitter_ms, 20, d.jb_current_delay_ms), packetLossPct: d.jb_effective_loss }));
    expect(m.mos).toBeCloseTo(expected, 1);
    expect(a.sample().fraction_lost).toBe(0); // the other direction is clean
  });

  it("counts malformed RTP/RTCP and survives junk; learns the peer's address (comedia)", async () => {
    const scheduler = new MediaScheduler();
    const { a, b } = await pair(scheduler);
    // A is told a wrong port for B; B sends to A; A must learn B's real address.
    a.start({ address: "127.0.0.1", port: 9, payloadType: 0 });
    b.start({ address: "127.0.0.1", port: a.localPort, payloadType: 0 });
    const junk = createSocket("udp4");
    const before = mediaCounters.malformed;
    for (const bytes of [Buffer.from("hello"), Buffer.alloc(40, 0xff), Buffer.from([0x80, 0xc8, 0, 99, 1, 2, 3, 4])]) {
      junk.send(bytes, a.localPort, "127.0.0.1");
      junk.send(bytes, a.localRtcpPort, "127.0.0.1");
    }
    // a well-formed RTP packet from a stray SSRC must not hijack the stream
    const stray = Buffer.alloc(172);
    stray[0] = 0x80;
    stray.writeUInt32BE(0x5555, 8);
    await sleep(300);
    junk.send(stray, a.localPort, "127.0.0.1");
    junk.send(buildSr(1, { ntpMs: Date.now(), rtpTimestamp: 0, packetCount: 1, octetCount: 1 }, []), a.localRtcpPort, "127.0.0.1");
    await sleep(700);
    junk.close();
    expect(a.malformed).toBeGreaterThanOrEqual(5);
    expect(mediaCounters.malformed - before).toBeGreaterThanOrEqual(5);
    expect(a.foreignSsrc).toBe(1);
    expect(a.remoteLearned).toBe(1);
    expect(a.remoteMedia).toMatchObject({ port: b.localPort });
    const mb = b.sample();
    expect(mb.packets_received).toBeGreaterThan(20); // B now hears A
    // the stray SR (SSRC 1) did not redirect A's RTCP: B gets A's SRs and learns its RTT
    await sleep(800);
    expect(b.rttMs).not.toBeNull();
  });

  it("reports dead media as 100 % loss once running, unless the peer said it does not send", async () => {
    const scheduler = new MediaScheduler();
    const { a, b } = await pair(scheduler);
    const ans = b.answer(a.offer().replace("a=sendrecv", "a=sendonly")); // b answers recvonly
    if (!ans.ok) throw new Error(ans.reason);
    expect(ans.sdp).toContain("a=recvonly");
    a.applyAnswer(ans.sdp);
    // a sends to a black hole, b (recvonly) sends nothing: a hears nothing, but was told so
    a.start({ address: "127.0.0.1", port: 9, payloadType: 0 });
    const c = await RtpSession.open({ codec: "PCMU", scheduler });
    open.push(c);
    c.start({ address: "127.0.0.1", port: 9, payloadType: 0 }); // c expects media that never comes
    await sleep(1600);
    expect(a.sample().fraction_lost).toBe(0);
    const mc = c.sample();
    expect(mc.fraction_lost).toBe(100);
    expect(mc.mos).toBeLessThan(1.2);
    expect(b.sample().packets_sent).toBe(0);
  });

  it("sends RFC 4733 digits with the negotiated PT in place of audio; the peer detects them once", async () => {
    const scheduler = new MediaScheduler();
    const heard: string[] = [];
    const a = await RtpSession.open({ localAddress: "127.0.0.1", codec: "PCMU", codecs: ["PCMU", "PCMA"], scheduler });
    const b = await RtpSession.open({
      localAddress: "127.0.0.1",
      codec: "PCMA",
      codecs: ["PCMA", "PCMU"],
      scheduler,
      onDtmf: (d) => {
        heard.push(d);
        throw new Error("a listener's bug"); // must not break the receive path
      },
    });
    open.push(a, b);
    // The offer declares telephone-event on PT 96: B's answer echoes it (RFC 3264 §6.1) and A
    // must send its events with 96, which is then the only event PT B recognises.
    const offer = a.offer().replace(/ 101\r\n/, " 96\r\n").replace(/a=(rtpmap|fmtp):101/g, "a=$1:96");
    const ans = b.answer(offer);
    if (!ans.ok) throw new Error(ans.reason);
    expect(ans.sdp).toContain("a=rtpmap:96 telephone-event/8000");
    expect(ans.sdp).not.toContain(":101");
    expect(a.applyAnswer(ans.sdp)).toEqual({ ok: true });
    a.start();
    b.start();
    await sleep(200);
    expect(a.sendDtmf("12#", { toneMs: 60, gapMs: 40 })).toBe(3);
    expect(b.sendDtmf("9")).toBe(1);
    await sleep(900);
    const ma = a.sample();
    const mb = b.sample();
    expect(ma.dtmf_digits_sent).toBe(3);
    expect(mb.dtmf_digits_received).toBe(3);
    expect(b.receivedDigits).toBe("12#");
    expect(heard).toEqual(["1", "2", "#"]);
    expect(a.receivedDigits).toBe("9");
    expect(mb.dtmf_digits_sent).toBe(1);
    // Events share the sequence space (no loss) and do not disturb jitter.
    expect(mb.packets_lost).toBe(0);
    expect(mb.jitter_ms).toBeLessThan(10);
    expect(b.unknownPayloadType).toBe(0);
  });

  it("on the wire: one timestamp per event, marker first, growing duration, three E packets, audio suppressed", async () => {
    const scheduler = new MediaScheduler();
    const a = await RtpSession.open({ codec: "PCMU", scheduler });
    open.push(a);
    const sniffer = createSocket("udp4");
    const pkts: Buffer[] = [];
    sniffer.on("message", (m) => pkts.push(Buffer.from(m)));
    await new Promise<void>((r) => sniffer.bind(0, "127.0.0.1", r));
    try {
      a.answer(`v=0\nc=IN IP4 127.0.0.1\nm=audio ${sniffer.address().port} RTP/AVP 0 110\na=rtpmap:110 telephone-event/8000\n`);
      a.start();
      await sleep(100);
      expect(a.sendDtmf("7", { toneMs: 100, gapMs: 0 })).toBe(1);
      await sleep(400);
    } finally {
      sniffer.close();
    }
    const i0 = pkts.findIndex((p) => (p[1]! & 0x7f) === 110);
    const ev = pkts.slice(i0, i0 + 7);
    expect(ev.map((p) => p[1]! & 0x7f)).toEqual([110, 110, 110, 110, 110, 110, 110]);
    expect(ev.map((p) => p[1]! >> 7)).toEqual([1, 0, 0, 0, 0, 0, 0]); // marker on the first only
    expect(new Set(ev.map((p) => p.readUInt32BE(4))).size).toBe(1); // one timestamp
    expect(ev.map((p) => p[12])).toEqual([7, 7, 7, 7, 7, 7, 7]);
    expect(ev.map((p) => p[13]! >> 7)).toEqual([0, 0, 0, 0, 1, 1, 1]); // E bit, three times
    expect(ev.map((p) => p.readUInt16BE(14))).toEqual([160, 320, 480, 640, 800, 800, 800]);
    const seqs = pkts.slice(i0 - 1, i0 + 8).map((p) => p.readUInt16BE(2));
    for (let k = 1; k < seqs.length; k++) expect((seqs[k]! - seqs[k - 1]!) & 0xffff).toBe(1); // no gaps
    expect(pkts[i0 + 7]![1]! & 0x7f).toBe(0); // audio resumes
    // The audio after the event carries the timestamp of its own sampling instant (8 frames on,
    // more if the scheduler had to skip frames under load).
    expect((pkts[i0 + 7]!.readUInt32BE(4) - pkts[i0 - 1]!.readUInt32BE(4)) >>> 0).toBeGreaterThanOrEqual(8 * 160);
  });

  it("sendDtmf returns 0 when the peer did not negotiate telephone-event", async () => {
    const scheduler = new MediaScheduler();
    const { a, b } = await pair(scheduler);
    const ans = b.answer(a.offer());
    if (!ans.ok) throw new Error(ans.reason);
    a.applyAnswer(ans.sdp.replace(" 0 101\r\n", " 0\r\n").replace(/a=(rtpmap|fmtp):101[^\r]*\r\n/g, ""));
    expect(a.sendDtmf("1")).toBe(0);
  });

  it("carries G.722 on PT 9: 160-octet frames, timestamps in 8 kHz units, clean metrics", async () => {
    const scheduler = new MediaScheduler();
    const a = await RtpSession.open({ codec: "G722", codecs: ["G722", "PCMU"], scheduler });
    const b = await RtpSession.open({ codec: "PCMU", codecs: ["PCMU", "G722"], scheduler });
    open.push(a, b);
    const ans = b.answer(a.offer());
    if (!ans.ok) throw new Error(ans.reason);
    expect(ans.sdp).toContain("m=audio " + b.localPort + " RTP/AVP 9 101");
    a.applyAnswer(ans.sdp);
    expect([a.codec, b.codec]).toEqual(["G722", "G722"]);
    a.start();
    b.start();
    await sleep(1200);
    const m = b.sample();
    expect(m.packets_received).toBeGreaterThan(40);
    expect(m.bytes_received).toBe(m.packets_received * 172);
    expect(m.packets_lost).toBe(0);
    // §A.8 jitter at the 8 kHz clock stays small only if the timestamps advance 160 per 20 ms
    // (at 16 kHz units it would read ~20 ms per packet).
    expect(m.jitter_ms).toBeLessThan(10);
    expect(m.mos).toBeGreaterThan(4.0);
  });

  it("stop() is idempotent and leaves the scheduler empty", async () => {
    const scheduler = new MediaScheduler();
    const { a, b } = await pair(scheduler);
    b.answer(a.offer());
    a.start({ address: "127.0.0.1", port: b.localPort, payloadType: 0 });
    expect(scheduler.size).toBe(1);
    a.stop();
    a.stop();
    expect(scheduler.size).toBe(0);
    expect(() => a.sample()).not.toThrow();
  });

  it("rtcp-mux when offered (RFC 5761): answered with a=rtcp-mux, RTCP and its BYE go from our RTP port to the peer's RTP port; not offered, not answered", async () => {
    const bind = (p: number) =>
      new Promise<ReturnType<typeof createSocket> | null>((resolve) => {
        const sock = createSocket("udp4");
        sock.once("error", () => (sock.close(), resolve(null)));
        sock.bind(p, "127.0.0.1", () => resolve(sock));
      });
    // The peer's RTP port and the one after it (where RTCP would go without mux).
    let peerRtp = (await bind(0))!;
    let peerRtcp = await bind(peerRtp.address().port + 1);
    while (!peerRtcp) {
      peerRtp.close();
      peerRtp = (await bind(0))!;
      peerRtcp = await bind(peerRtp.address().port + 1);
    }
    const port = peerRtp.address().port;
    const got: { pt: number; from: number }[] = [];
    const gotOnRtcpPort: number[] = [];
    peerRtp.on("message", (m, r) => got.push({ pt: m[1]!, from: r.port }));
    peerRtcp.on("message", (m) => gotOnRtcpPort.push(m[1]!));
    const offer = (mux: boolean) =>
      `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n${mux ? "a=rtcp-mux\r\n" : ""}a=sendrecv\r\n`;
    try {
      const plain = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler() });
      open.push(plain);
      const noMux = plain.answer(offer(false));
      expect(noMux.ok && noMux.sdp).not.toContain("a=rtcp-mux");
      expect(plain.offer()).not.toContain("a=rtcp-mux");

      const s = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler() });
      const ans = s.answer(offer(true));
      expect(ans.ok && ans.sdp).toContain("a=rtcp-mux\r\n");
      s.start();
      await sleep(800); // the first SR goes out 0.5 s after start
      s.stop();
      await sleep(100);
      const rtcp = got.filter((g) => g.pt >= 200 && g.pt <= 204);
      expect(rtcp.length).toBeGreaterThanOrEqual(2); // SR, then RR + BYE at stop
      expect(rtcp.every((g) => g.from === s.localPort)).toBe(true);
      expect(got.some((g) => (g.pt & 0x7f) === 0)).toBe(true); // and the RTP itself
      expect(gotOnRtcpPort).toEqual([]);
    } finally {
      peerRtp.close();
      peerRtcp.close();
    }
  });
});
