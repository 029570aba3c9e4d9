/**
 * Hot-path RTP header access (RFC 3550 §5.1), hand-written: no objects per packet. werift's
 * RtpPacket is the oracle in the tests.
 *
 *  0                   1                   2                   3
 *  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *  |                           timestamp                           |
 *  |           synchronization source (SSRC) identifier            |
 *  |            contributing source (CSRC) identifiers (CC × 32)   |
 *  [ extension: profile(16) length(16, in 32-bit words) data ] (§5.3.1)
 */

export const RTP_HEADER_BYTES = 12;

/** Filled in place by `readRtpHeader`; allocate one per session. */
export interface RtpHeaderView {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payloadOffset: number;
  payloadLength: number;
}

export function newRtpHeaderView(): RtpHeaderView {
  return { payloadType: 0, marker: false, sequenceNumber: 0, timestamp: 0, ssrc: 0, payloadOffset: 0, payloadLength: 0 };
}

/**
 * Validate and read an RTP header (§A.1 header checks: version 2, lengths of CSRC list, extension
 * and padding consistent with the datagram; PT 72–76 would be RTCP per RFC 5761 §4 and is
 * rejected). Returns false for a malformed packet; `out` is then unspecified.
 */
export function readRtpHeader(buf: Uint8Array, len: number, out: RtpHeaderView): boolean {
  if (len < RTP_HEADER_BYTES) return false;
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) return false;
  const b1 = buf[1]!;
  const pt = b1 & 0x7f;
  if (pt >= 72 && pt <= 76) return false;
  let offset = RTP_HEADER_BYTES + (b0 & 0x0f) * 4;
  if (offset > len) return false;
  if (b0 & 0x10) {
    if (offset + 4 > len) return false;
    offset += 4 + ((buf[offset + 2]! << 8) | buf[offset + 3]!) * 4;
    if (offset > len) return false;
  }
  let end = len;
  if (b0 & 0x20) {
    const pad = buf[len - 1]!;
    if (pad === 0 || offset + pad > len) return false;
    end -= pad;
  }
  out.payloadType = pt;
  out.marker = (b1 & 0x80) !== 0;
  out.sequenceNumber = (buf[2]! << 8) | buf[3]!;
  out.timestamp = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
  out.ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
  out.payloadOffset = offset;
  out.payloadLength = end - offset;
  return true;
}

/** Write a 12-byte header (no CSRC, no extension, no padding) at the start of `buf`. */
export function writeRtpHeader(buf: Uint8Array, payloadType: number, marker: boolean, seq: number, timestamp: number, ssrc: number): void {
  buf[0] = 0x80;
  buf[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  buf[2] = (seq >>> 8) & 0xff;
  buf[3] = seq & 0xff;
  buf[4] = (timestamp >>> 24) & 0xff;
  buf[5] = (timestamp >>> 16) & 0xff;
  buf[6] = (timestamp >>> 8) & 0xff;
  buf[7] = timestamp & 0xff;
  buf[8] = (ssrc >>> 24) & 0xff;
  buf[9] = (ssrc >>> 16) & 0xff;
  buf[10] = (ssrc >>> 8) & 0xff;
  buf[11] = ssrc & 0xff;
}
