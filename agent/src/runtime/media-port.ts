/** The endpoint's media port, over the media engine (agent/src/media): one RtpSession per call, one scheduler per process. */
import { createMediaRateMeter, RtpSession, sharedScheduler } from "../media/index.js";
import type { AgentCounters } from "./agent.js";
import type { MediaFactory } from "./ports.js";

export function mediaFactory(): MediaFactory {
  const scheduler = sharedScheduler();
  return {
    // RtpSession implements the port's methods directly (offer, answer, applyAnswer, start, sample, stop).
    open: ({ localAddress, codec }) => RtpSession.open({ localAddress, codec, codecs: ["PCMU", "PCMA"], scheduler }),
  };
}

const meter = createMediaRateMeter();
export const mediaCounters: AgentCounters = { pps: () => meter.pps(), drops: () => meter.drops() };
