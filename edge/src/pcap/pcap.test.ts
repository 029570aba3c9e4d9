import { describe, expect, it } from "vitest";
import {
  IPV4_HEADER_BYTES,
  LINKTYPE_RAW,
  MAX_UDP_PAYLOAD,
  PCAP_HEADER_BYTES,
  RECORD_HEADER_BYTES,
  internetChecksum,
  ipv4UdpDatagram,
  parseIpv4,
  writePcap,
} from "./pcap.js";

const enc = new TextEncoder();
const a = { ip: "10.0.0.1", port: 5060 };
const b = { ip: "10.0.0.2", port: 5070 };

describe("internet checksum (RFC 1071)", () => {
  it("matches the worked example of RFC 1071 §3", () => {
    // 0001 f203 f4f5 f6f7 → sum ddf2 → checksum 220d
    expect(internetChecksum(Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]))).toBe(0x220d);
  });
  it("pads an odd byte with zero and spans parts", () => {
    expect(internetChecksum(Uint8Array.from([0x01]), Uint8Array.from([0x02, 0x03]))).toBe(internetChecksum(Uint8Array.from([0x01, 0x02, 0x03, 0x00])));
  });
  it("is zero over data that includes its own checksum", () => {
    const d = ipv4UdpDatagram(a, b, enc.encode("OPTIONS sip:x SIP/2.0\r\n\r\n"));
    expect(internetChecksum(d.subarray(0, IPV4_HEADER_BYTES))).toBe(0);
  });
});

describe("IPv4 + UDP datagram", () => {
  it("has the right header fields and a verifiable UDP checksum", () => {
    const payload = enc.encode("hello");
    const d = ipv4UdpDatagram(a, b, payload, 7);
    const v = new DataView(d.buffer);
    expect(d[0]).toBe(0x45);
    expect(v.getUint16(2)).toBe(20 + 8 + 5);
    expect(v.getUint16(4)).toBe(7);
    expect(d[9]).toBe(17);
    expect([...d.subarray(12, 16)]).toEqual([10, 0, 0, 1]);
    expect([...d.subarray(16, 20)]).toEqual([10, 0, 0, 2]);
    expect(v.getUint16(20)).toBe(5060);
    expect(v.getUint16(22)).toBe(5070);
    expect(v.getUint16(24)).toBe(13);
    const pseudo = Uint8Array.from([10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 13]);
    expect(internetChecksum(pseudo, d.subarray(20))).toBe(0);
    expect(new TextDecoder().decode(d.subarray(28))).toBe("hello");
  });
  it("truncates a payload too large for IPv4", () => {
    const d = ipv4UdpDatagram(a, b, new Uint8Array(70_000));
    expect(d.length).toBe(65_535);
    expect(d.length - 28).toBe(MAX_UDP_PAYLOAD);
  });
  it("rejects non-IPv4 addresses", () => {
    expect(parseIpv4("256.1.1.1")).toBeNull();
    expect(parseIpv4("::1")).toBeNull();
    expect(() => ipv4UdpDatagram({ ip: "::1", port: 1 }, b, new Uint8Array())).toThrow(/not an IPv4 address/);
  });
});

describe("pcap file", () => {
  it("writes the classic header and one record per packet with its timestamp", () => {
    const f = writePcap([
      { t: 1_700_000_000_123, src: a, dst: b, payload: enc.encode("one") },
      { t: 1_700_000_001_500.25, src: b, dst: a, payload: enc.encode("three") },
    ]);
    const v = new DataView(f.buffer);
    expect([...f.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    expect(v.getUint16(4, true)).toBe(2);
    expect(v.getUint16(6, true)).toBe(4);
    expect(v.getUint32(16, true)).toBe(65_535);
    expect(v.getUint32(20, true)).toBe(LINKTYPE_RAW);
    let o = PCAP_HEADER_BYTES;
    expect(v.getUint32(o, true)).toBe(1_700_000_000);
    expect(v.getUint32(o + 4, true)).toBe(123_000);
    expect(v.getUint32(o + 8, true)).toBe(31);
    expect(v.getUint32(o + 12, true)).toBe(31);
    o += RECORD_HEADER_BYTES + 31;
    expect(v.getUint32(o, true)).toBe(1_700_000_001);
    expect(v.getUint32(o + 4, true)).toBe(500_250);
    expect(v.getUint32(o + 8, true)).toBe(33);
    expect(o + RECORD_HEADER_BYTES + 33).toBe(f.length);
  });
  it("an empty capture is just the header", () => {
    expect(writePcap([]).length).toBe(PCAP_HEADER_BYTES);
  });
});
