/**
 * RTCP sender/receiver reports (RFC 3550 §6.4) over werift's RTCP classes, NTP timestamp helpers
 * (§4) and the round-trip time of §6.4.1: RTT = A − LSR − DLSR, all in 1/65536 s "middle 32 bits"
 * NTP units.
 *
 * RTCP is a few packets per call every few seconds, so werift's allocation-happy serializers are
 * fine here. Parsing first applies the §A.2 validity checks ourselves (werift's converter does not
 * bound each packet by its length field), so malformed input yields `null`, never an exception.
 */
import {
  RtcpPacketConverter,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  SourceDescriptionChunk,
  SourceDescriptionItem,
} from "werift";

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
export const NTP_EPOCH_OFFSET_S = 2208988800;
const TWO32 = 4294967296;

/** 64-bit NTP timestamp (§4) for a Unix time in ms. */
export function ntpFromMs(ms: number): bigint {
  const sec = Math.floor(ms / 1000);
  const frac = Math.floor(((ms - sec * 1000) / 1000) * TWO32);
  return (BigInt(sec + NTP_EPOCH_OFFSET_S) << 32n) | BigInt(frac >>> 0);
}

/** Unix ms for a 64-bit NTP timestamp. */
export function msFromNtp(ntp: bigint): number {
  const sec = Number(ntp >> 32n) - NTP_EPOCH_OFFSET_S;
  const frac = Number(ntp & 0xffffffffn);
  return sec * 1000 + (frac / TWO32) * 1000;
}

/** The middle 32 bits of a 64-bit NTP timestamp (the LSR field, §6.4.1). */
export function ntpMiddle32(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffffffffn);
}

/** Middle 32 bits of the NTP time of a Unix ms time, without BigInt: 16.16 fixed-point seconds. */
export function ntpMiddle32FromMs(ms: number): number {
  const sec = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET_S;
  const frac16 = Math.floor(((ms % 1000) / 1000) * 65536);
  return (((sec & 0xffff) << 16) | frac16) >>> 0;
}

/** A duration in ms as 1/65536 s units (the DLSR field). */
export function msToNtpShort(ms: number): number {
  return Math.max(0, Math.min(0xffffffff, Math.round((ms * 65536) / 1000))) >>> 0;
}

/**
 * §6.4.1 round-trip time in ms from the arrival time A of a report block (middle 32 bits of our
 * NTP clock), and its LSR and DLSR fields. `null` when no SR was reflected yet (LSR = 0) or when
 * the result is implausible (negative by more than rounding, i.e. > 2^31 modulo 2^32).
 */
export function rttMs(arrivalMid32: number, lsr: number, dlsr: number): number | null {
  if (lsr === 0) return null;
  const units = (arrivalMid32 - lsr - dlsr) >>> 0; // modulo 2^32
  if (units >= 0x80000000) {
    // Slightly negative: rounding of DLSR; clamp. Far negative: garbage.
    return TWO32 - units <= 65 ? 0 : null;
  }
  return (units * 1000) / 65536;
}

export interface ReportBlock {
  ssrc: number;
  /** 8-bit fixed point fraction (0–255). */
  fractionLost: number;
  /** 24-bit two's complement cumulative lost. */
  packetsLost: number;
  highestSequence: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}

