/**
 * The RtpSession options of an endpoint's media (MediaFactory.open's `{ localAddress, codec, srtp }`),
 * one rule for both places a session is created: the calling thread (no media workers) and a media
 * worker (media-worker.ts), so an endpoint negotiates the same way wherever its media runs.
 */
import { createDtlsIdentity } from "./dtls-srtp.js";
import type { RtpSessionOptions } from "./rtp-session.js";
import type { MediaCodec } from "./source.js";
import { DEFAULT_SRTP_SUITES } from "./srtp.js";

/** What an endpoint asks for (structured-cloneable: it crosses to a media worker as is). */
export interface MediaOpenOptions {
  localAddress: string;
  codec: MediaCodec;
  srtp?: "SDES" | "DTLS";
}

/**
 * G.711 endpoints offer what they always did; a G.722 endpoint also accepts G.711, an Opus endpoint
 * G.722 and G.711 (RFC 3264 §6.1: the answerer picks), so they still complete calls with peers
 * that lack their codec. A G.722 or Opus endpoint answers with its own codec whenever the offer
 * lists it (`preferCodec`), whatever the offerer's order: the codec is what the test asked for.
 * SRTP (SDES, RFC 4568): every suite we support, the strongest-first default order of srtp.ts.
 * DTLS-SRTP (RFC 5764): a fresh self-signed ECDSA P-256 certificate; an endpoint places or answers
 * one call, so this is one certificate per endpoint.
 */
export async function sessionOptionsFor(o: MediaOpenOptions): Promise<Omit<RtpSessionOptions, "scheduler">> {
  return {
    localAddress: o.localAddress,
    codec: o.codec,
    codecs: o.codec === "OPUS" ? ["OPUS", "G722", "PCMU", "PCMA"] : o.codec === "G722" ? ["G722", "PCMU", "PCMA"] : ["PCMU", "PCMA"],
    preferCodec: o.codec === "OPUS" || o.codec === "G722",
    ...(o.srtp === "SDES" ? { srtp: DEFAULT_SRTP_SUITES } : {}),
    ...(o.srtp === "DTLS" ? { dtls: await createDtlsIdentity() } : {}),
  };
}
