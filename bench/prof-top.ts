/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): top frames by self time, and self time per
 * source file. `node --import tsx bench/prof-top.ts <file.cpuprofile> [n]` prints them.
 */
import { readFileSync } from "node:fs";

interface ProfNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface TopFrames {
  totalMs: number;
  self: { frame: string; selfMs: number; selfPct: number }[];
  byFile: { file: string; selfMs: number; selfPct: number }[];
}

interface Profile {
  nodes: ProfNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Top frames by self time; `window` ([fromMs, toMs) since the profile's start) limits it to the
 * samples taken then, e.g. one phase of a benchmark.
 */
export function topFrames(path: string, n = 15, window?: [number, number]): TopFrames {
  const p = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const selfUs = new Map<number, number>();
  let atUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    atUs += p.timeDeltas[i] ?? 0;
    if (window && (atUs < window[0] * 1000 || atUs >= window[1] * 1000)) continue;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const frames = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)?.callFrame;
    if (!cf) continue;
    total += us;
    const file = cf.url ? cf.url.replace(/^file:\/\//, "").replace(/^.*?\/(agent|bench|node_modules)\//, "$1/") : `(${cf.functionName || "native"})`;
    const name = `${cf.functionName || "(anonymous)"} ${cf.url ? `${file}:${cf.lineNumber + 1}` : ""}`.trim();
    frames.set(name, (frames.get(name) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((us / total) * 1000) / 10;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    totalMs: Math.round(total / 1000),
    self: sorted(frames).map(([frame, us]) => ({ frame, selfMs: Math.round(us / 1000), selfPct: pct(us) })),
    byFile: sorted(files).map(([file, us]) => ({ file, selfMs: Math.round(us / 1000), selfPct: pct(us) })),
  };
}

/** Milliseconds of each second of the profile the thread was busy (not idle): where it saturated. */
export function busyPerSecond(path: string): number[] {
  const p = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const idle = new Set(p.nodes.filter((x) => x.callFrame.functionName === "(idle)").map((x) => x.id));
  const out: number[] = [];
  let atUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const d = p.timeDeltas[i] ?? 0;
    atUs += d;
    const sec = Math.floor(atUs / 1e6);
    while (out.length <= sec) out.push(0);
    if (!idle.has(p.samples[i]!)) out[sec]! += d / 1000;
  }
  return out.map(Math.round);
}

if (process.argv[2]?.endsWith(".cpuprofile")) {
  const t = topFrames(process.argv[2], Number(process.argv[3] ?? 25));
  console.log(`total sampled ${t.totalMs} ms\nself time by frame:`);
  for (const f of t.self) console.log(`  ${f.selfPct.toFixed(1).padStart(5)} %  ${f.frame}`);
  console.log("self time by file:");
  for (const f of t.byFile) console.log(`  ${f.selfPct.toFixed(1).padStart(5)} %  ${f.file}`);
}
