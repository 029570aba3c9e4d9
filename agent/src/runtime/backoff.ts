/** Reconnect policy for the agent's sockets, as named constants (see partysocket's habits). */
export const RECONNECT = {
  minDelayMs: 250,
  maxDelayMs: 10_000,
  growth: 1.7,
  /** A connection that stayed up this long resets the back-off to the minimum. */
  minUptimeMs: 5_000,
  connectTimeoutMs: 10_000,
} as const;

/** Delay before reconnect attempt `attempt` (0-based), with ±20 % jitter from `random`. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RECONNECT.maxDelayMs, RECONNECT.minDelayMs * RECONNECT.growth ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}
