/** The endpoint's media port, over the media engine (agent/src/media): one RtpSession per call, one scheduler per process. */
import { createMediaRateMeter, RtpSession, sharedScheduler } from "../media/index.js";
import type { AgentCounters } from "./agent.js";
import type { MediaFactory } from "./ports.js";

export function mediaFactory(): MediaFactory {
  const scheduler = sharedScheduler();
  return {
    // RtpSession implements the port's methods directly (offer, answer, applyAnswer, start, sample, stop).
    // G.711 endpoints offer what they always did; a G.722 endpoint also accepts G.711 (RFC 3264 §6.1:
    // the answerer picks), so it still completes calls with narrowband-only peers.
    open: ({ localAddress, codec }) =>
      RtpSession.open({ localAddress, codec, codecs: codec === "G722" ? ["G722", "PCMU", "PCMA"] : ["PCMU", "PCMA"], scheduler }),
  };
}

const meter = createMediaRateMeter();
export const mediaCounters: AgentCounters = { pps: () => meter.pps(), drops: () => meter.drops() };
