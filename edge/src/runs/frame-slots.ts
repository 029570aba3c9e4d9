/**
 * Frame slots: when in each second an agent sends its frame. Agents that joined together would
 * otherwise all send at the same instant, and one run object (a single thread) would queue 50
 * frames at once every second — the last one acknowledged ~50 × the per-frame cost later. Spread
 * evenly over the second, each frame finds the object idle. Pure.
 */
export function frameOffsetMs(agentIds: readonly string[], agentId: string, periodMs = 1000): number {
  const sorted = [...agentIds].sort();
  const i = sorted.indexOf(agentId);
  if (i < 0 || sorted.length === 0) return 0;
  return Math.floor((i * periodMs) / sorted.length);
}
