/**
 * The codecs the media engine sends and receives, and what the RTP layer needs of each: its RTP
 * clock rate, so timestamps, jitter and every timing statistic are in the right units.
 *  - PCMU, PCMA: 8000 Hz, one octet per sample (RFC 3551 §4.5.14).
 *  - G722: 8000 Hz although it samples at 16 kHz (RFC 3551 §4.5.2, kept for historical reasons).
 *  - OPUS: 48000 Hz whatever bandwidth the encoder codes (RFC 7587 §4.1): 960 units per 20 ms.
 * Every codec is sent in 20 ms packets (RFC 3551 §4.5 default; RFC 7587 §7 ptime 20).
 */
export type G711Codec = "PCMU" | "PCMA";
/** Every codec the engine sends and receives. */
export type MediaCodec = G711Codec | "G722" | "OPUS";

export const MEDIA_CODECS: readonly MediaCodec[] = ["PCMU", "PCMA", "G722", "OPUS"];

/** Packetisation interval of what we send, ms. */
export const PACKET_MS = 20;

export const RTP_CLOCK_RATE: Readonly<Record<MediaCodec, number>> = { PCMU: 8000, PCMA: 8000, G722: 8000, OPUS: 48000 };

/** RTP timestamp units of one PACKET_MS packet of `codec` (160 at 8000 Hz, 960 for Opus). */
export function packetUnits(codec: MediaCodec): number {
  return (RTP_CLOCK_RATE[codec] * PACKET_MS) / 1000;
}
