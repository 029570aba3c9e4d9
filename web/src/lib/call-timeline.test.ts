import { describe, expect, it } from "vitest";
import type { RunEndpoint, SipTraceEntry } from "../../../protocol/index.js";
import { callTimeline, findPair, peerUsername, sipUser, stepOf } from "./call-timeline.js";

const T = 1_700_000_000_000;
const msg = (t: number, dir: "out" | "in", text: string): SipTraceEntry => ({ t: T + t, dir, remote: "UDP 127.0.0.1:5070", text });
const callerTrace: SipTraceEntry[] = [
  msg(0, "out", "REGISTER sip:127.0.0.1 SIP/2.0\r\nCSeq: 1 REGISTER\r\n\r\n"),
  msg(5, "in", "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\n\r\n"),
  msg(100, "out", "INVITE sip:1006@127.0.0.1 SIP/2.0\r\nFrom: <sip:1001@127.0.0.1>;tag=a\r\nCSeq: 1 INVITE\r\n\r\n"),
  msg(104, "in", "SIP/2.0 407 Proxy Authentication Required\r\nCSeq: 1 INVITE\r\n\r\n"),
  msg(110, "out", "INVITE sip:1006@127.0.0.1 SIP/2.0\r\nCSeq: 2 INVITE\r\n\r\n"),
  msg(112, "in", "SIP/2.0 100 Trying\r\nCSeq: 2 INVITE\r\n\r\n"),
  msg(130, "in", "SIP/2.0 180 Ringing\r\nCSeq: 2 INVITE\r\n\r\n"),
  msg(150, "in", "SIP/2.0 200 OK\r\nCSeq: 2 INVITE\r\n\r\n"),
  msg(151, "out", "ACK sip:1006@127.0.0.1 SIP/2.0\r\nCSeq: 2 ACK\r\n\r\n"),
  msg(8150, "out", "BYE sip:1006@127.0.0.1 SIP/2.0\r\nCSeq: 3 BYE\r\n\r\n"),
  msg(8160, "in", "SIP/2.0 200 OK\r\nCSeq: 3 BYE\r\n\r\n"),
];
const receiverTrace: SipTraceEntry[] = [
  msg(120, "in", 'INVITE sip:1006@127.0.0.1:40000 SIP/2.0\r\nf: "A" <sip:1001@127.0.0.1>;tag=a\r\nCSeq: 2 INVITE\r\n\r\n'),
  msg(121, "out", "SIP/2.0 180 Ringing\r\nCSeq: 2 INVITE\r\n\r\n"),
];
const ep = (id: string, group: string, index: number, username: string, role: RunEndpoint["role"]): RunEndpoint => ({
  id, runId: "r", group, index, username, role, agentId: null, phase: "CLOSED", outcome: null, statusCode: null, statusText: null, timings: {}, metrics: {},
});

describe("call timeline", () => {
  it("classifies INVITE-dialog messages and ignores REGISTER and auth challenges", () => {
    expect(stepOf(callerTrace[0]!.text)).toBeNull();
    expect(stepOf(callerTrace[1]!.text)).toBeNull();
    expect(stepOf(callerTrace[3]!.text)).toBeNull();
    expect(stepOf(callerTrace[7]!.text)).toBe("200");
    expect(stepOf(callerTrace[10]!.text)).toBe("BYE-200");
  });
  it("gives each step's first absolute time and direction", () => {
    const tl = callTimeline(callerTrace);
    expect(tl.map((s) => [s.key, s.t === null ? null : s.t - T, s.dir])).toEqual([
      ["INVITE", 100, "out"], ["100", 112, "in"], ["180", 130, "in"], ["200", 150, "in"], ["ACK", 151, "out"], ["BYE", 8150, "out"], ["BYE-200", 8160, "in"],
    ]);
    expect(callTimeline(receiverTrace).filter((s) => s.t === null).map((s) => s.key)).toEqual(["100", "200", "ACK", "BYE", "BYE-200"]);
  });
});

describe("the paired endpoint", () => {
  const list = [ep("c0", "A", 0, "1001", "CALLER"), ep("c1", "A", 1, "1002", "CALLER"), ep("r0", "B", 0, "1006", "RECEIVER"), ep("r1", "B", 1, "1007", "RECEIVER")];
  it("reads the account from the INVITE: Request-URI for a caller, From for a receiver", () => {
    expect(sipUser('"A" <sip:1001@h>;tag=1')).toBe("1001");
    expect(peerUsername(callerTrace, "CALLER")).toBe("1006");
    expect(peerUsername(receiverTrace, "RECEIVER")).toBe("1001");
    expect(findPair({ id: "c0", role: "CALLER", group: "A", index: 0 }, callerTrace, list)?.id).toBe("r0");
    expect(findPair({ id: "r0", role: "RECEIVER", group: "B", index: 0 }, receiverTrace, list)?.id).toBe("c0");
  });
  it("falls back to caller i → receiver i mod n with one caller and one receiver group", () => {
    expect(findPair({ id: "c1", role: "CALLER", group: "A", index: 1 }, [], list)?.id).toBe("r1");
    expect(findPair({ id: "r1", role: "RECEIVER", group: "B", index: 1 }, [], list)?.id).toBe("c1");
    expect(findPair({ id: "c1", role: "CALLER", group: "A", index: 1 }, [], [...list, ep("x", "C", 0, "1100", "CALLER")])).toBeNull();
  });
  it("has no pair for an external call", () => {
    expect(findPair({ id: "c0", role: "CALLER", group: "A", index: 0 }, callerTrace, [list[0]!])).toBeNull();
  });
});
