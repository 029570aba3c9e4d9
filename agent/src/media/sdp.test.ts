import { describe, expect, it } from "vitest";
import { buildSdp, negotiate, parseSdp } from "./sdp.js";

describe("buildSdp", () => {
  it("builds an RFC 4566 audio offer", () => {
    const sdp = buildSdp({ sessionId: 42, address: "127.0.0.1", port: 40000, codecs: ["PCMU", "PCMA"] });
    expect(sdp).toBe(
      [
        "v=0",
        "o=ringfleet 42 42 IN IP4 127.0.0.1",
        "s=ringfleet",
        "c=IN IP4 127.0.0.1",
        "t=0 0",
        "m=audio 40000 RTP/AVP 0 8 101",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-16",
        "a=ptime:20",
        "a=sendrecv",
        "",
      ].join("\r\n"),
    );
  });
});

describe("parseSdp", () => {
  const remote = [
    "v=0",
    "o=- 1 2 IN IP4 10.0.0.9",
    "s=-",
    "c=IN IP4 192.0.2.1",
    "t=0 0",
    "m=audio 5004 RTP/AVP 8 0 96 101",
    "c=IN IP4 192.0.2.7",
    "a=rtpmap:96 opus/48000/2",
    "a=rtpmap:101 telephone-event/8000",
    "a=ptime:30",
    "a=sendonly",
    "m=video 0 RTP/AVP 31",
  ].join("\n");
  it("tolerates LF, reads connection, port, PTs, rtpmap, ptime, direction", () => {
    const p = parseSdp(remote);
    expect(p.connectionAddress).toBe("192.0.2.1");
    expect(p.originAddress).toBe("10.0.0.9");
    expect(p.media).toHaveLength(2);
    const a = p.media[0]!;
    expect(a).toMatchObject({ media: "audio", port: 5004, proto: "RTP/AVP", payloadTypes: [8, 0, 96, 101], connectionAddress: "192.0.2.7", ptime: 30, direction: "sendonly" });
    expect(a.rtpmap.get(96)).toEqual({ encoding: "opus", clockRate: 48000, channels: 2 });
  });
  it("round-trips our own SDP (CRLF)", () => {
    const p = parseSdp(buildSdp({ sessionId: 1, address: "127.0.0.1", port: 1234, codecs: ["PCMA"], direction: "recvonly" }));
    expect(p.media[0]).toMatchObject({ port: 1234, payloadTypes: [8, 101], ptime: 20, direction: "recvonly" });
  });
  it("never throws on junk", () => {
    expect(parseSdp("garbage\r\nm=\r\na=rtpmap:x\r\nc=IN")).toMatchObject({ media: [{ port: -1 }] });
  });
});

describe("negotiate", () => {
  it("chooses by remote preference among supported codecs", () => {
    const r = negotiate("v=0\nc=IN IP4 192.0.2.1\nm=audio 5004 RTP/AVP 8 0 101\na=rtpmap:101 telephone-event/8000\n", ["PCMU", "PCMA"]);
    expect(r).toEqual({ ok: true, codec: "PCMA", payloadType: 8, address: "192.0.2.1", port: 5004, ptime: 20, telephoneEventPt: 101, direction: "sendrecv", proto: "RTP/AVP" });
  });
  it("uses rtpmap names for dynamic PTs and media-level c=", () => {
    const r = negotiate("v=0\nc=IN IP4 192.0.2.1\nm=audio 6000 RTP/AVP 97\nc=IN IP4 192.0.2.2\na=rtpmap:97 pcmu/8000\n", ["PCMU"]);
    expect(r).toMatchObject({ ok: true, codec: "PCMU", payloadType: 97, address: "192.0.2.2" });
  });
  it("fails with a reason", () => {
    expect(negotiate("v=0\nc=IN IP4 1.2.3.4\nm=audio 5004 RTP/AVP 8\n", ["PCMU"])).toMatchObject({ ok: false, reason: expect.stringContaining("no common codec") });
    expect(negotiate("v=0\nc=IN IP4 1.2.3.4\nm=video 5004 RTP/AVP 31\n", ["PCMU"])).toMatchObject({ ok: false, reason: "no audio media in SDP" });
    expect(negotiate("v=0\nc=IN IP4 1.2.3.4\nm=audio 0 RTP/AVP 0\n", ["PCMU"])).toMatchObject({ ok: false, reason: expect.stringContaining("port 0") });
    expect(negotiate("v=0\nm=audio 5000 RTP/AVP 0\n", ["PCMU"])).toMatchObject({ ok: false, reason: expect.stringContaining("c=") });
    expect(negotiate("v=0\nc=IN IP4 1.2.3.4\nm=audio 5000 RTP/SAVP 0\n", ["PCMU"])).toMatchObject({ ok: false, reason: expect.stringContaining("transport") });
    expect(negotiate("", ["PCMU"]).ok).toBe(false);
  });
});

