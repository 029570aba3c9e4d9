/**
 * Pure choices of the media worker pool (media-pool.ts): how many media threads a process runs
 * and which thread a new session goes to.
 */

/**
 * Media threads for a host with `cores` CPUs. RINGFLEET_MEDIA_WORKERS overrides (0 = sessions on
 * the calling thread, as before the pool existed). Default: one per core once there are two or
 * more, so every core has its own scheduler and sockets; on one core a worker would only add a
 * thread hop.
 */
export function mediaWorkerCount(cores: number, env: Record<string, string | undefined> = {}): number {
  const v = env.RINGFLEET_MEDIA_WORKERS;
  if (v !== undefined && v.trim() !== "") {
    const n = Number(v);
    if (Number.isInteger(n) && n >= 0 && n <= 64) return n;
    throw new Error(`RINGFLEET_MEDIA_WORKERS must be an integer 0–64, got ${JSON.stringify(v)}`);
  }
  return cores >= 2 ? Math.min(cores, 64) : 0;
}

/**
 * The least-loaded worker (sessions now on each), ties to the lowest index: sessions end at
 * random, so round-robin would drift out of balance over a long run; least-loaded re-balances
 * with every new call.
 */
export function pickWorker(loads: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < loads.length; i++) if (loads[i]! < loads[best]!) best = i;
  return best;
}