export interface SenderInfo {
  ntpMs: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

function receiverInfo(b: ReportBlock): RtcpReceiverInfo {
  return new RtcpReceiverInfo({
    ssrc: b.ssrc >>> 0,
    fractionLost: b.fractionLost & 0xff,
    packetsLost: b.packetsLost & 0xffffff,
    highestSequence: b.highestSequence >>> 0,
    jitter: b.jitter >>> 0,
    lsr: b.lsr >>> 0,
    dlsr: b.dlsr >>> 0,
  });
}

/** A pre-serialised SDES with one CNAME item (§6.5.1), appended to every compound packet (§6.1). */
export function buildSdesCname(ssrc: number, cname: string): Buffer {
  return new RtcpSourceDescriptionPacket({
    chunks: [new SourceDescriptionChunk({ source: ssrc >>> 0, items: [new SourceDescriptionItem({ type: 1, text: cname })] })],
  }).serialize();
}

/** Compound SR [+ SDES] (§6.4.1). */
export function buildSr(ssrc: number, sender: SenderInfo, blocks: readonly ReportBlock[], sdes?: Buffer): Buffer {
  const sr = new RtcpSrPacket({
    ssrc: ssrc >>> 0,
    senderInfo: new RtcpSenderInfo({
      ntpTimestamp: ntpFromMs(sender.ntpMs),
      rtpTimestamp: sender.rtpTimestamp >>> 0,
      packetCount: sender.packetCount >>> 0,
      octetCount: sender.octetCount >>> 0,
    }),
    reports: blocks.map(receiverInfo),
  }).serialize();
  return sdes ? Buffer.concat([sr, sdes]) : sr;
}

/** Compound RR [+ SDES] (§6.4.2). */
export function buildRr(ssrc: number, blocks: readonly ReportBlock[], sdes?: Buffer): Buffer {
  const rr = new RtcpRrPacket({ ssrc: ssrc >>> 0, reports: blocks.map(receiverInfo) }).serialize();
  return sdes ? Buffer.concat([rr, sdes]) : rr;
}

/** A BYE packet (§6.6) for one SSRC, no reason; to be appended to an RR/SR compound. */
export function buildBye(ssrc: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 0x81; // V=2, SC=1
  b[1] = 203;
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  return b;
}

export interface ParsedReport {
  kind: "sr" | "rr";
  ssrc: number;
  /** SR only: sender's NTP timestamp (for our next LSR) and its middle 32 bits. */
  ntp?: bigint;
  ntpMid32?: number;
  rtpTimestamp?: number;
  packetCount?: number;
  octetCount?: number;
  blocks: ReportBlock[];
}

/**
 * §A.2 validity checks on a compound RTCP packet: version 2 everywhere, first packet SR or RR,
 * padding only in the last packet, lengths add up exactly, SR/RR large enough for their counts.
 */
export function validRtcpCompound(buf: Uint8Array): boolean {
  if (buf.length < 8 || buf.length % 4 !== 0) return false;
  const firstPt = buf[1]!;
  if (firstPt !== 200 && firstPt !== 201) return false;
  let pos = 0;
  while (pos < buf.length) {
    if (pos + 4 > buf.length) return false;
    const b0 = buf[pos]!;
    if (b0 >> 6 !== 2) return false;
    const count = b0 & 0x1f;
    const pt = buf[pos + 1]!;
    const len = ((buf[pos + 2]! << 8) | buf[pos + 3]!) * 4 + 4;
    if (pos + len > buf.length) return false;
    if (b0 & 0x20 && pos + len !== buf.length) return false; // padding only on the last packet
    if (pt === 200 && len < 28 + 24 * count) return false;
    if (pt === 201 && len < 8 + 24 * count) return false;
    pos += len;
  }
  return pos === buf.length;
}

/** Parse the SR/RR parts of a compound RTCP packet; `null` when malformed. Never throws. */
export function parseRtcp(buf: Buffer): ParsedReport[] | null {
  if (!validRtcpCompound(buf)) return null;
  let packets;
  try {
    packets = RtcpPacketConverter.deSerialize(buf);
  } catch {
    return null;
  }
  const out: ParsedReport[] = [];
  for (const p of packets) {
    if (p instanceof RtcpSrPacket) {
      out.push({
        kind: "sr",
        ssrc: p.ssrc,
        ntp: p.senderInfo.ntpTimestamp,
        ntpMid32: ntpMiddle32(p.senderInfo.ntpTimestamp),
        rtpTimestamp: p.senderInfo.rtpTimestamp,
        packetCount: p.senderInfo.packetCount,
        octetCount: p.senderInfo.octetCount,
        blocks: p.reports.map((r) => ({ ...r.toJSON() })),
      });
    } else if (p instanceof RtcpRrPacket) {
      out.push({ kind: "rr", ssrc: p.ssrc, blocks: p.reports.map((r) => ({ ...r.toJSON() })) });
    }
  }
  return out.length > 0 ? out : null;
}
