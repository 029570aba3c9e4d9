/** The UA against a scripted raw UDP peer: loss, reordering, duplicates, 2xx retransmission, CANCEL, 481. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SipRequest } from "../message.js";
import { RawPeer, uaWithPeer, isReq, isRes, reply } from "../testing/raw-peer.js";
import type { UserAgent } from "./types.js";

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

const inviteFromPeer = (uaPort: number, branch: string, extra: string[] = []) =>
  [
    `INVITE sip:alice@127.0.0.1:${uaPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch};rport`,
    "Max-Forwards: 70",
    `Record-Route: <sip:127.0.0.1:${peer.port};lr>`,
    "From: <sip:bob@example.test>;tag=peer1",
    "To: <sip:alice@example.test>",
    `Call-ID: ${branch}@peer`,
    "CSeq: 10 INVITE",
    `Contact: <sip:bob@127.0.0.1:${peer.port}>`,
    ...extra,
    "Content-Type: application/sdp",
    `Content-Length: ${SDP.length}`,
    "",
    SDP,
  ].join("\r\n");

describe("user agent", () => {
  it("REGISTER survives lost requests (Timer E retransmission) and reads the granted expires", async () => {
    let seen = 0;
    peer.filter = (r) => !(r.msg.type === "request" && r.msg.method === "REGISTER" && ++seen <= 2);
    const p = ua.register({ expires: 300 });
    const r = await peer.wait(isReq("REGISTER"));
    const req = r.msg as SipRequest;
    expect(req.topVia?.rport).toBeNull();
    expect(req.contact?.uri).toBe(`sip:alice@127.0.0.1:${ua.localPort}`);
    expect(req.headers.get("max-forwards")).toBe("70");
    peer.send(reply(req, 200, "OK", { toTag: "r1", extra: [`Contact: <sip:alice@127.0.0.1:${ua.localPort}>;expires=77`] }), r.from.port);
    const res = await p;
    expect(res).toMatchObject({ ok: true, statusCode: 200, expires: 77 });
    expect(seen).toBe(3); // two transmissions dropped, the third (same branch) answered
  });

  it("REGISTER with no answer fails with statusCode null after Timer F", async () => {
    const r = await ua.register({ expires: 60 });
    expect(r).toEqual({ ok: false, statusCode: null, reason: expect.stringContaining("timeout") });
    expect(peer.count(isReq("REGISTER"))).toBeGreaterThan(3);
  });

  it("INVITE: duplicated 2xx re-ACKed, a 180 after the 200 ignored, ACK loose-routed", async () => {
    const codes: number[] = [];
    const call = ua.invite("bob", SDP, { onProvisional: (c) => codes.push(c) });
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    expect(inv.uri).toBe("sip:bob@example.test");
    expect(inv.body).toBe(SDP);
    const rr = [`Record-Route: <sip:127.0.0.1:${peer.port};lr>`, `Contact: <sip:bob@127.0.0.1:${peer.port}>`];
    peer.send(reply(inv, 100, "Trying"), r.from.port);
    const ok = reply(inv, 200, "OK", { toTag: "b1", extra: rr, body: "v=0\r\n" });
    peer.send(ok, r.from.port);
    peer.send(ok, r.from.port);
    peer.send(reply(inv, 180, "Ringing", { toTag: "b1", extra: rr }), r.from.port);
    expect(await call.final).toMatchObject({ ok: true, statusCode: 200, remoteSdp: "v=0\r\n" });
    await new Promise((res) => setTimeout(res, 100));
    const acks = peer.log.filter(isReq("ACK")).map((a) => a.msg as SipRequest);
    expect(acks.length).toBe(2);
    expect(acks[0].uri).toBe(`sip:bob@127.0.0.1:${peer.port}`);
    expect(acks[0].headers.get("route")).toBe(`<sip:127.0.0.1:${peer.port};lr>`);
    expect(acks[0].cseq).toEqual({ seq: inv.cseq!.seq, method: "ACK" });
    expect(codes).toEqual([100]);
    expect(call.timings.tryingMs).not.toBeNull();
    expect(call.timings.answeredMs).not.toBeNull();
    // BYE: CSeq above the INVITE's, answered 200
    const byeP = call.bye();
    const b = await peer.wait(isReq("BYE"));
    expect((b.msg as SipRequest).cseq!.seq).toBe(inv.cseq!.seq + 1);
    peer.send(reply(b.msg as SipRequest, 200, "OK"), b.from.port);
    expect(await byeP).toEqual({ ok: true, statusCode: 200 });
  });

  it("CANCEL after a provisional: CANCEL shares the INVITE's branch, the 487 is ACKed by the transaction", async () => {
    const call = ua.invite("sip:bob@example.test", SDP, { onProvisional: () => call.cancel() });
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    peer.send(reply(inv, 180, "Ringing", { toTag: "b2" }), r.from.port);
    const c = await peer.wait(isReq("CANCEL"));
    expect(c.msg.topVia?.branch).toBe(inv.topVia?.branch);
    peer.send(reply(c.msg as SipRequest, 200, "OK"), c.from.port);
    peer.send(reply(inv, 487, "Request Terminated", { toTag: "b2" }), r.from.port);
    expect(await call.final).toMatchObject({ ok: false, statusCode: 487 });
    const ack = await peer.wait(isReq("ACK"));
    expect(ack.msg.topVia?.branch).toBe(inv.topVia?.branch);
  });

  it("UAS: retransmits the 2xx until the ACK, then BYE from the peer ends the call", async () => {
    const ended = new Promise<string>((resolve) =>
      ua.onIncomingCall((call) => {
        expect(call.remoteSdp).toBe(SDP);
        call.onEnded((e) => resolve(e.by));
        call.ringing();
        call.answer("v=0\r\n");
      }),
    );
    peer.send(inviteFromPeer(ua.localPort, "z9hG4bKin1"), ua.localPort);
    await peer.wait(isRes(180));
    await new Promise((r) => setTimeout(r, 300)); // T1 = 40 ms: 200 at 0, 40, 120, 280 ms…
    const oks = peer.count(isRes(200, "INVITE"));
    expect(oks).toBeGreaterThanOrEqual(2);
    const ok = (await peer.wait(isRes(200, "INVITE"))).msg;
    expect(ok.headers.get("record-route")).toBe(`<sip:127.0.0.1:${peer.port};lr>`);
    const toTag = ok.to?.tag;
    const dialog = (method: string, cseq: number, branch: string) =>
      [
        `${method} sip:alice@127.0.0.1:${ua.localPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch};rport`,
        "Max-Forwards: 70",
        "From: <sip:bob@example.test>;tag=peer1",
        `To: <sip:alice@example.test>;tag=${toTag}`,
        "Call-ID: z9hG4bKin1@peer",
        `CSeq: ${cseq} ${method}`,
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
    peer.send(dialog("ACK", 10, "z9hG4bKack1"), ua.localPort);
    await new Promise((r) => setTimeout(r, 50));
    const after = peer.count(isRes(200, "INVITE"));
    await new Promise((r) => setTimeout(r, 400));
    expect(peer.count(isRes(200, "INVITE"))).toBe(after); // ACK stopped the retransmissions
    peer.send(dialog("BYE", 11, "z9hG4bKbye1"), ua.localPort);
    await peer.wait(isRes(200, "BYE"));
    expect(await ended).toBe("remote");
  });

  it("UAS: a BYE before the ACK is accepted and stops the 2xx retransmission", async () => {
    const ended = new Promise<string>((resolve) =>
      ua.onIncomingCall((call) => {
        call.onEnded((e) => resolve(e.by));
        call.answer("v=0\r\n");
      }),
    );
    peer.send(inviteFromPeer(ua.localPort, "z9hG4bKin2"), ua.localPort);
    const ok = (await peer.wait(isRes(200, "INVITE"))).msg;
    peer.send(
      [
        `BYE sip:alice@127.0.0.1:${ua.localPort} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKbye2;rport`,
        "Max-Forwards: 70", "From: <sip:bob@example.test>;tag=peer1", `To: <sip:alice@example.test>;tag=${ok.to?.tag}`,
        "Call-ID: z9hG4bKin2@peer", "CSeq: 11 BYE", "Content-Length: 0", "", "",
      ].join("\r\n"),
      ua.localPort,
    );
    await peer.wait(isRes(200, "BYE"));
    expect(await ended).toBe("remote");
    const n = peer.count(isRes(200, "INVITE"));
    await new Promise((r) => setTimeout(r, 300));
    expect(peer.count(isRes(200, "INVITE"))).toBe(n);
  });

  it("close() settles requests still waiting for an answer", async () => {
    const p = ua.register({ expires: 60 });
    const call = ua.invite("bob", SDP);
    await peer.wait(isReq("INVITE"));
    await ua.close();
    expect(await p).toMatchObject({ ok: false, statusCode: null });
    expect(await call.final).toMatchObject({ ok: false, statusCode: null });
  });

  it("answers OPTIONS with 200 and an unknown dialog with 481; malformed datagrams are counted", async () => {
    const base = (method: string, branch: string, toTag = "") =>
      [
        `${method} sip:alice@127.0.0.1:${ua.localPort} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch}`,
        "Max-Forwards: 70", "From: <sip:bob@example.test>;tag=p", `To: <sip:alice@example.test>${toTag}`,
        `Call-ID: ${branch}`, `CSeq: 1 ${method}`, "Content-Length: 0", "", "",
      ].join("\r\n");
    peer.send(base("OPTIONS", "z9hG4bKo1"), ua.localPort);
    const ok = await peer.wait(isRes(200, "OPTIONS"));
    expect(ok.msg.headers.get("allow")).toContain("INVITE");
    peer.send(base("BYE", "z9hG4bKb1", ";tag=nope"), ua.localPort);
    await peer.wait(isRes(481, "BYE"));
    peer.send("this is not SIP\r\n\r\n", ua.localPort);
    await new Promise((r) => setTimeout(r, 50));
    expect(ua.stats.malformed).toBe(1);
  });
});
