/**
 * Requests inside an established dialog, both directions: re-INVITE (RFC 3261 §14) as a session
 * refresh with unchanged SDP, UPDATE (RFC 3311), INFO (RFC 6086), OPTIONS (§11), glare (§14.1/§14.2),
 * and OPTIONS / INFO outside any dialog.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SipRequest, SipResponse } from "../message.js";
import { RawPeer, uaWithPeer, isReq, isRes, peerRequest, reply, type Received } from "../testing/raw-peer.js";
import type { InviteOptions, UserAgent } from "./types.js";

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
const reqWith = (method: string, seq: number) => (r: Received) => isReq(method)(r) && r.msg.cseq?.seq === seq;

/** An outgoing call the peer answered; returns what the peer needs to speak in the dialog. */
async function established(opts: InviteOptions = {}, okExtra: string[] = []) {
  const call = ua.invite("bob", SDP, opts);
  const r = await peer.wait(isReq("INVITE"));
  const inv = r.msg as SipRequest;
  peer.send(reply(inv, 200, "OK", { toTag: "b1", extra: [`Contact: <sip:bob@127.0.0.1:${peer.port}>`, ...okExtra], body: "v=0\r\ns=peer\r\n" }), r.from.port);
  expect(await call.final).toMatchObject({ ok: true });
  await peer.wait(isReq("ACK"));
  const fromPeer = (method: string, cseq: number, branch: string, extra: string[] = [], body?: string, contentType?: string) =>
    peerRequest({ method, uaPort: ua.localPort, peerPort: peer.port, callId: inv.callId, cseq, branch, fromTag: "b1", toTag: inv.from!.tag!, extra, body, ...(contentType ? { contentType } : {}) });
  return { call, inv, port: r.from.port, fromPeer };
}

describe("in-dialog requests we send", () => {
  it("re-INVITE with the unchanged SDP (a session refresh), duplicated 2xx re-ACKed; UPDATE, INFO, OPTIONS; CSeq counts up", async () => {
    const { call, inv, port } = await established();
    const base = inv.cseq!.seq;

    const reP = call.reinvite();
    const re = (await peer.wait(reqWith("INVITE", base + 1))).msg as SipRequest;
    expect(re.uri).toBe(`sip:bob@127.0.0.1:${peer.port}`);
    expect(re.to?.tag).toBe("b1");
    expect(re.body).toBe(SDP); // §14.1 / RFC 3264 §8: no change → the same SDP (same o= version)
    expect(re.contact).not.toBeNull();
    const ok = reply(re, 200, "OK", { extra: [`Contact: <sip:bob@127.0.0.1:${peer.port}>`], body: "v=0\r\ns=peer\r\n" });
    peer.send(ok, port);
    peer.send(ok, port); // duplicate: ACKed again (§13.2.2.4)
    expect(await reP).toMatchObject({ ok: true, statusCode: 200 });
    await sleep(60);
    const acks = peer.log.filter(reqWith("ACK", base + 1));
    expect(acks.length).toBe(2);
    expect(acks[0].msg.topVia?.branch).not.toBe(re.topVia?.branch); // a 2xx ACK is its own transaction

    const upP = call.update();
    const up = (await peer.wait(reqWith("UPDATE", base + 2))).msg as SipRequest;
    expect(up.body).toBe("");
    peer.send(reply(up, 200, "OK"), port);
    expect(await upP).toMatchObject({ ok: true, statusCode: 200 });

    const infoP = call.info("Signal=5\r\nDuration=160\r\n");
    const info = (await peer.wait(reqWith("INFO", base + 3))).msg as SipRequest;
    expect(info.headers.get("content-type")).toBe("application/dtmf-relay");
    expect(info.body).toContain("Signal=5");
    peer.send(reply(info, 200, "OK"), port);
    expect(await infoP).toMatchObject({ ok: true, statusCode: 200 });

    const optP = call.options();
    const opt = (await peer.wait(reqWith("OPTIONS", base + 4))).msg as SipRequest;
    peer.send(reply(opt, 200, "OK", { extra: ["Allow: INVITE, ACK, BYE"] }), port);
    const o = await optP;
    expect(o.ok).toBe(true);
    expect(o.headers?.get("allow")).toBe("INVITE, ACK, BYE");

    const byeP = call.bye();
    const bye = (await peer.wait(reqWith("BYE", base + 5))).msg as SipRequest;
    peer.send(reply(bye, 200, "OK"), port);
    expect(await byeP).toEqual({ ok: true, statusCode: 200 });
  });

  it("a non-2xx to our re-INVITE leaves the call up (§14.1); a crossing re-INVITE gets 491 and ours is retried after the glare delay", async () => {
    const { call, inv, port, fromPeer } = await established();
    const base = inv.cseq!.seq;
    const reP = call.reinvite();
    const re = (await peer.wait(reqWith("INVITE", base + 1))).msg as SipRequest;
    // The peer's own re-INVITE crosses ours: §14.2 → 491 from us.
    peer.send(fromPeer("INVITE", 5, "z9hG4bKglare", [], SDP), ua.localPort);
    await peer.wait(isRes(491, "INVITE"));
    // …and the peer answers ours 491 too: we try again after 2.1–4 s (we own the Call-ID).
    const t491 = Date.now();
    peer.send(reply(re, 491, "Request Pending"), port);
    const again = await peer.wait(reqWith("INVITE", base + 2), 5000);
    const waited = again.at - t491;
    expect(waited).toBeGreaterThanOrEqual(2000);
    expect(waited).toBeLessThan(4300);
    peer.send(reply(again.msg as SipRequest, 488, "Not Acceptable Here"), port);
    expect(await reP).toMatchObject({ ok: false, statusCode: 488 });
    await peer.wait(reqWith("ACK", base + 2)); // the transaction ACKs the 488 (§17.1.1.3)
    // still up: a BYE goes out and is answered
    const byeP = call.bye();
    const bye = (await peer.wait(isReq("BYE"))).msg as SipRequest;
    peer.send(reply(bye, 200, "OK"), port);
    expect(await byeP).toEqual({ ok: true, statusCode: 200 });
  }, 10_000);
});

