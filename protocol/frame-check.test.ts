import { describe, expect, it } from "vitest";
import { isValidRunFrame, parseAgentToRun } from "./frame-check.js";
import { RunFrame, parseWire, AgentToRun } from "./wire.js";

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validFrame(r: () => number): any {
  const n = 1 + Math.floor(r() * 5);
  return {
    v: 1, type: "frame", seq: 1 + Math.floor(r() * 1000), t: Date.now(),
    agent: { cpu: r(), loopLagMs: r() * 10, pps: 100, drops: 0 },
    endpoints: Array.from({ length: n }, (_, i) => ({
      id: `ep_${i}`, phase: ["REGISTERED", "INCALL", "CLOSED"][i % 3],
      ...(r() < 0.5 ? { m: { mos: 4.2, jitter_ms: 1.5, packets_lost: 0 } } : {}),
      ...(r() < 0.3 ? { outcome: "SUCCESS", statusCode: 200, statusText: "OK" } : {}),
      ...(r() < 0.3 ? { timings: { time_to_register_ms: 12 } } : {}),
      ...(r() < 0.3 ? { trace: [{ t: 1, dir: "out", remote: "UDP 127.0.0.1:5060", text: "REGISTER sip:x SIP/2.0\r\n\r\n" }] } : {}),
    })),
  };
}

/** Values that are wrong somewhere in the schema (types, ranges, enums, lengths). */
const WEIRD: unknown[] = [
  null, undefined, "", "x", "INCALL", "SUCCESS", -1, 0, 0.5, 1, 99, 100, 699, 700, 1e20, 2 ** 53, -0, true, [], {}, [1], { a: 1 }, { mos: "4" },
  "x".repeat(129), "x".repeat(201), "x".repeat(65_536), "out", "in", 1.5,
];
const PATHS: string[][] = [
  ["v"], ["type"], ["seq"], ["t"], ["agent"], ["agent", "cpu"], ["agent", "drops"], ["agent", "extra"], ["extra"], ["endpoints"],
  ["endpoints", "0"], ["endpoints", "0", "id"], ["endpoints", "0", "phase"], ["endpoints", "0", "outcome"], ["endpoints", "0", "statusCode"],
  ["endpoints", "0", "statusText"], ["endpoints", "0", "m"], ["endpoints", "0", "m", "mos"], ["endpoints", "0", "timings"],
  ["endpoints", "0", "timings", "time_to_register_ms"], ["endpoints", "0", "timings", "not_a_timing"], ["endpoints", "0", "trace"],
  ["endpoints", "0", "trace", "0"], ["endpoints", "0", "trace", "0", "dir"], ["endpoints", "0", "trace", "0", "text"], ["endpoints", "0", "extra"],
];

function mutate(frame: any, path: string[], value: unknown): any {
  const copy = structuredClone(frame);
  let o = copy;
  for (const k of path.slice(0, -1)) {
    if (o[k] === undefined || o[k] === null || typeof o[k] !== "object") o[k] = /^\d+$/.test(path[path.indexOf(k) + 1] ?? "") ? [] : {};
    o = o[k];
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

describe("isValidRunFrame agrees with the RunFrame schema", () => {
  it("on generated valid frames", () => {
    const r = rng(1);
    for (let i = 0; i < 500; i++) {
      const f = validFrame(r);
      expect(RunFrame.safeParse(f).success).toBe(true);
      expect(isValidRunFrame(f)).toBe(true);
    }
  });

  it("on every single-field mutation (types, ranges, enums, lengths, unknown keys)", () => {
    const r = rng(2);
    let rejected = 0;
    for (let i = 0; i < 40; i++) {
      const base = validFrame(r);
      for (const path of PATHS)
        for (const value of WEIRD) {
          // Round-trip through JSON: the edge only ever sees what JSON can carry.
          const text = JSON.stringify(mutate(base, path, value));
          if (text === undefined) continue;
          const json = JSON.parse(text);
          const zodOk = RunFrame.safeParse(json).success;
          expect({ path: path.join("."), value, fast: isValidRunFrame(json) }).toEqual({ path: path.join("."), value, fast: zodOk });
          if (!zodOk) rejected++;
        }
    }
    expect(rejected).toBeGreaterThan(10_000);
  });

  it("oversized arrays: 20,001 endpoints and 201 trace entries are rejected like the schema does", () => {
    const r = rng(3);
    const f = validFrame(r);
    f.endpoints = Array.from({ length: 20_001 }, (_, i) => ({ id: `e${i}`, phase: "INCALL" }));
    expect(isValidRunFrame(f)).toBe(RunFrame.safeParse(f).success);
    const g = validFrame(r);
    g.endpoints[0].trace = Array.from({ length: 201 }, () => ({ t: 1, dir: "in", remote: "r", text: "" }));
    expect(isValidRunFrame(g)).toBe(false);
    expect(RunFrame.safeParse(g).success).toBe(false);
  });
});

describe("parseAgentToRun", () => {
  it("returns a valid frame as parsed, and the schema's own error for a bad one", () => {
    const f = validFrame(rng(4));
    expect(parseAgentToRun(JSON.stringify(f))).toEqual({ ok: true, value: f });
    const bad = mutate(f, ["endpoints", "0", "phase"], "DANCING");
    expect(parseAgentToRun(JSON.stringify(bad))).toEqual(parseWire(AgentToRun, JSON.stringify(bad)));
    const r = parseAgentToRun(JSON.stringify(bad));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.path).toBe("endpoints.0.phase");
  });

  it("handles join, done and non-JSON exactly like parseWire", () => {
    for (const text of ['{"v":1,"type":"join","agentId":"a","runId":"r","lastAckedSeq":0}', '{"v":1,"type":"done","lastSeq":3}', "not json", '{"type":"frame"}'])
      expect(parseAgentToRun(text)).toEqual(parseWire(AgentToRun, text));
  });
});
