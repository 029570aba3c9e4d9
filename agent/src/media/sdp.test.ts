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
