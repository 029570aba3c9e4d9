/**
 * The call timeline of one endpoint, read from its SIP trace (INVITE → 100 → 180 → 200 → ACK → BYE →
 * 200, each with its absolute time), and how to find the other side of a cross-group call: the
 * caller's INVITE names the receiver's account (Request-URI), the receiver's INVITE names the
 * caller's (From); failing that, caller i of a group calls receiver (i mod n) of the other group
 * (edge/src/runs/plan.ts resolveTarget). Pure: no Solid, no DOM.
 */
import type { RunEndpoint, SipTraceEntry } from "../../../protocol/index.js";

export type TimelineStepKey = "INVITE" | "100" | "180" | "200" | "ACK" | "BYE" | "BYE-200";
export const TIMELINE_STEPS: { key: TimelineStepKey; label: string }[] = [
  { key: "INVITE", label: "INVITE" },
  { key: "100", label: "100 Trying" },
  { key: "180", label: "180 Ringing" },
  { key: "200", label: "200 OK (INVITE)" },
  { key: "ACK", label: "ACK" },
  { key: "BYE", label: "BYE" },
  { key: "BYE-200", label: "200 OK (BYE)" },
];

export interface TimelineStep {
  key: TimelineStepKey;
  label: string;
  /** Epoch ms, or null when the trace has no such message. */
  t: number | null;
  dir: "out" | "in" | null;
}

const firstLine = (text: string) => text.split(/\r?\n/, 1)[0] ?? "";
function header(text: string, names: string[]): string | null {
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && names.includes(line.slice(0, i).trim().toLowerCase())) return line.slice(i + 1).trim();
  }
  return null;
}
const cseqMethod = (text: string) => header(text, ["cseq"])?.split(/\s+/)[1]?.toUpperCase() ?? null;

/** What one trace message is, as a timeline step (or null for REGISTER, 401/407, etc.). */
export function stepOf(text: string): TimelineStepKey | null {
  const line = firstLine(text);
  const resp = /^SIP\/2\.0\s+(\d{3})/.exec(line);
  if (resp) {
    const code = resp[1]!;
    const method = cseqMethod(text);
    if (method === "BYE") return code === "200" ? "BYE-200" : null;
    if (method !== null && method !== "INVITE") return null;
    return code === "100" || code === "180" || code === "200" ? code : null;
  }
  const m = /^([A-Z]+)\s/.exec(line)?.[1];
  return m === "INVITE" || m === "ACK" || m === "BYE" ? m : null;
}

/** The first occurrence of each step (retransmissions and re-INVITEs do not move it). */
export function callTimeline(trace: readonly SipTraceEntry[]): TimelineStep[] {
  const found = new Map<TimelineStepKey, SipTraceEntry>();
  for (const e of [...trace].sort((a, b) => a.t - b.t)) {
    const k = stepOf(e.text);
    if (k && !found.has(k)) found.set(k, e);
  }
  return TIMELINE_STEPS.map((s) => {
    const e = found.get(s.key);
    return { ...s, t: e?.t ?? null, dir: e?.dir ?? null };
  });
}

/** The user part of a SIP URI or name-addr (`"A" <sip:1001@host>;tag=x` → `1001`). */
export function sipUser(value: string): string | null {
  return /sips?:([^@;>\s]+)@/i.exec(value)?.[1] ?? null;
}

/** The account on the other side of the call, from the first INVITE in the trace. */
export function peerUsername(trace: readonly SipTraceEntry[], role: RunEndpoint["role"]): string | null {
  const invite = [...trace].sort((a, b) => a.t - b.t).find((e) => stepOf(e.text) === "INVITE" && e.dir === (role === "CALLER" ? "out" : "in"));
  if (!invite) return null;
  if (role === "CALLER") return sipUser(firstLine(invite.text));
  const from = header(invite.text, ["from", "f"]);
  return from ? sipUser(from) : null;
}

/**
 * The paired endpoint of a cross-group call among `endpoints` (the run's list), or null for calls
 * to an external URI, received from outside, or not placed yet.
 */
export function findPair(self: Pick<RunEndpoint, "id" | "role" | "group" | "index">, trace: readonly SipTraceEntry[], endpoints: readonly RunEndpoint[]): RunEndpoint | null {
  const otherRole = self.role === "CALLER" ? "RECEIVER" : "CALLER";
  const candidates = endpoints.filter((e) => e.role === otherRole && e.id !== self.id);
  const user = peerUsername(trace, self.role);
  if (user) {
    const byUser = candidates.filter((e) => e.username === user);
    if (byUser.length === 1) return byUser[0]!;
  }
  // By index, when the run is one caller group and one receiver group.
  const groups = (role: RunEndpoint["role"]) => [...new Set(endpoints.filter((e) => e.role === role).map((e) => e.group))];
  const callerGroups = groups("CALLER");
  const receiverGroups = groups("RECEIVER");
  if (callerGroups.length !== 1 || receiverGroups.length !== 1) return null;
  const receivers = endpoints.filter((e) => e.role === "RECEIVER").sort((a, b) => a.index - b.index);
  if (self.role === "CALLER") return receivers.length ? (receivers[self.index % receivers.length] ?? null) : null;
  const callers = endpoints.filter((e) => e.role === "CALLER" && e.index % receivers.length === self.index);
  return callers.length === 1 ? callers[0]! : null;
}
