/**
 * How the run object stores one agent frame's per-second metrics in its SQLite (`frames.data`):
 * columnar JSON, the metric names once per frame and each endpoint's values as an array in that
 * order (`null` where an endpoint did not report a key):
 *
 *   {"k":["mos","jitter_ms",…],"e":{"ep_1":[4.3,1.2,…],"ep_2":[…]}}
 *
 * With ~36 metrics per endpoint this is ~4× smaller than an object per endpoint (≈ 240 vs 920
 * bytes per endpoint-second), which is what bounds a run's length in a Durable Object (10 GB), and
 * one endpoint's values stay addressable by SQLite's json_extract (`$.e."<id>"`).
 */
export interface StoredFrame {
  k: string[];
  e: Record<string, (number | null)[]>;
}

export function encodeFrame(metrics: Record<string, Record<string, number>>): string {
  const keys: string[] = [];
  const index = new Map<string, number>();
  for (const id in metrics) {
    for (const key in metrics[id]) {
      if (!index.has(key)) {
        index.set(key, keys.length);
        keys.push(key);
      }
    }
  }
  const e: Record<string, (number | null)[]> = {};
  for (const id in metrics) {
    const m = metrics[id]!;
    const row: (number | null)[] = new Array(keys.length).fill(null);
    for (const key in m) row[index.get(key)!] = m[key]!;
    e[id] = row;
  }
  return JSON.stringify({ k: keys, e } satisfies StoredFrame);
}

/** One endpoint's metrics back from its row and the frame's key list. */
export function rowToMetrics(keys: readonly string[], row: readonly (number | null)[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (let i = 0; i < keys.length; i++) {
    const v = row[i];
    if (v !== null && v !== undefined) m[keys[i]!] = v;
  }
  return m;
}

/** Every endpoint's metrics of a stored frame. */
export function decodeFrame(data: string): Map<string, Record<string, number>> {
  const f = JSON.parse(data) as StoredFrame;
  const out = new Map<string, Record<string, number>>();
  for (const id in f.e) out.set(id, rowToMetrics(f.k, f.e[id]!));
  return out;
}
