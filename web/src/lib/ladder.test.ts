import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SipTraceEntry } from "../../../protocol/index.js";
import { arrowName, buildLadder, headerValue, parseStartLine, THIS_ENDPOINT } from "./ladder.js";

const trace: SipTraceEntry[] = JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/sip-trace/call.json"), "utf8"));

describe("ladder model", () => {
  it("has one column per party in order of appearance, this endpoint first", () => {
    expect(buildLadder(trace).parties).toEqual([THIS_ENDPOINT, "127.0.0.1:5060", "127.0.0.1:5070"]);
  });
  it("draws one arrow per message with direction, label and offset", () => {
    const { arrows } = buildLadder(trace);
    expect(arrows).toHaveLength(12);
    expect(arrows.map((a) => a.label)).toEqual([
      "REGISTER", "401 Unauthorized", "REGISTER", "200 OK", "INVITE", "INVITE", "100 Trying", "180 Ringing", "200 OK", "ACK", "BYE", "200 OK",
    ]);
    expect(arrows[0]).toMatchObject({ from: 0, to: 1, offsetMs: 0, kind: "request" });
    expect(arrows[1]).toMatchObject({ from: 1, to: 0, offsetMs: 3, kind: "response", status: 401, method: "REGISTER" });
    expect(arrows[11]).toMatchObject({ from: 2, to: 0, method: "BYE", status: 200 });
  });
  it("marks the retransmitted INVITE, not the re-sent REGISTER with credentials", () => {
    expect(buildLadder(trace).arrows.map((a) => a.retransmission)).toEqual([false, false, false, false, false, true, false, false, false, false, false, false]);
  });
  it("knows which messages carry SDP", () => {
    expect(buildLadder(trace).arrows.filter((a) => a.hasSdp).map((a) => a.index)).toEqual([4, 5, 8]);
  });
  it("names arrows for screen readers", () => {
    const { arrows } = buildLadder(trace);
    expect(arrowName(arrows[4]!)).toBe("INVITE → 127.0.0.1:5070 at +1.000 s, with SDP");
    expect(arrowName(arrows[5]!)).toBe("INVITE → 127.0.0.1:5070 at +1.500 s, with SDP, retransmission");
    expect(arrowName(arrows[7]!)).toBe("180 Ringing ← 127.0.0.1:5070 at +1.600 s");
  });
  it("parses start lines and folded/compact headers; survives garbage", () => {
    expect(parseStartLine("SIP/2.0 486 Busy Here\r\n")).toEqual({ kind: "response", status: 486, reason: "Busy Here" });
    expect(parseStartLine("options sip:x SIP/2.0")).toEqual({ kind: "request", method: "OPTIONS" });
    expect(parseStartLine("\u0000garbage")).toBeNull();
    expect(headerValue("X sip:a SIP/2.0\r\nv: SIP/2.0/UDP a\r\n ;branch=z9\r\n\r\n", "Via", "v")).toBe("SIP/2.0/UDP a ;branch=z9");
    const l = buildLadder([{ t: 5, dir: "in", remote: "x:1", text: "???" }]);
    expect(l.arrows[0]).toMatchObject({ label: "???", kind: "request", offsetMs: 0 });
    expect(buildLadder([])).toEqual({ parties: [THIS_ENDPOINT], arrows: [] });
  });
});
