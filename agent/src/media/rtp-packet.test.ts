import { describe, expect, it } from "vitest";
import { RtpHeader, RtpPacket } from "werift";
import { newRtpHeaderView, readRtpHeader, writeRtpHeader } from "./rtp-packet.js";

describe("hand-written RTP header (differential against werift)", () => {
  it("writes what werift serializes", () => {
    for (const [pt, m, seq, ts, ssrc] of [
      [0, false, 0, 0, 0],
      [8, true, 65535, 0xffffffff, 0xdeadbeef],
      [101, false, 1234, 160 * 77, 0x01020304],
    ] as const) {
      const mine = Buffer.alloc(12 + 4);
      writeRtpHeader(mine, pt, m, seq, ts, ssrc);
      mine.write("abcd", 12);
      const theirs = new RtpPacket(
        new RtpHeader({ payloadType: pt, marker: m, sequenceNumber: seq, timestamp: ts, ssrc }),
        Buffer.from("abcd"),
      ).serialize();
      expect(mine.equals(theirs)).toBe(true);
    }
  });
  it("reads what werift serializes, with CSRCs and an extension", () => {
    const hdr = new RtpHeader({ payloadType: 8, marker: true, sequenceNumber: 4242, timestamp: 99999, ssrc: 0xcafebabe, csrc: [1, 2] });
    hdr.extension = true;
    hdr.extensionProfile = 0xbede;
    hdr.extensions = [{ id: 1, payload: Buffer.from([1, 2, 3]) }];
    const buf = new RtpPacket(hdr, Buffer.alloc(160, 7)).serialize();
    const parsed = RtpPacket.deSerialize(buf);
    const v = newRtpHeaderView();
    expect(readRtpHeader(buf, buf.length, v)).toBe(true);
    expect(v).toMatchObject({ payloadType: 8, marker: true, sequenceNumber: 4242, timestamp: 99999, ssrc: 0xcafebabe, payloadLength: 160 });
    expect(v.payloadOffset).toBe(buf.length - parsed.payload.length);
  });
  it("honours padding and rejects malformed headers", () => {
    const v = newRtpHeaderView();
    const p = Buffer.alloc(12 + 4 + 4);
    writeRtpHeader(p, 0, false, 1, 2, 3);
    p[0] |= 0x20;
    p[p.length - 1] = 4;
    expect(readRtpHeader(p, p.length, v)).toBe(true);
    expect(v.payloadLength).toBe(4);
    p[p.length - 1] = 0;
    expect(readRtpHeader(p, p.length, v)).toBe(false); // zero padding count
    p[p.length - 1] = 200;
    expect(readRtpHeader(p, p.length, v)).toBe(false); // padding beyond payload
    expect(readRtpHeader(Buffer.alloc(11, 0x80), 11, v)).toBe(false); // short
    const bad = Buffer.alloc(20);
    writeRtpHeader(bad, 0, false, 1, 2, 3);
    bad[0] = 0x40;
    expect(readRtpHeader(bad, 20, v)).toBe(false); // version 1
    bad[0] = 0x8f; // 15 CSRCs in a 20-byte packet
    expect(readRtpHeader(bad, 20, v)).toBe(false);
    bad[0] = 0x90; // extension header beyond end
    expect(readRtpHeader(bad, 14, v)).toBe(false);
    writeRtpHeader(bad, 72, false, 1, 2, 3); // RTCP SR range (RFC 5761)
    expect(readRtpHeader(bad, 20, v)).toBe(false);
  });
});