describe("Opus (RFC 7587 §7) and telephone-event at its 48 kHz clock (RFC 4733 §2.1)", () => {
  const ALL = ["OPUS", "G722", "PCMU", "PCMA"] as const;

  it("offers opus/48000/2 on PT 111 with minptime/useinbandfec, and telephone-event per clock", () => {
    const sdp = buildSdp({ sessionId: 7, address: "127.0.0.1", port: 40000, codecs: ALL });
    expect(sdp).toBe(
      [
        "v=0",
        "o=ringfleet 7 7 IN IP4 127.0.0.1",
        "s=ringfleet",
        "c=IN IP4 127.0.0.1",
        "t=0 0",
        "m=audio 40000 RTP/AVP 111 9 0 8 110 101",
        "a=rtpmap:111 opus/48000/2",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:9 G722/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:110 telephone-event/48000",
        "a=fmtp:110 0-16",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-16",
        "a=ptime:20",
        "a=sendrecv",
        "",
      ].join("\r\n"),
    );
    // An answer with only Opus carries only the 48 kHz telephone-event, on the offerer's PTs.
    const answer = buildSdp({ sessionId: 8, address: "127.0.0.1", port: 40002, codecs: ["OPUS"], opusPt: 96, telephoneEvent48kPt: 101 });
    expect(answer).toContain("m=audio 40002 RTP/AVP 96 101\r\n");
    expect(answer).toContain("a=rtpmap:96 opus/48000/2\r\na=fmtp:96 minptime=10;useinbandfec=1\r\n");
    expect(answer).toContain("a=rtpmap:101 telephone-event/48000\r\n");
    expect(answer).not.toContain("/8000");
  });

  it("negotiates our own offer: Opus on 111 with telephone-event/48000 (110), or G.711 with /8000 (101)", () => {
    const sdp = buildSdp({ sessionId: 7, address: "127.0.0.1", port: 40000, codecs: ALL });
    expect(negotiate(sdp, ["OPUS", "PCMU"])).toMatchObject({ ok: true, codec: "OPUS", payloadType: 111, telephoneEventPt: 110, ptime: 20 });
    expect(negotiate(sdp, ["PCMU"])).toMatchObject({ ok: true, codec: "PCMU", payloadType: 0, telephoneEventPt: 101 });
  });

  it("takes a softphone's offer with opus on PT 96 and telephone-event/48000 beside /8000", () => {
    const offer = [
      "v=0",
      "o=- 3884720051 3884720052 IN IP4 192.0.2.10",
      "s=Talk",
      "c=IN IP4 192.0.2.10",
      "t=0 0",
      "m=audio 7078 RTP/AVP 96 9 0 8 101 97",
      "a=rtpmap:96 opus/48000/2",
      "a=fmtp:96 useinbandfec=1;stereo=0;sprop-stereo=0;maxplaybackrate=48000",
      "a=rtpmap:101 telephone-event/48000",
      "a=rtpmap:97 telephone-event/8000",
      "a=fmtp:101 0-15",
      "a=rtcp-fb:* trr-int 1000",
      "a=ptime:20",
      "",
    ].join("\r\n");
    expect(negotiate(offer, ALL)).toMatchObject({ ok: true, codec: "OPUS", payloadType: 96, telephoneEventPt: 101, address: "192.0.2.10", port: 7078 });
    // A G.722 endpoint that also accepts G.711 gets G.722 and the 8 kHz events.
    expect(negotiate(offer, ["G722", "PCMU", "PCMA"])).toMatchObject({ ok: true, codec: "G722", payloadType: 9, telephoneEventPt: 97 });
  });

  it("takes a browser-style offer: opus on 111 first, telephone-event/48000 on 110 and /8000 on 126", () => {
    const offer =
      "v=0\r\no=- 1 2 IN IP4 198.51.100.4\r\ns=-\r\nt=0 0\r\nm=audio 9000 RTP/AVP 111 63 9 0 8 110 126\r\nc=IN IP4 198.51.100.4\r\n" +
      "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:63 red/48000/2\r\na=rtpmap:9 G722/8000\r\n" +
      "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\n";
    expect(negotiate(offer, ALL)).toMatchObject({ ok: true, codec: "OPUS", payloadType: 111, telephoneEventPt: 110 });
    expect(negotiate(offer, ["PCMU", "PCMA"])).toMatchObject({ ok: true, codec: "PCMU", payloadType: 0, telephoneEventPt: 126 });
  });

  it("prefer: an Opus endpoint takes Opus from an offer that lists G.711 first; otherwise the offerer's order", () => {
    const offer = "v=0\nc=IN IP4 1.2.3.4\nm=audio 5000 RTP/AVP 0 8 96 101\na=rtpmap:96 OPUS/48000/2\na=rtpmap:101 telephone-event/8000\n";
    expect(negotiate(offer, ALL)).toMatchObject({ ok: true, codec: "PCMU" });
    const opus = negotiate(offer, ALL, { prefer: "OPUS" });
    expect(opus).toMatchObject({ ok: true, codec: "OPUS", payloadType: 96 });
    // Only telephone-event/8000 offered: not used with Opus (its clock is not the audio's).
    expect(opus.ok && opus.telephoneEventPt).toBeUndefined();
    // prefer not offered: the offerer's first supported.
    expect(negotiate("v=0\nc=IN IP4 1.2.3.4\nm=audio 5000 RTP/AVP 8 0\n", ALL, { prefer: "OPUS" })).toMatchObject({ ok: true, codec: "PCMA" });
  });

  it("accepts opus/48000 and /1 from lenient peers; rejects another clock, more channels, or no rtpmap", () => {
    const m = (rtpmap: string) => `v=0\nc=IN IP4 1.2.3.4\nm=audio 5000 RTP/AVP 96\n${rtpmap}`;
    expect(negotiate(m("a=rtpmap:96 opus/48000\n"), ["OPUS"])).toMatchObject({ ok: true, codec: "OPUS" });
    expect(negotiate(m("a=rtpmap:96 opus/48000/1\n"), ["OPUS"])).toMatchObject({ ok: true, codec: "OPUS" });
    expect(negotiate(m("a=rtpmap:96 opus/16000/2\n"), ["OPUS"]).ok).toBe(false);
    expect(negotiate(m("a=rtpmap:96 opus/48000/6\n"), ["OPUS"]).ok).toBe(false);
    expect(negotiate(m(""), ["OPUS"]).ok).toBe(false);
    expect(negotiate(m("a=rtpmap:96 opus/48000/2\n"), ["PCMU", "G722"]).ok).toBe(false);
  });
});

describe("G.722 (RFC 3551 §4.5.2: PT 9, 8000 Hz RTP clock)", () => {
  it("offers G722/8000 on PT 9 and negotiates it by static PT or rtpmap", () => {
    const sdp = buildSdp({ sessionId: 1, address: "127.0.0.1", port: 4000, codecs: ["G722", "PCMU"] });
    expect(sdp).toContain("m=audio 4000 RTP/AVP 9 0 101\r\n");
    expect(sdp).toContain("a=rtpmap:9 G722/8000\r\n");
    expect(negotiate(sdp, ["PCMU", "G722"])).toMatchObject({ ok: true, codec: "G722", payloadType: 9 });
    expect(negotiate("v=0\nc=IN IP4 1.2.3.4\nm=audio 5000 RTP/AVP 9\n", ["G722"])).toMatchObject({ ok: true, codec: "G722" });
    // 16000 in the rtpmap is the common mistake RFC 3551 warns about; we do not accept it as G.722.
    expect(negotiate("v=0\nc=IN IP4 1.2.3.4\nm=audio 5000 RTP/AVP 96\na=rtpmap:96 G722/16000\n", ["G722"]).ok).toBe(false);
    expect(negotiate(sdp, ["PCMA"]).ok).toBe(false);
  });
});
