/**
 * A classic libpcap file writer (the format of tcpdump 2.4, not pcapng) for UDP datagrams, with
 * synthesized IPv4 and UDP headers on link type RAW (101: the packet starts at the IP header).
 * Pure and byte-exact; runs in workerd, Node and the browser (Uint8Array/DataView only).
 *
 * References: https://www.tcpdump.org/manpages/pcap-savefile.5.html, LINKTYPE_RAW in
 * https://www.tcpdump.org/linktypes.html, IPv4 header RFC 791 §3.1, UDP RFC 768, the Internet
 * checksum RFC 1071.
 */

/** Magic number of a microsecond-resolution pcap file, written in our (little-endian) byte order. */
export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
/** LINKTYPE_RAW: each packet begins with an IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;
/** Largest packet we write; also the snaplen in the file header. */
export const SNAPLEN = 65_535;
export const PCAP_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 16;
export const IPV4_HEADER_BYTES = 20;
export const UDP_HEADER_BYTES = 8;
/** Largest UDP payload that fits an IPv4 datagram (total length is 16 bits). */
export const MAX_UDP_PAYLOAD = 65_535 - IPV4_HEADER_BYTES - UDP_HEADER_BYTES;
const IP_PROTO_UDP = 17;
const DEFAULT_TTL = 64;
/** Don't Fragment (RFC 791 §3.1 flags, bit 1). */
const IPV4_FLAG_DF = 0x4000;

export interface UdpEndpoint {
  /** Dotted-quad IPv4 address. */
  ip: string;
  port: number;
}
export interface UdpPacket {
  /** Capture time, epoch milliseconds (fractions kept to the microsecond). */
  t: number;
  src: UdpEndpoint;
  dst: UdpEndpoint;
  payload: Uint8Array;
}

export function parseIpv4(ip: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? Uint8Array.from(b) : null;
}

/** The Internet checksum (RFC 1071): one's complement of the one's-complement sum of 16-bit words. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | null = null;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd === null) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = null;
      }
    }
  }
  if (odd !== null) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One IPv4 + UDP datagram carrying `payload` (truncated to MAX_UDP_PAYLOAD), checksums filled in. */
export function ipv4UdpDatagram(src: UdpEndpoint, dst: UdpEndpoint, payload: Uint8Array, id = 0): Uint8Array {
  const srcIp = parseIpv4(src.ip);
  const dstIp = parseIpv4(dst.ip);
  if (!srcIp) throw new RangeError(`not an IPv4 address: ${src.ip}`);
  if (!dstIp) throw new RangeError(`not an IPv4 address: ${dst.ip}`);
  const body = payload.length > MAX_UDP_PAYLOAD ? payload.subarray(0, MAX_UDP_PAYLOAD) : payload;
  const udpLen = UDP_HEADER_BYTES + body.length;
  const total = IPV4_HEADER_BYTES + udpLen;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  // IPv4 header (RFC 791 §3.1)
  v.setUint8(0, 0x45); // version 4, IHL 5 words
  v.setUint8(1, 0); // DSCP/ECN
  v.setUint16(2, total);
  v.setUint16(4, id & 0xffff);
  v.setUint16(6, IPV4_FLAG_DF);
  v.setUint8(8, DEFAULT_TTL);
  v.setUint8(9, IP_PROTO_UDP);
  out.set(srcIp, 12);
  out.set(dstIp, 16);
  v.setUint16(10, internetChecksum(out.subarray(0, IPV4_HEADER_BYTES)));
  // UDP header (RFC 768)
  const u = IPV4_HEADER_BYTES;
  v.setUint16(u, src.port);
  v.setUint16(u + 2, dst.port);
  v.setUint16(u + 4, udpLen);
  out.set(body, u + UDP_HEADER_BYTES);
  const pseudo = new Uint8Array(12);
  pseudo.set(srcIp, 0);
  pseudo.set(dstIp, 4);
  pseudo[9] = IP_PROTO_UDP;
  new DataView(pseudo.buffer).setUint16(10, udpLen);
  const sum = internetChecksum(pseudo, out.subarray(u));
  // A computed zero is sent as all ones; zero means "no checksum" (RFC 768).
  v.setUint16(u + 6, sum === 0 ? 0xffff : sum);
  return out;
}

/** A whole pcap file: the global header, then one record per packet in the order given. */
export function writePcap(packets: readonly UdpPacket[]): Uint8Array<ArrayBuffer> {
  const datagrams = packets.map((p, i) => ipv4UdpDatagram(p.src, p.dst, p.payload, i + 1));
  const size = PCAP_HEADER_BYTES + datagrams.reduce((n, d) => n + RECORD_HEADER_BYTES + d.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  const LE = true;
  v.setUint32(0, PCAP_MAGIC, LE);
  v.setUint16(4, PCAP_VERSION_MAJOR, LE);
  v.setUint16(6, PCAP_VERSION_MINOR, LE);
  v.setInt32(8, 0, LE); // thiszone: timestamps are UTC
  v.setUint32(12, 0, LE); // sigfigs
  v.setUint32(16, SNAPLEN, LE);
  v.setUint32(20, LINKTYPE_RAW, LE);
  let o = PCAP_HEADER_BYTES;
  datagrams.forEach((d, i) => {
    const usec = Math.round(packets[i]!.t * 1000);
    v.setUint32(o, Math.floor(usec / 1_000_000), LE);
    v.setUint32(o + 4, usec % 1_000_000, LE);
    v.setUint32(o + 8, d.length, LE);
    v.setUint32(o + 12, d.length, LE);
    out.set(d, o + RECORD_HEADER_BYTES);
    o += RECORD_HEADER_BYTES + d.length;
  });
  return out;
}