describe("in-dialog requests we receive", () => {
  it("re-INVITE answered with our current SDP and re-sent until the ACK; UPDATE, INFO, OPTIONS answered 200", async () => {
    const { fromPeer } = await established();
    peer.send(fromPeer("INVITE", 5, "z9hG4bKre1", [], "v=0\r\ns=peer\r\n"), ua.localPort);
    const ok = (await peer.wait(isRes(200, "INVITE"), 1000)) as Received;
    expect(ok.msg.body).toBe(SDP);
    expect(ok.msg.headers.get("contact")).toContain(`:${ua.localPort}`);
    await sleep(200); // T1 = 40 ms → re-sent at 40, 120 ms …
    const reSent = peer.log.filter((r) => isRes(200, "INVITE")(r) && r.msg.cseq?.seq === 5).length;
    expect(reSent).toBeGreaterThanOrEqual(3);
    peer.send(fromPeer("ACK", 5, "z9hG4bKack5"), ua.localPort);
    await sleep(50);
    const n = peer.log.filter((r) => isRes(200, "INVITE")(r) && r.msg.cseq?.seq === 5).length;
    await sleep(300);
    expect(peer.log.filter((r) => isRes(200, "INVITE")(r) && r.msg.cseq?.seq === 5).length).toBe(n);

    peer.send(fromPeer("UPDATE", 6, "z9hG4bKup6"), ua.localPort);
    const up = (await peer.wait(isRes(200, "UPDATE"))).msg as SipResponse;
    expect(up.body).toBe("");
    peer.send(fromPeer("UPDATE", 7, "z9hG4bKup7", [], "v=0\r\ns=new\r\n"), ua.localPort);
    const up2 = (await peer.wait((r) => isRes(200, "UPDATE")(r) && r.msg.cseq?.seq === 7)).msg as SipResponse;
    expect(up2.body).toBe(SDP); // an offer in UPDATE gets our (unchanged) answer
    peer.send(fromPeer("INFO", 8, "z9hG4bKin8", ["Content-Type: application/dtmf-relay"]), ua.localPort);
    await peer.wait(isRes(200, "INFO"));
    peer.send(fromPeer("OPTIONS", 9, "z9hG4bKop9"), ua.localPort);
    const o = (await peer.wait(isRes(200, "OPTIONS"))).msg;
    expect(o.headers.get("allow")).toMatch(/UPDATE/);
    expect(o.headers.get("allow")).toMatch(/PRACK/);
    expect(o.headers.get("supported")).toMatch(/100rel/);
    // an older CSeq is out of order → 500 (§12.2.2)
    peer.send(fromPeer("INFO", 3, "z9hG4bKold"), ua.localPort);
    await peer.wait(isRes(500, "INFO"));
  });

  it("INFO DTMF from the peer: answered 200, its Content-Type and body handed to onInfo listeners in order", async () => {
    const { call, fromPeer } = await established();
    const got: { contentType: string | undefined; body: string }[] = [];
    call.onInfo(() => {
      throw new Error("a listener's bug"); // must not break the dialog or the next listener
    });
    call.onInfo((e) => got.push(e));
    peer.send(fromPeer("INFO", 5, "z9hG4bKdt5", [], "Signal=5\r\nDuration=160\r\n", "application/dtmf-relay"), ua.localPort);
    await peer.wait((r) => isRes(200, "INFO")(r) && r.msg.cseq?.seq === 5);
    peer.send(fromPeer("INFO", 6, "z9hG4bKdt6", [], "#", "application/dtmf"), ua.localPort);
    await peer.wait((r) => isRes(200, "INFO")(r) && r.msg.cseq?.seq === 6);
    expect(got).toEqual([
      { contentType: "application/dtmf-relay", body: "Signal=5\r\nDuration=160\r\n" },
      { contentType: "application/dtmf", body: "#" },
    ]);
  });

  it("a BYE before the ACK of a re-INVITE's 2xx ends the call and stops the 2xx retransmission", async () => {
    const { call, fromPeer } = await established();
    const ended = new Promise<string>((r) => call.onEnded((e) => r(e.by)));
    peer.send(fromPeer("INVITE", 5, "z9hG4bKre2", [], SDP), ua.localPort);
    await peer.wait(isRes(200, "INVITE"));
    peer.send(fromPeer("BYE", 6, "z9hG4bKbye6"), ua.localPort);
    await peer.wait(isRes(200, "BYE"));
    expect(await ended).toBe("remote");
    await sleep(30);
    const n = peer.count(isRes(200, "INVITE"));
    await sleep(300);
    expect(peer.count(isRes(200, "INVITE"))).toBe(n);
  });
});

