/** RFC 3261 §17 state machines with fake timers over a fake unreliable transport. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SipMessage, SipRequest, SipResponse } from "../message.js";
import { parseMessage } from "../parser.js";
import { serialize } from "../serializer.js";
import type { Address, TraceEvent, Transport } from "../transport/transport.js";
import { TransactionLayer } from "./layer.js";
import { InviteClientState, InviteServerState, NonInviteClientState, NonInviteServerState } from "./states.js";
import type { ServerTransaction } from "./server.js";
import { buildResponse } from "../ua/build.js";

class FakeTransport implements Transport {
  readonly protocol = "UDP" as const;
  readonly reliable = false;
  readonly localAddress = "127.0.0.1";
  readonly localPort = 5070;
  readonly stats = { received: 0, sent: 0, malformed: 0, sendErrors: 0 };
  sent: { at: number; text: string; msg: SipMessage }[] = [];
  private handler: ((m: SipMessage, src: Address) => void) | null = null;
  send(msg: SipMessage): void {
    const text = serialize(msg);
    const r = parseMessage(text);
    if (!r.ok) throw new Error(`we sent something unparseable: ${r.error.message}`);
    this.sent.push({ at: Date.now(), text, msg: r.message });
  }
  onMessage(cb: (m: SipMessage, src: Address) => void): void {
    this.handler = cb;
  }
  onTrace(_cb: ((e: TraceEvent) => void) | null): void {}
  inject(text: string, src: Address = { address: "127.0.0.1", port: 5060 }) {
    const r = parseMessage(text);
    if (!r.ok) throw new Error(r.error.message);
    this.handler?.(r.message, src);
  }
  async close() {}
}

const SERVER = { address: "127.0.0.1", port: 5060 };
const req = (method: string, branch = "z9hG4bKabc", extra = "") =>
  `${method} sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch};rport\r\nMax-Forwards: 70\r\n` +
  `From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>${extra}\r\nCall-ID: c1@127.0.0.1\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`;
const res = (code: number, method: string, branch = "z9hG4bKabc", toTag = ";tag=b1") =>
  `SIP/2.0 ${code} X\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch};rport=5070\r\n` +
  `From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>${toTag}\r\nCall-ID: c1@127.0.0.1\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`;
const parsedReq = (text: string) => {
  const r = parseMessage(text);
  if (!r.ok || r.message.type !== "request") throw new Error("bad fixture");
  return r.message as SipRequest;
};

let t: FakeTransport;
let layer: TransactionLayer;
let t0: number;
beforeEach(() => {
  vi.useFakeTimers();
  t0 = Date.now();
  t = new FakeTransport();
  layer = new TransactionLayer(t);
});
afterEach(() => vi.useRealTimers());
const sentTimes = (method: string) => t.sent.filter((s) => s.msg.type === "request" && s.msg.method === method).map((s) => s.at - t0);

describe("INVITE client transaction (§17.1.1)", () => {
  it("retransmits on Timer A (T1 doubling) and times out on Timer B (64*T1)", () => {
    const onTimeout = vi.fn();
    const tx = layer.sendRequest(parsedReq(req("INVITE")), SERVER, { onResponse: vi.fn(), onTimeout });
    vi.advanceTimersByTime(31_999);
    expect(sentTimes("INVITE")).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(onTimeout).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(tx.state).toBe(InviteClientState.Terminated);
    expect(layer.counts.clients).toBe(0);
  });

  it("a provisional stops retransmission; a non-2xx is ACKed by the transaction and re-ACKed on retransmission", () => {
    const onResponse = vi.fn();
    const tx = layer.sendRequest(parsedReq(req("INVITE")), SERVER, { onResponse, onTimeout: vi.fn() });
    t.inject(res(180, "INVITE"));
    expect(tx.state).toBe(InviteClientState.Proceeding);
    vi.advanceTimersByTime(10_000);
    expect(sentTimes("INVITE")).toEqual([0]);
    t.inject(res(486, "INVITE"));
    expect(tx.state).toBe(InviteClientState.Completed);
    const acks = t.sent.filter((s) => s.msg.type === "request" && s.msg.method === "ACK");
    expect(acks).toHaveLength(1);
    const ack = acks[0].msg as SipRequest;
    expect(ack.topVia?.branch).toBe("z9hG4bKabc"); // §17.1.1.3: same branch as the INVITE
    expect(ack.to?.tag).toBe("b1");
    expect(ack.cseq).toEqual({ seq: 1, method: "ACK" });
    t.inject(res(486, "INVITE")); // retransmitted final: ACK again, TU not bothered
    expect(sentTimes("ACK")).toHaveLength(2);
    expect(onResponse.mock.calls.map((c) => (c[0] as SipResponse).status)).toEqual([180, 486]);
    vi.advanceTimersByTime(32_000); // Timer D
    expect(tx.state).toBe(InviteClientState.Terminated);
  });

  it("2xx → Accepted (RFC 6026): retransmitted 2xx reach the TU until Timer M", () => {
    const onResponse = vi.fn();
    const tx = layer.sendRequest(parsedReq(req("INVITE")), SERVER, { onResponse, onTimeout: vi.fn() });
    t.inject(res(200, "INVITE"));
    expect(tx.state).toBe(InviteClientState.Accepted);
    t.inject(res(200, "INVITE"));
    t.inject(res(180, "INVITE")); // a 180 after the 200 (reordering proxy) is ignored
    expect(onResponse.mock.calls.map((c) => (c[0] as SipResponse).status)).toEqual([200, 200]);
    expect(sentTimes("ACK")).toEqual([]); // the 2xx ACK is the UA core's job
    vi.advanceTimersByTime(32_000);
    expect(tx.state).toBe(InviteClientState.Terminated);
  });

  it("loss: the first transmissions are dropped, a retransmission gets the answer", () => {
    const onResponse = vi.fn();
    layer.sendRequest(parsedReq(req("INVITE")), SERVER, { onResponse, onTimeout: vi.fn() });
    vi.advanceTimersByTime(1600); // INVITE at 0, 500 and 1500 ms: the first two "lost"
    expect(sentTimes("INVITE")).toEqual([0, 500, 1500]);
    t.inject(res(100, "INVITE"));
    vi.advanceTimersByTime(60_000);
    expect(sentTimes("INVITE")).toHaveLength(3);
    expect(onResponse).toHaveBeenCalledOnce();
  });
});

describe("non-INVITE client transaction (§17.1.2)", () => {
  it("Timer E backs off to T2, Timer F times out at 64*T1", () => {
    const onTimeout = vi.fn();
    layer.sendRequest(parsedReq(req("OPTIONS")), SERVER, { onResponse: vi.fn(), onTimeout });
    vi.advanceTimersByTime(32_000);
    expect(sentTimes("OPTIONS")).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(onTimeout).toHaveBeenCalledOnce();
  });

  it("in Proceeding retransmits every T2; a final response → Completed, absorbed duplicates, Timer K", () => {
    const onResponse = vi.fn();
    const tx = layer.sendRequest(parsedReq(req("OPTIONS")), SERVER, { onResponse, onTimeout: vi.fn() });
    t.inject(res(100, "OPTIONS"));
    expect(tx.state).toBe(NonInviteClientState.Proceeding);
    vi.advanceTimersByTime(9000);
    expect(sentTimes("OPTIONS")).toEqual([0, 500, 4500, 8500]);
    t.inject(res(200, "OPTIONS"));
    t.inject(res(200, "OPTIONS"));
    expect(tx.state).toBe(NonInviteClientState.Completed);
    expect(onResponse).toHaveBeenCalledTimes(2); // 100 + one 200
    vi.advanceTimersByTime(5000);
    expect(tx.state).toBe(NonInviteClientState.Terminated);
  });

  it("matches responses by branch and CSeq method only", () => {
    const onResponse = vi.fn();
    layer.sendRequest(parsedReq(req("OPTIONS")), SERVER, { onResponse, onTimeout: vi.fn() });
    t.inject(res(200, "OPTIONS", "z9hG4bKother"));
    t.inject(res(200, "INVITE"));
    expect(onResponse).not.toHaveBeenCalled();
  });
});

describe("INVITE server transaction (§17.2.1)", () => {
  let got: { req: SipRequest; tx: ServerTransaction | null }[];
  beforeEach(() => {
    got = [];
    layer.setUser({ onRequest: (r, tx) => got.push({ req: r, tx }) });
  });

  it("sends 100 Trying after 200 ms, re-sends the last provisional on INVITE retransmission", () => {
    t.inject(req("INVITE"));
    expect(got).toHaveLength(1);
    vi.advanceTimersByTime(200);
    expect(t.sent.map((s) => (s.msg as SipResponse).status)).toEqual([100]);
    t.inject(req("INVITE"));
    expect(got).toHaveLength(1); // absorbed
    expect(t.sent).toHaveLength(2);
    // responses go to the Via's rport (RFC 3581): here the source port 5060
    expect(t.sent[0].msg.topVia).toBeDefined();
  });

  it("non-2xx: Timer G retransmits (T1 doubling to T2) until the ACK; Confirmed absorbs ACKs; Timer I", () => {
    t.inject(req("INVITE"));
    const tx = got[0].tx!;
    tx.respond(buildResponse(got[0].req, 486, "Busy Here", { toTag: "b1" }));
    expect(tx.state).toBe(InviteServerState.Completed);
    vi.advanceTimersByTime(8000);
    expect(t.sent.map((s) => s.at - t0)).toEqual([0, 500, 1500, 3500, 7500]);
    t.inject(req("ACK", "z9hG4bKabc", ";tag=b1"));
    expect(tx.state).toBe(InviteServerState.Confirmed);
    expect(got).toHaveLength(1); // ACK for a non-2xx never reaches the TU
    vi.advanceTimersByTime(5000);
    expect(tx.state).toBe(InviteServerState.Terminated);
  });

  it("Timer H: no ACK within 64*T1 → Terminated with onTimeout", () => {
    t.inject(req("INVITE"));
    const tx = got[0].tx!;
    const onTimeout = vi.fn();
    if (tx.kind === "invite-server") tx.onTimeout = onTimeout;
    tx.respond(buildResponse(got[0].req, 500, "Oops", { toTag: "b1" }));
    vi.advanceTimersByTime(32_000);
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(tx.state).toBe(InviteServerState.Terminated);
  });

  it("2xx → Accepted (RFC 6026): INVITE retransmissions absorbed, the 2xx ACK goes to the TU, Timer L", () => {
    t.inject(req("INVITE"));
    const tx = got[0].tx!;
    tx.respond(buildResponse(got[0].req, 200, "OK", { toTag: "b1" }));
    expect(tx.state).toBe(InviteServerState.Accepted);
    t.inject(req("INVITE"));
    expect(t.sent).toHaveLength(1);
    t.inject(req("ACK", "z9hG4bKack2xx", ";tag=b1"));
    expect(got.map((g) => [g.req.method, g.tx === null])).toEqual([["INVITE", false], ["ACK", true]]);
    vi.advanceTimersByTime(32_000);
    expect(tx.state).toBe(InviteServerState.Terminated);
  });

  it("CANCEL finds its INVITE transaction", () => {
    t.inject(req("INVITE"));
    const cancel = parsedReq(req("CANCEL"));
    expect(layer.findInviteForCancel(cancel)).toBe(got[0].tx);
    expect(layer.findInviteForCancel(parsedReq(req("CANCEL", "z9hG4bKnope")))).toBeUndefined();
  });
});

describe("non-INVITE server transaction (§17.2.2)", () => {
  it("absorbs retransmissions in Trying, answers them with the final in Completed, Timer J", () => {
    const got: ServerTransaction[] = [];
    layer.setUser({ onRequest: (_r, tx) => tx && got.push(tx) });
    t.inject(req("OPTIONS"));
    t.inject(req("OPTIONS"));
    expect(got).toHaveLength(1);
    expect(t.sent).toHaveLength(0);
    got[0].respond(buildResponse(got[0].request, 200, "OK"));
    t.inject(req("OPTIONS"));
    expect(t.sent).toHaveLength(2);
    expect(got[0].state).toBe(NonInviteServerState.Completed);
    vi.advanceTimersByTime(32_000);
    expect(got[0].state).toBe(NonInviteServerState.Terminated);
    expect(layer.counts.servers).toBe(0);
  });
});

describe("over a reliable transport (TCP/TLS)", () => {
  class ReliableFake extends FakeTransport {
    override readonly reliable = true as unknown as false;
  }
  it("no Timer A/E retransmissions; Timer B/F still time out; Timer K is zero", () => {
    const rt = new ReliableFake();
    const rl = new TransactionLayer(rt);
    const onTimeout = vi.fn();
    rl.sendRequest(parsedReq(req("INVITE")), SERVER, { onResponse: vi.fn(), onTimeout });
    const nonInvite = rl.sendRequest(parsedReq(req("OPTIONS", "z9hG4bKopt")), SERVER, { onResponse: vi.fn(), onTimeout: vi.fn() });
    vi.advanceTimersByTime(31_999);
    expect(rt.sent.map((s) => (s.msg as SipRequest).method)).toEqual(["INVITE", "OPTIONS"]);
    expect(onTimeout).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(nonInvite.state).toBe(NonInviteClientState.Terminated);
    const opt = rl.sendRequest(parsedReq(req("OPTIONS", "z9hG4bKopt2")), SERVER, { onResponse: vi.fn(), onTimeout: vi.fn() });
    rt.inject(res(200, "OPTIONS", "z9hG4bKopt2"));
    vi.advanceTimersByTime(0);
    expect(opt.state).toBe(NonInviteClientState.Terminated);
  });
});
