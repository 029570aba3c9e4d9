/**
 * The endpoint's media port, over the media engine (agent/src/media): one RtpSession per call.
 *
 * Where the sessions run (RINGFLEET_MEDIA_WORKERS, media/worker-assign.ts; default one media
 * thread per core on a host with two or more): on media worker threads, each with its own
 * scheduler and sockets (media/media-pool.ts; the endpoint holds a PooledMediaPort and the frame
 * tick fetches every call's metrics in one message per worker), or with 0 on the main thread beside
 * SIP, on one shared scheduler. SIP stays on the main thread either way: a media thread that
 * is busy pacing 1,000 streams does not delay a 200 OK, and a burst of call setups does not make
 * RTP late.
 */
import { cpus } from "node:os";
import { createMediaRateMeter, mediaCounters as mainThreadCounters, MediaPool, mediaWorkerCount, RtpSession, sharedScheduler } from "../media/index.js";
import { sessionOptionsFor } from "../media/port-options.js";
import type { AgentCounters } from "./agent.js";
import type { MediaFactory } from "./ports.js";

/** The pool of the process's worker-backed factory, once created (its counters feed the load report). */
let activePool: MediaPool | null = null;

/** Media threads by default: Bun's worker threads load our TypeScript entry; elsewhere (Node, vitest) none. */
function defaultWorkers(): number {
  const underBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  return underBun ? mediaWorkerCount(cpus().length, process.env) : 0;
}

export function mediaFactory(workers = defaultWorkers()): MediaFactory {
  if (workers === 0) {
    const scheduler = sharedScheduler();
    // RtpSession implements the port's methods directly (offer, answer, applyAnswer, start, sample, stop).
    return { open: async (o) => RtpSession.open({ ...(await sessionOptionsFor(o)), scheduler }) };
  }
  let pool: Promise<MediaPool> | null = null;
  // Workers start with the first call, not with the agent: an idle agent holds no threads.
  const getPool = (): Promise<MediaPool> =>
    (pool ??= MediaPool.create(workers).then((p) => {
      activePool = p;
      return p;
    }));
  return {
    open: async (o) => (await getPool()).openPort(o),
    prefetch: async (ports, nowMs) => (await getPool()).prefetch(ports, nowMs),
  };
}

/** Media counters of this thread plus the media workers' (as of their last report). */
const allCounters = (): typeof mainThreadCounters => activePool?.countersWith(mainThreadCounters) ?? mainThreadCounters;

const meter = createMediaRateMeter(undefined, allCounters);
export const mediaCounters: AgentCounters = { pps: () => meter.pps(), drops: () => meter.drops() };
