/** The endpoint's media port, over the media engine (agent/src/media): one RtpSession per call, one scheduler per process. */
import { createMediaRateMeter, RtpSession, sharedScheduler } from "../media/index.js";
import { DEFAULT_SRTP_SUITES } from "../media/srtp.js";
import { createDtlsIdentity } from "../media/dtls-srtp.js";
import type { AgentCounters } from "./agent.js";
import type { MediaFactory } from "./ports.js";

export function mediaFactory(): MediaFactory {
  const scheduler = sharedScheduler();
  return {
    // RtpSession implements the port's methods directly (offer, answer, applyAnswer, start, sample, stop).
    // G.711 endpoints offer what they always did; a G.722 endpoint also accepts G.711 (RFC 3264 §6.1:
    // the answerer picks), so it still completes calls with narrowband-only peers.
    // SRTP (SDES, RFC 4568): every suite we support, the strongest-first default order of srtp.ts.
    // DTLS-SRTP (RFC 5764): a fresh self-signed ECDSA P-256 certificate; an endpoint places or
    // answers one call, so this is one certificate per endpoint.
    open: async ({ localAddress, codec, srtp }) =>
      RtpSession.open({
        localAddress, codec, codecs: codec === "G722" ? ["G722", "PCMU", "PCMA"] : ["PCMU", "PCMA"], scheduler,
        ...(srtp === "SDES" ? { srtp: DEFAULT_SRTP_SUITES } : {}),
        ...(srtp === "DTLS" ? { dtls: await createDtlsIdentity() } : {}),
      }),
  };
}

const meter = createMediaRateMeter();
export const mediaCounters: AgentCounters = { pps: () => meter.pps(), drops: () => meter.drops() };
