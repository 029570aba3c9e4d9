/**
 * `npm run bench` part 2: the SIP fuzz at scale (1,000,000 mutated datagrams by default, env
 * BENCH_FUZZ_COUNT; BENCH_FUZZ_SEED for another seed) against a live UA + built-in registrar on
 * 127.0.0.1. Same harness and checks as agent/src/sip/fuzz.test.ts; writes bench/results/fuzz.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FUZZ_SEED, runLiveFuzz } from "../agent/src/sip/fuzz-corpus.js";

const count = Number(process.env.BENCH_FUZZ_COUNT ?? 1_000_000);
const seed = process.env.BENCH_FUZZ_SEED ? Number(process.env.BENCH_FUZZ_SEED) : FUZZ_SEED;
const started = Date.now();
console.log(`fuzz: ${count} datagrams, seed ${seed}`);
const r = await runLiveFuzz({
  count,
  seed,
  timeBudgetMs: Number(process.env.BENCH_FUZZ_BUDGET_MS ?? 1_800_000),
  onProgress: (n, total) => console.log(`  ${n}/${total} sent, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB, ${((Date.now() - started) / 1000).toFixed(0)} s`),
});
const problems: string[] = [];
if (r.uncaught.length) problems.push(`${r.uncaught.length} exceptions escaped: ${r.uncaught.slice(0, 3).join("; ")}`);
if (r.sent < count) problems.push(`only ${r.sent} of ${count} sent within the time budget`);
for (const [name, t] of [["ua", r.ua], ["registrar", r.registrar]] as const) {
  if (t.malformedDelta < t.expectedMalformed) problems.push(`${name}: stats.malformed +${t.malformedDelta} < ${t.expectedMalformed} rejected by the parser`);
  if (t.handlerErrors !== 0) problems.push(`${name}: ${t.handlerErrors} handler errors`);
}
if (r.heap.growthMb > 32) problems.push(`heap grew ${r.heap.growthMb} MB`);
if (!Object.values(r.after).every(Boolean)) problems.push(`not healthy afterwards: ${JSON.stringify(r.after)}`);
const out = { when: new Date().toISOString(), runtime: process.versions.bun ? `bun ${process.versions.bun}` : `node ${process.version}`, ok: problems.length === 0, problems, ...r };
const dir = join(dirname(fileURLToPath(import.meta.url)), "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "fuzz.json"), JSON.stringify(out, null, 2) + "\n");
const rate = Math.round(r.sent / (r.ms / 1000));
console.log(
  `fuzz: ${r.sent} datagrams (${(r.bytes / 2 ** 20).toFixed(0)} MB) in ${(r.ms / 1000).toFixed(1)} s (${rate}/s); ` +
    `UA ${r.ua.delivered} delivered / ${r.ua.expectedMalformed} malformed (counted ${r.ua.malformedDelta}); ` +
    `registrar ${r.registrar.delivered} / ${r.registrar.expectedMalformed} (counted ${r.registrar.malformedDelta}); ` +
    `heap ${r.heap.beforeMb} → peak ${r.heap.peakMb} → ${r.heap.afterMb} MB; after: ${JSON.stringify(r.after)}; ${r.redirected} sends redirected to the sink`,
);
console.log(problems.length ? `fuzz: FAILED\n  ${problems.join("\n  ")}` : "fuzz: OK");
process.exit(problems.length ? 1 : 0);
