import { describe, expect, it } from "vitest";
import { RtcpPacketConverter, RtcpSrPacket } from "werift";
import {
  buildBye,
  buildRr,
  buildSdesCname,
  buildSr,
  msFromNtp,
  msToNtpShort,
  ntpFromMs,
  ntpMiddle32,
  ntpMiddle32FromMs,
  parseRtcp,
  rttMs,
  validRtcpCompound,
} from "./rtcp.js";

describe("NTP helpers (RFC 3550 §4)", () => {
  it("converts Unix ms to NTP and back", () => {
    const ms = 1_700_000_000_123;
    const ntp = ntpFromMs(ms);
    expect(Number(ntp >> 32n)).toBe(1_700_000_000 + 2208988800);
    expect(msFromNtp(ntp)).toBeCloseTo(ms, 3);
    expect(ntpMiddle32FromMs(ms)).toBe(ntpMiddle32(ntp));
  });
  it("the RFC example: 0.5 s → 0x8000 in 16.16", () => {
    expect(ntpMiddle32FromMs(500) & 0xffff).toBe(0x8000);
    expect(msToNtpShort(5250)).toBe(5 * 65536 + 16384); // DLSR 5.25 s
  });
});

describe("RTT = A − LSR − DLSR (RFC 3550 §6.4.1)", () => {
  it("matches the RFC's worked example", () => {
    // A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s), DLSR = 0x0005:4000 (5.250 s)
    // → RTT = 0x0006:2000 = 6.125 s
    expect(rttMs(0xb7108000, 0xb7052000, 0x00054000)).toBe(6125);
  });
  it("handles the 32-bit wrap of the middle NTP bits", () => {
    const lsr = 0xfffff000; // just before the wrap
    const dlsr = msToNtpShort(100);
    const a = (lsr + dlsr + msToNtpShort(40)) >>> 0; // wrapped past 2^32
    expect(a).toBeLessThan(lsr);
    expect(rttMs(a, lsr, dlsr)).toBeCloseTo(40, 1);
  });
  it("is null before an SR was reflected, clamps rounding, rejects garbage", () => {
    expect(rttMs(123456, 0, 0)).toBeNull();
    expect(rttMs(1000, 1000, 1)).toBe(0);
    expect(rttMs(1000, 1000 + 65536 * 100, 0)).toBeNull();
  });
  it("from Unix ms end to end", () => {
    const sentAt = 1_700_000_000_000;
    const lsr = ntpMiddle32FromMs(sentAt);
    const dlsr = msToNtpShort(30); // peer held it 30 ms
    const a = ntpMiddle32FromMs(sentAt + 30 + 12); // 12 ms of network round trip
    expect(rttMs(a, lsr, dlsr)).toBeCloseTo(12, 0);
  });
});

describe("SR/RR build and parse", () => {
  const block = { ssrc: 0xdeadbeef, fractionLost: 25, packetsLost: 3, highestSequence: 70000, jitter: 12, lsr: 0x12345678, dlsr: 0x10000 };
  it("round-trips an SR with a report block and an SDES CNAME", () => {
    const sdes = buildSdesCname(0xabc, "rf@127.0.0.1");
    const buf = buildSr(0xabc, { ntpMs: 1_700_000_000_500, rtpTimestamp: 160 * 50, packetCount: 50, octetCount: 8000 }, [block], sdes);
    expect(validRtcpCompound(buf)).toBe(true);
    const parsed = parseRtcp(buf)!;
    expect(parsed).toHaveLength(1);
    const sr = parsed[0]!;
    expect(sr).toMatchObject({ kind: "sr", ssrc: 0xabc, rtpTimestamp: 8000, packetCount: 50, octetCount: 8000 });
    expect(sr.ntpMid32).toBe(ntpMiddle32FromMs(1_700_000_000_500));
    expect(sr.blocks).toEqual([block]);
    // differential: werift's own parser reads the same
    const w = RtcpPacketConverter.deSerialize(buf)[0] as RtcpSrPacket;
    expect(w.senderInfo.packetCount).toBe(50);
  });
  it("round-trips an RR with negative cumulative loss (24-bit)", () => {
    const buf = buildRr(7, [{ ...block, packetsLost: -2 & 0xffffff }]);
    expect(parseRtcp(buf)).toEqual([{ kind: "rr", ssrc: 7, blocks: [{ ...block, packetsLost: 0xfffffe }] }]);
  });
  it("an RR + SDES + BYE compound is valid and yields the RR", () => {
    const buf = Buffer.concat([buildRr(9, []), buildSdesCname(9, "x"), buildBye(9)]);
    expect(validRtcpCompound(buf)).toBe(true);
    expect(parseRtcp(buf)).toEqual([{ kind: "rr", ssrc: 9, blocks: [] }]);
  });
  it("rejects malformed input without throwing", () => {
    const good = buildRr(7, [block]);
    expect(parseRtcp(Buffer.alloc(0))).toBeNull();
    expect(parseRtcp(Buffer.from("hello world!"))).toBeNull();
    expect(parseRtcp(good.subarray(0, 20))).toBeNull(); // truncated
    const badVersion = Buffer.from(good);
    badVersion[0] = (badVersion[0]! & 0x3f) | 0x40;
    expect(parseRtcp(badVersion)).toBeNull();
    const badCount = Buffer.from(good);
    badCount[0] = (badCount[0]! & 0xe0) | 3; // claims 3 blocks in a 1-block packet
    expect(parseRtcp(badCount)).toBeNull();
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.from(good);
      junk[4 + (i % (junk.length - 4))] = (i * 37) & 0xff;
      expect(() => parseRtcp(junk)).not.toThrow();
    }
  });
});
