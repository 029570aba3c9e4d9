/**
 * The SIP ladder of one endpoint, computed from its trace: one column per party (this endpoint
 * first, then every remote address in order of first appearance) and one arrow per message, with
 * the method or status, the offset from the first message, and retransmissions marked.
 * Pure: the component (components/SipLadder.tsx) only lays it out.
 */
import type { SipTraceEntry } from "../../../protocol/index.js";

export interface LadderArrow {
  /** Position in the trace. */
  index: number;
  /** Epoch ms. */
  t: number;
  /** Milliseconds since the first message of the trace. */
  offsetMs: number;
  dir: "out" | "in";
  remote: string;
  /** Column indexes (0 = this endpoint). */
  from: number;
  to: number;
  kind: "request" | "response";
  /** Request method, or the CSeq method a response answers. */
  method: string;
  /** Response status code (responses only). */
  status: number | null;
  /** What the arrow shows: `INVITE`, `180 Ringing`. */
  label: string;
  /** The same message (same start line, branch and CSeq, same direction and peer) was seen before. */
  retransmission: boolean;
  hasSdp: boolean;
  text: string;
}

export interface Ladder {
  /** Column titles; `parties[0]` is this endpoint. */
  parties: string[];
  arrows: LadderArrow[];
}

export const THIS_ENDPOINT = "This endpoint";

const CRLF = /\r?\n/;

/** The value of the first header named `name` (or its compact form), unfolded; null when absent. */
export function headerValue(text: string, name: string, compact?: string): string | null {
  const head = text.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const lines = head.split(CRLF).slice(1);
  const wanted = [name.toLowerCase(), compact?.toLowerCase()].filter(Boolean);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    if (!wanted.includes(line.slice(0, colon).trim().toLowerCase())) continue;
    let v = line.slice(colon + 1);
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) v += " " + lines[++i]!.trim();
    return v.trim();
  }
  return null;
}

/** `SIP/2.0 180 Ringing` → response; `INVITE sip:… SIP/2.0` → request. */
export function parseStartLine(text: string): { kind: "request"; method: string } | { kind: "response"; status: number; reason: string } | null {
  const line = text.split(CRLF, 1)[0]?.trim() ?? "";
  const resp = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/i.exec(line);
  if (resp) return { kind: "response", status: Number(resp[1]), reason: resp[2]!.trim() };
  const req = /^([A-Za-z]+)\s+\S+\s+SIP\/2\.0$/i.exec(line);
  if (req) return { kind: "request", method: req[1]!.toUpperCase() };
  return null;
}

function hasSdp(text: string): boolean {
  const ct = headerValue(text, "Content-Type", "c");
  if (ct && /application\/sdp/i.test(ct)) return true;
  const body = text.split(/\r?\n\r?\n/).slice(1).join("\n");
  return /^v=0/m.test(body);
}

/** The `branch` parameter of the top Via, used to tell a retransmission from a new transaction. */
function topBranch(text: string): string {
  const via = headerValue(text, "Via", "v") ?? "";
  return /;\s*branch=([^;,\s]+)/i.exec(via)?.[1] ?? "";
}

export function buildLadder(trace: readonly SipTraceEntry[]): Ladder {
  const parties = [THIS_ENDPOINT];
  const column = new Map<string, number>();
  const seen = new Set<string>();
  const t0 = trace.length ? Math.min(...trace.map((e) => e.t)) : 0;
  const arrows = trace.map((e, index): LadderArrow => {
    let col = column.get(e.remote);
    if (col === undefined) {
      col = parties.length;
      parties.push(e.remote);
      column.set(e.remote, col);
    }
    const start = parseStartLine(e.text);
    const cseq = headerValue(e.text, "CSeq") ?? "";
    const cseqMethod = cseq.split(/\s+/)[1]?.toUpperCase() ?? "";
    const key = [e.dir, e.remote, e.text.split(CRLF, 1)[0], topBranch(e.text), cseq].join("\u0000");
    const retransmission = seen.has(key);
    seen.add(key);
    const base = {
      index, t: e.t, offsetMs: e.t - t0, dir: e.dir, remote: e.remote,
      from: e.dir === "out" ? 0 : col, to: e.dir === "out" ? col : 0, retransmission, hasSdp: hasSdp(e.text), text: e.text,
    };
    if (start?.kind === "response")
      return { ...base, kind: "response", method: cseqMethod, status: start.status, label: `${start.status}${start.reason ? " " + start.reason : ""}` };
    const method = start?.kind === "request" ? start.method : (e.text.split(/\s/, 1)[0] ?? "?").slice(0, 20) || "?";
    return { ...base, kind: "request", method, status: null, label: method };
  });
  return { parties, arrows };
}

/** `+1.234 s` */
export const offsetLabel = (ms: number) => `+${(ms / 1000).toFixed(3)} s`;

/** The accessible name of an arrow: `INVITE → 127.0.0.1:5070 at +0.000 s`. */
export function arrowName(a: LadderArrow): string {
  const where = a.dir === "out" ? `→ ${a.remote}` : `← ${a.remote}`;
  return `${a.label} ${where} at ${offsetLabel(a.offsetMs)}${a.hasSdp ? ", with SDP" : ""}${a.retransmission ? ", retransmission" : ""}`;
}
