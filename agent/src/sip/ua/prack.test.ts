/** 100rel / PRACK (RFC 3262) on both sides of the UA, against a scripted raw UDP peer. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SipRequest, SipResponse } from "../message.js";
import { RawPeer, uaWithPeer, isReq, isRes, peerRequest, reply } from "../testing/raw-peer.js";
import type { IncomingCall, UserAgent } from "./types.js";

const SDP = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n";
let peer: RawPeer;
let ua: UserAgent;

beforeEach(async () => {
  ({ peer, ua } = await uaWithPeer());
});
afterEach(async () => {
  await ua.close();
  peer.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const distinctSeqs = (method: string) => new Set(peer.log.filter(isReq(method)).map((r) => r.msg.cseq!.seq)).size;

describe("100rel / PRACK as UAC (RFC 3262 §4)", () => {
  it("PRACKs a reliable 180 in its early dialog, absorbs its retransmission, drops an out-of-order one; CSeq carries on into the dialog", async () => {
    const codes: number[] = [];
    const call = ua.invite("bob", SDP, { onProvisional: (c) => codes.push(c) });
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    expect(inv.headers.get("supported")).toMatch(/\b100rel\b/);
    const rr = [`Record-Route: <sip:127.0.0.1:${peer.port};lr>`, `Contact: <sip:bob@127.0.0.1:${peer.port}>`];
    const rel = (code: number, reason: string, rseq: number) =>
      reply(inv, code, reason, { toTag: "b1", extra: [...rr, "Require: 100rel", `RSeq: ${rseq}`] });

    peer.send(rel(180, "Ringing", 5), r.from.port);
    const p1 = (await peer.wait(isReq("PRACK"))).msg as SipRequest;
    expect(p1.uri).toBe(`sip:bob@127.0.0.1:${peer.port}`);
    expect(p1.headers.get("route")).toBe(`<sip:127.0.0.1:${peer.port};lr>`);
    expect(p1.headers.get("rack")).toBe(`5 ${inv.cseq!.seq} INVITE`);
    expect(p1.cseq).toEqual({ seq: inv.cseq!.seq + 1, method: "PRACK" });
    expect(p1.to?.tag).toBe("b1");
    expect(p1.callId).toBe(inv.callId);
    peer.send(reply(p1, 200, "OK"), r.from.port);

    peer.send(rel(180, "Ringing", 5), r.from.port); // retransmission (our PRACK "was late")
    peer.send(rel(183, "Session Progress", 7), r.from.port); // RSeq gap: not PRACKed, not processed
    await sleep(150);
    expect(distinctSeqs("PRACK")).toBe(1);
    expect(codes).toEqual([180]);

    peer.send(rel(183, "Session Progress", 6), r.from.port);
    await sleep(100);
    const p2 = peer.log.filter(isReq("PRACK")).map((x) => x.msg as SipRequest).find((m) => m.headers.get("rack")?.startsWith("6 "));
    expect(p2?.cseq?.seq).toBe(inv.cseq!.seq + 2);
    peer.send(reply(p2!, 200, "OK"), r.from.port);
    expect(codes).toEqual([180, 183]);

    peer.send(reply(inv, 200, "OK", { toTag: "b1", extra: rr, body: "v=0\r\n" }), r.from.port);
    expect(await call.final).toMatchObject({ ok: true, statusCode: 200 });
    const ack = (await peer.wait(isReq("ACK"))).msg as SipRequest;
    expect(ack.cseq).toEqual({ seq: inv.cseq!.seq, method: "ACK" });
    const byeP = call.bye();
    const bye = (await peer.wait(isReq("BYE"))).msg as SipRequest;
    expect(bye.cseq!.seq).toBe(inv.cseq!.seq + 3); // after both PRACKs (§12.2.1.1: one counter per dialog)
    peer.send(reply(bye, 200, "OK"), r.from.port);
    expect(await byeP).toEqual({ ok: true, statusCode: 200 });
  });

  it("reliableProvisionals 'required' puts 100rel in Require, 'off' leaves it out", async () => {
    ua.invite("bob", SDP, { reliableProvisionals: "required" });
    ua.invite("carol", SDP, { reliableProvisionals: "off" });
    await sleep(80);
    const invs = peer.log.filter(isReq("INVITE")).map((r) => r.msg as SipRequest);
    const bob = invs.find((m) => m.uri.startsWith("sip:bob"))!;
    const carol = invs.find((m) => m.uri.startsWith("sip:carol"))!;
    expect(bob.headers.get("require")).toBe("100rel");
    expect(carol.headers.get("supported")).not.toMatch(/100rel/);
    expect(carol.headers.has("require")).toBe(false);
  });
});

describe("100rel / PRACK as UAS (RFC 3262 §3)", () => {
  const incoming = () => new Promise<IncomingCall>((resolve) => ua.onIncomingCall(resolve));
  const invite = (branch: string, extra: string[]) =>
    peerRequest({ method: "INVITE", uaPort: ua.localPort, peerPort: peer.port, callId: `${branch}@peer`, cseq: 10, branch, extra, body: SDP });
  const prack = (branch: string, callId: string, toTag: string, rack: string, cseq = 11) =>
    peerRequest({ method: "PRACK", uaPort: ua.localPort, peerPort: peer.port, callId, cseq, branch, toTag, extra: [`RAck: ${rack}`] });

  it("sends 180 with Require: 100rel and RSeq, re-sends it until PRACKed; a PRACK that matches nothing gets 481", async () => {
    const got = incoming();
    peer.send(invite("z9hG4bKr1", ["Supported: 100rel, timer"]), ua.localPort);
    const call = await got;
    call.ringing({ reliable: true });
    const first = (await peer.wait(isRes(180))).msg as SipResponse;
    expect(first.headers.get("require")).toBe("100rel");
    const rseq = Number(first.headers.get("rseq"));
    expect(rseq).toBeGreaterThanOrEqual(1);
    expect(rseq).toBeLessThan(2 ** 31);
    expect(first.contact).not.toBeNull(); // the early dialog's remote target for the PRACK
    await sleep(300); // T1 = 40 ms: 0, 40, 120, 280 ms … (doubling)
    expect(peer.count(isRes(180))).toBeGreaterThanOrEqual(3);
    const toTag = first.to!.tag!;
    peer.send(prack("z9hG4bKp0", "z9hG4bKr1@peer", toTag, `${rseq + 1} 10 INVITE`), ua.localPort);
    await peer.wait(isRes(481, "PRACK"));
    peer.send(prack("z9hG4bKp1", "z9hG4bKr1@peer", toTag, `${rseq} 10 INVITE`, 12), ua.localPort);
    await peer.wait(isRes(200, "PRACK"));
    await sleep(30);
    const n = peer.count(isRes(180));
    await sleep(300);
    expect(peer.count(isRes(180))).toBe(n); // PRACK stopped the retransmissions
    call.answer("v=0\r\n");
    const ok = (await peer.wait(isRes(200, "INVITE"))).msg as SipResponse;
    expect(ok.to?.tag).toBe(toTag);
  });

  it("answering before the PRACK (180 without SDP) is allowed; the PRACK arriving after the 2xx still gets 200", async () => {
    const got = incoming();
    peer.send(invite("z9hG4bKr6", ["Supported: 100rel"]), ua.localPort);
    const call = await got;
    call.ringing({ reliable: true });
    const first = (await peer.wait(isRes(180))).msg as SipResponse;
    call.answer("v=0\r\n");
    await peer.wait(isRes(200, "INVITE"));
    await sleep(30);
    const n = peer.count(isRes(180));
    peer.send(prack("z9hG4bKp6", "z9hG4bKr6@peer", first.to!.tag!, `${first.headers.get("rseq")} 10 INVITE`), ua.localPort);
    await peer.wait(isRes(200, "PRACK"));
    await sleep(200);
    expect(peer.count(isRes(180))).toBe(n); // no 180 after the 2xx
  });

  it("holds the 2xx while a reliable 183 with SDP is unacknowledged, sends it on the PRACK", async () => {
    const got = incoming();
    peer.send(invite("z9hG4bKr2", ["Supported: 100rel"]), ua.localPort);
    const call = await got;
    call.progress("v=0\r\ns=early\r\n", { reliable: true });
    const p = (await peer.wait(isRes(183))).msg as SipResponse;
    expect(p.body).toContain("s=early");
    call.answer("v=0\r\n");
    await sleep(150);
    expect(peer.count(isRes(200, "INVITE"))).toBe(0);
    peer.send(prack("z9hG4bKp2", "z9hG4bKr2@peer", p.to!.tag!, `${p.headers.get("rseq")} 10 INVITE`), ua.localPort);
    await peer.wait(isRes(200, "PRACK"));
    await peer.wait(isRes(200, "INVITE"));
  });

  it("an INVITE that requires 100rel gets reliable provisionals unasked; no PRACK within 64·T1 → 504", async () => {
    const got = incoming();
    peer.send(invite("z9hG4bKr3", ["Require: 100rel"]), ua.localPort);
    const call = await got;
    let ended = "";
    call.onEnded((e) => (ended = e.reason));
    call.ringing();
    const r = (await peer.wait(isRes(180))).msg;
    expect(r.headers.get("rseq")).toBeDefined();
    await peer.wait(isRes(504, "INVITE"), 4000); // 64 × 40 ms = 2.56 s
    expect(ended).toContain("504");
  });

  it("a caller without 100rel gets an ordinary 180; Require of an unknown extension → 420 with Unsupported", async () => {
    const got = incoming();
    peer.send(invite("z9hG4bKr4", []), ua.localPort);
    (await got).ringing({ reliable: true });
    const r = (await peer.wait(isRes(180))).msg;
    expect(r.headers.has("rseq")).toBe(false);
    expect(r.headers.has("require")).toBe(false);
    peer.send(invite("z9hG4bKr5", ["Require: 100rel, foo"]), ua.localPort);
    const bad = (await peer.wait(isRes(420))).msg;
    expect(bad.headers.get("unsupported")).toBe("foo");
  });
});

describe("100rel under loss (UDP retransmissions)", () => {
  it("UAC: a lost PRACK is re-sent by its transaction (Timer E, same branch); UAS: lost 180 copies are made up by the RFC 3262 retransmission", async () => {
    // UAC side: drop our first PRACK.
    let pracks = 0;
    peer.filter = (r) => !(isReq("PRACK")(r) && ++pracks === 1);
    const call = ua.invite("bob", SDP);
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    const c = `Contact: <sip:bob@127.0.0.1:${peer.port}>`;
    peer.send(reply(inv, 180, "Ringing", { toTag: "l1", extra: [c, "Require: 100rel", "RSeq: 1"] }), r.from.port);
    const p = await peer.wait(isReq("PRACK"));
    expect(pracks).toBe(2);
    peer.send(reply(p.msg as SipRequest, 200, "OK"), r.from.port);
    peer.send(reply(inv, 200, "OK", { toTag: "l1", extra: [c], body: "v=0\r\n" }), r.from.port);
    expect(await call.final).toMatchObject({ ok: true });
    expect(distinctSeqs("PRACK")).toBe(1);

    // UAS side: drop the first two copies of our reliable 180.
    let ringing = 0;
    peer.filter = (x) => !(isRes(180)(x) && x.msg.callId === "z9hG4bKl2@peer" && ++ringing <= 2);
    const got = new Promise<IncomingCall>((resolve) => ua.onIncomingCall(resolve));
    peer.send(peerRequest({ method: "INVITE", uaPort: ua.localPort, peerPort: peer.port, callId: "z9hG4bKl2@peer", cseq: 10, branch: "z9hG4bKl2", extra: ["Supported: 100rel"], body: SDP }), ua.localPort);
    const incomingCall = await got;
    incomingCall.ringing({ reliable: true });
    const rel = (await peer.wait((x) => isRes(180)(x) && x.msg.callId === "z9hG4bKl2@peer")).msg as SipResponse;
    expect(ringing).toBe(3);
    peer.send(peerRequest({ method: "PRACK", uaPort: ua.localPort, peerPort: peer.port, callId: "z9hG4bKl2@peer", cseq: 11, branch: "z9hG4bKl2p", toTag: rel.to!.tag!, extra: [`RAck: ${rel.headers.get("rseq")} 10 INVITE`] }), ua.localPort);
    await peer.wait(isRes(200, "PRACK"));
  });
});
