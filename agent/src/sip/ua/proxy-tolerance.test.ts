/**
 * What a multi-process proxy under load delivers (each worker forwards in its own order): a 180
 * after the 200, a BYE before the ACK, duplicated responses and requests, a 2xx from a second fork,
 * a CANCEL after the 200. The UA must neither throw nor act twice.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SipRequest, SipResponse } from "../message.js";
import { RawPeer, uaWithPeer, isReq, isRes, peerRequest, reply } from "../testing/raw-peer.js";
import type { IncomingCall, UserAgent } from "./types.js";

const SDP = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n";
let peer: RawPeer;
let ua: UserAgent;
const errors: unknown[] = [];
const onError = (e: unknown) => errors.push(e);

beforeEach(async () => {
  errors.length = 0;
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  ({ peer, ua } = await uaWithPeer());
});
afterEach(async () => {
  await ua.close();
  peer.close();
  process.off("uncaughtException", onError);
  process.off("unhandledRejection", onError);
  expect(errors).toEqual([]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("UAC under a reordering, duplicating proxy", () => {
  it("a reliable 180 and a 183 after the 200 are neither PRACKed nor reported; duplicated 200s to INVITE and BYE are absorbed", async () => {
    const codes: number[] = [];
    const call = ua.invite("bob", SDP, { onProvisional: (c) => codes.push(c) });
    let endedCount = 0;
    call.onEnded(() => endedCount++);
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    const c = `Contact: <sip:bob@127.0.0.1:${peer.port}>`;
    const ok = reply(inv, 200, "OK", { toTag: "b1", extra: [c], body: "v=0\r\n" });
    peer.send(ok, r.from.port);
    peer.send(reply(inv, 180, "Ringing", { toTag: "b1", extra: [c, "Require: 100rel", "RSeq: 1"] }), r.from.port);
    peer.send(reply(inv, 183, "Session Progress", { toTag: "b1", extra: [c] }), r.from.port);
    peer.send(ok, r.from.port);
    expect(await call.final).toMatchObject({ ok: true, statusCode: 200 });
    await sleep(100);
    expect(codes).toEqual([]);
    expect(peer.count(isReq("PRACK"))).toBe(0);
    expect(peer.count(isReq("ACK"))).toBe(2);
    const byeP = call.bye();
    const bye = (await peer.wait(isReq("BYE"))).msg as SipRequest;
    const byeOk = reply(bye, 200, "OK");
    peer.send(byeOk, r.from.port);
    peer.send(byeOk, r.from.port);
    peer.send(byeOk, r.from.port);
    expect(await byeP).toEqual({ ok: true, statusCode: 200 });
    await sleep(50);
    expect(endedCount).toBe(1);
    expect(peer.count(isReq("BYE"))).toBe(1);
  });

  it("duplicated 487s are ACKed by the transaction, the call settles once", async () => {
    let settled = 0;
    const call = ua.invite("bob", SDP, { onProvisional: () => call.cancel() });
    void call.final.then(() => settled++);
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    peer.send(reply(inv, 180, "Ringing", { toTag: "b2" }), r.from.port);
    const cancel = await peer.wait(isReq("CANCEL"));
    peer.send(reply(cancel.msg as SipRequest, 200, "OK"), r.from.port);
    const t487 = reply(inv, 487, "Request Terminated", { toTag: "b2" });
    peer.send(t487, r.from.port);
    peer.send(t487, r.from.port);
    expect(await call.final).toMatchObject({ ok: false, statusCode: 487 });
    await sleep(100);
    expect(settled).toBe(1);
    expect(peer.count(isReq("ACK"))).toBe(2); // one per 487 copy (§17.1.1.2)
    expect(peer.count(isReq("CANCEL"))).toBe(1);
  });

  it("a 2xx from a second fork after we were answered is ACKed and ended with BYE; the call stays with the first", async () => {
    const call = ua.invite("bob", SDP);
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    const c = `Contact: <sip:bob@127.0.0.1:${peer.port}>`;
    peer.send(reply(inv, 200, "OK", { toTag: "f1", extra: [c], body: "v=0\r\n" }), r.from.port);
    expect(await call.final).toMatchObject({ ok: true });
    peer.send(reply(inv, 200, "OK", { toTag: "f2", extra: [c], body: "v=0\r\n" }), r.from.port);
    const bye = (await peer.wait(isReq("BYE"))).msg as SipRequest;
    expect(bye.to?.tag).toBe("f2");
    peer.send(reply(bye, 200, "OK"), r.from.port);
    const acks = peer.log.filter(isReq("ACK")).map((a) => a.msg.to?.tag);
    expect(acks).toEqual(["f1", "f2"]);
    const byeP = call.bye();
    const bye1 = (await peer.wait((x) => isReq("BYE")(x) && x.msg.to?.tag === "f1")).msg as SipRequest;
    peer.send(reply(bye1, 200, "OK"), r.from.port);
    expect(await byeP).toEqual({ ok: true, statusCode: 200 });
  });
});

describe("UAS under a reordering, duplicating proxy", () => {
  const invite = (branch: string) =>
    peerRequest({ method: "INVITE", uaPort: ua.localPort, peerPort: peer.port, callId: `${branch}@peer`, cseq: 10, branch, body: SDP });

  it("a retransmitted INVITE after our 200 is no new call; a CANCEL after the 200 does not end it; a BYE before the ACK does, and the late ACK is ignored", async () => {
    const calls: IncomingCall[] = [];
    ua.onIncomingCall((c) => {
      calls.push(c);
      c.answer("v=0\r\n");
    });
    peer.send(invite("z9hG4bKt1"), ua.localPort);
    const ok = (await peer.wait(isRes(200, "INVITE"))).msg as SipResponse;
    peer.send(invite("z9hG4bKt1"), ua.localPort); // the proxy's copy of the INVITE
    const cancel = [
      `CANCEL sip:alice@127.0.0.1:${ua.localPort} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKt1;rport`,
      "Max-Forwards: 70", "From: <sip:bob@example.test>;tag=peer1", "To: <sip:alice@example.test>", "Call-ID: z9hG4bKt1@peer",
      "CSeq: 10 CANCEL", "Content-Length: 0", "", "",
    ].join("\r\n");
    peer.send(cancel, ua.localPort);
    await peer.wait(isRes(200, "CANCEL"));
    await sleep(50);
    expect(calls).toHaveLength(1);
    expect(peer.count(isRes(487))).toBe(0);
    const ended = new Promise<string>((r) => calls[0].onEnded((e) => r(e.by)));
    const inDialog = (method: string, cseq: number, branch: string) =>
      peerRequest({ method, uaPort: ua.localPort, peerPort: peer.port, callId: "z9hG4bKt1@peer", cseq, branch, toTag: ok.to!.tag! });
    peer.send(inDialog("BYE", 11, "z9hG4bKtb"), ua.localPort);
    peer.send(inDialog("BYE", 11, "z9hG4bKtb"), ua.localPort); // duplicated BYE: answered from the transaction
    peer.send(inDialog("ACK", 10, "z9hG4bKta"), ua.localPort); // the ACK the proxy delivered late
    expect(await ended).toBe("remote");
    await sleep(100);
    expect(peer.count(isRes(200, "BYE"))).toBe(2);
    expect(peer.count(isRes(481))).toBe(0);
  });
});