describe("outside a dialog", () => {
  it("sends OPTIONS and reads the answer; an INFO for no dialog is answered 481, OPTIONS 200", async () => {
    const p = ua.options("sip:bob@example.test");
    const r = await peer.wait(isReq("OPTIONS"));
    const o = r.msg as SipRequest;
    expect(o.to?.tag ?? null).toBeNull();
    peer.send(reply(o, 200, "OK", { toTag: "x", extra: ["Allow: INVITE, OPTIONS"] }), r.from.port);
    const res = await p;
    expect(res).toMatchObject({ ok: true, statusCode: 200 });
    expect(res.headers?.get("allow")).toBe("INVITE, OPTIONS");

    peer.send(peerRequest({ method: "INFO", uaPort: ua.localPort, peerPort: peer.port, callId: "info-x", cseq: 1, branch: "z9hG4bKinfo" }), ua.localPort);
    await peer.wait(isRes(481, "INFO"));
    peer.send(peerRequest({ method: "OPTIONS", uaPort: ua.localPort, peerPort: peer.port, callId: "opt-x", cseq: 1, branch: "z9hG4bKoptx" }), ua.localPort);
    await peer.wait(isRes(200, "OPTIONS"));

    const m = ua.request("MESSAGE", "bob", { body: "hi", contentType: "text/plain" });
    const mr = await peer.wait(isReq("MESSAGE"));
    expect(mr.msg.body).toBe("hi");
    peer.send(reply(mr.msg as SipRequest, 202, "Accepted", { toTag: "m" }), mr.from.port);
    expect(await m).toMatchObject({ ok: true, statusCode: 202 });
  });
});
