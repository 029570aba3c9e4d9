/**
 * Robustness: 20,000 mutated datagrams (bit flips, truncations, duplicated headers, huge values,
 * NULs… seeded from RFC 4475 and from captured UA ↔ registrar traffic; fixed PRNG seed) fired at a
 * live UA and the built-in registrar over UDP on 127.0.0.1. `npm run bench` runs 1,000,000.
 */
import { describe, expect, it } from "vitest";
import { FUZZ_SEED, MUTATOR_NAMES, Prng, loadRfc4475Seeds, mutate, runLiveFuzz } from "./fuzz-corpus.js";

describe("SIP fuzz", () => {
  it("the PRNG and the mutators are deterministic for a seed", () => {
    const seeds = loadRfc4475Seeds();
    expect(seeds.length).toBeGreaterThan(40);
    const run = () => {
      const rng = new Prng(FUZZ_SEED);
      return Array.from({ length: 200 }, () => mutate(rng, seeds).toString("base64")).join("|");
    };
    expect(run()).toBe(run());
    const used: Record<string, number> = {};
    const rng = new Prng(1);
    for (let i = 0; i < 2000; i++) expect(mutate(rng, seeds, used).length).toBeLessThanOrEqual(65_000);
    expect(Object.keys(used).sort()).toEqual([...MUTATOR_NAMES].sort());
  });

  it("20,000 mutated datagrams: no escape from the receive loop, malformed counted, heap bounded, still registers and answers", async () => {
    const r = await runLiveFuzz({ count: 20_000, seed: FUZZ_SEED });
    // On failure, the report says what happened (and the seed reproduces it).
    const summary = JSON.stringify({ ...r, mutators: undefined });
    expect(r.uncaught, summary).toEqual([]);
    expect(r.sent, summary).toBe(20_000);
    expect(r.seeds.captured, summary).toBeGreaterThan(10);
    for (const t of [r.ua, r.registrar]) {
      // Loopback with flow control: (almost) everything arrives.
      expect(t.delivered, summary).toBeGreaterThan(t.sent * 0.99);
      expect(t.expectedMalformed, summary).toBeGreaterThan(t.delivered * 0.3);
      // Every datagram our parser rejects is counted, and nothing else goes wrong in a handler.
      expect(t.malformedDelta, summary).toBeGreaterThanOrEqual(t.expectedMalformed);
      expect(t.handlerErrors, summary).toBe(0);
    }
    expect(r.heap.growthMb, summary).toBeLessThan(16);
    expect(r.after, summary).toEqual({ uaRegistered: true, peerRegistered: true, callAnswered: true, byeOk: true });
  }, 25_000);
});
