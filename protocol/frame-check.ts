/**
 * The run object's hot path: agents send one frame per second with every endpoint's state, so at
 * fleet scale (50 agents × 200 endpoints) the edge validates ~10,000 endpoint samples a second on
 * one Durable Object thread. zod (which cannot compile its checks inside workerd, where `new
 * Function` is not allowed) spent a quarter of that thread on it in the fleet benchmark.
 *
 * `isValidRunFrame` checks exactly what the `RunFrame` schema in wire.ts checks, by hand, and is
 * proven equal to it by a differential test (frame-check.test.ts) on generated valid and mutated
 * messages. The schema stays the contract: anything this check rejects is parsed again with zod,
 * so the error the agent gets (field path + message) is the schema's own.
 */
import { ENDPOINT_OUTCOMES, ENDPOINT_PHASES, PROTOCOL_VERSION } from "./enums.js";
import { TIMING_KEYS } from "./metrics.js";
import { AgentToRun, parseWire, type RunFrame } from "./wire.js";

const PHASES = new Set<string>(ENDPOINT_PHASES);
const OUTCOMES = new Set<string>(ENDPOINT_OUTCOMES);
const TIMINGS = new Set<string>(TIMING_KEYS);
const FRAME_KEYS = new Set(["v", "type", "seq", "t", "endpoints", "agent"]);
const SAMPLE_KEYS = new Set(["id", "phase", "outcome", "statusCode", "statusText", "m", "timings", "trace"]);
const LOAD_KEYS = new Set(["cpu", "loopLagMs", "pps", "drops"]);
const TRACE_KEYS = new Set(["t", "dir", "remote", "text"]);

type Obj = Record<string, unknown>;
const isObject = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const isInt = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x);
/** zod's `.strict()`: no key outside the schema's. */
function onlyKeys(o: Obj, allowed: Set<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}

function isValidLoad(x: unknown): boolean {
  return (
    isObject(x) && onlyKeys(x, LOAD_KEYS) && isNum(x.cpu) && x.cpu >= 0 && isNum(x.loopLagMs) && x.loopLagMs >= 0 &&
    isNum(x.pps) && x.pps >= 0 && isInt(x.drops) && x.drops >= 0
  );
}

function isValidTraceEntry(x: unknown): boolean {
  return (
    isObject(x) && onlyKeys(x, TRACE_KEYS) && isNum(x.t) && (x.dir === "out" || x.dir === "in") &&
    typeof x.remote === "string" && typeof x.text === "string" && x.text.length <= 65_535
  );
}

function isValidSample(x: unknown): boolean {
  if (!isObject(x) || !onlyKeys(x, SAMPLE_KEYS)) return false;
  if (typeof x.id !== "string" || x.id.length < 1 || x.id.length > 128) return false;
  if (typeof x.phase !== "string" || !PHASES.has(x.phase)) return false;
  if (x.outcome !== undefined && x.outcome !== null && !(typeof x.outcome === "string" && OUTCOMES.has(x.outcome))) return false;
  if (x.statusCode !== undefined && x.statusCode !== null && !(isInt(x.statusCode) && x.statusCode >= 100 && x.statusCode <= 699)) return false;
  if (x.statusText !== undefined && x.statusText !== null && !(typeof x.statusText === "string" && x.statusText.length <= 200)) return false;
  if (x.m !== undefined) {
    if (!isObject(x.m)) return false;
    for (const k in x.m) if (!isNum(x.m[k])) return false;
  }
  if (x.timings !== undefined) {
    if (!isObject(x.timings)) return false;
    for (const k in x.timings) {
      const t = x.timings[k];
      if (!TIMINGS.has(k)) return false;
      if (t !== undefined && !(isNum(t) && t >= 0)) return false;
    }
  }
  if (x.trace !== undefined) {
    if (!Array.isArray(x.trace) || x.trace.length > 200) return false;
    for (const e of x.trace) if (!isValidTraceEntry(e)) return false;
  }
  return true;
}

/** True exactly when `RunFrame.safeParse(json)` succeeds (and then its output equals `json`). */
export function isValidRunFrame(json: unknown): json is RunFrame {
  if (!isObject(json) || !onlyKeys(json, FRAME_KEYS)) return false;
  if (json.v !== PROTOCOL_VERSION || json.type !== "frame") return false;
  if (!isInt(json.seq) || json.seq < 1 || !isNum(json.t)) return false;
  if (!Array.isArray(json.endpoints) || json.endpoints.length > 20_000) return false;
  for (const e of json.endpoints) if (!isValidSample(e)) return false;
  return isValidLoad(json.agent);
}

/** `parseWire(AgentToRun, text)` with the hand-checked fast path for frames. */
export function parseAgentToRun(text: string): ReturnType<typeof parseWire<AgentToRun>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return parseWire(AgentToRun, text);
  }
  if (isObject(json) && json.type === "frame" && isValidRunFrame(json)) return { ok: true, value: json };
  return parseWire(AgentToRun, text);
}
