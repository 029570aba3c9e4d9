/** Session timers (RFC 4028): negotiation rules as pure functions, then the UA against a scripted peer. */
import { afterEach, describe, expect, it } from "vitest";
import { SipHeaders, SipRequest, type SipResponse } from "../message.js";
import { RawPeer, uaWithPeer, isReq, isRes, peerRequest, reply, type Received } from "../testing/raw-peer.js";
import { sessionExpiryDelayMs, sessionRefreshDelayMs } from "../timers.js";
import { negotiateAsUas, negotiatedByResponse, parseMinSE, parseSessionExpires } from "./session-timer.js";
import type { IncomingCall, SessionRefresh, UserAgent, UserAgentOptions } from "./types.js";

const SDP = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const msg = (...h: [string, string][]) => {
  const headers = new SipHeaders();
  for (const [n, v] of h) headers.append(n, v);
  return new SipRequest("INVITE", "sip:x@y", headers);
};

describe("RFC 4028 rules", () => {
  it("parses Session-Expires (long and compact form) and Min-SE", () => {
    expect(parseSessionExpires(msg(["Session-Expires", "1800;refresher=uac"]))).toEqual({ delta: 1800, refresher: "uac" });
    expect(parseSessionExpires(msg(["x", "90 ; refresher=UAS"]))).toEqual({ delta: 90, refresher: "uas" });
    expect(parseSessionExpires(msg(["Session-Expires", "abc"]))).toBeNull();
    expect(parseMinSE(msg(["Min-SE", "120"]))).toBe(120);
  });

  it("timing: refresh at half the interval, BYE at the interval minus min(32 s, interval/3) (§10)", () => {
    expect(sessionRefreshDelayMs(1800)).toBe(900_000);
    expect(sessionExpiryDelayMs(1800)).toBe(1_768_000);
    expect(sessionExpiryDelayMs(90)).toBe(60_000);
  });

  it("UAC side of a 2xx (§7.2): no Session-Expires → none; without Require: timer a proxy inserted it → we refresh", () => {
    expect(negotiatedByResponse(msg())).toBeNull();
    expect(negotiatedByResponse(msg(["Session-Expires", "300;refresher=uas"], ["Require", "timer"]))).toEqual({ intervalSec: 300, refresherIsUs: false });
    expect(negotiatedByResponse(msg(["Session-Expires", "300;refresher=uas"]))).toEqual({ intervalSec: 300, refresherIsUs: true });
  });

  it("UAS side (§9): 422 below our Min-SE; refresher kept, chosen, or ours when the UAC lacks the extension", () => {
    expect(negotiateAsUas(msg(["Session-Expires", "60"]), 90, null)).toEqual({ tooSmall: true });
    expect(negotiateAsUas(msg(["Session-Expires", "120;refresher=uas"], ["Supported", "timer"]), 90, null)).toMatchObject({ intervalSec: 120, refresher: "uas", require: true });
    expect(negotiateAsUas(msg(["Session-Expires", "120"], ["Supported", "timer"]), 90, null)).toMatchObject({ refresher: "uac" });
    expect(negotiateAsUas(msg(["Session-Expires", "120"]), 90, null)).toMatchObject({ refresher: "uas", require: false });
    expect(negotiateAsUas(msg(), 90, null)).toBeNull();
    expect(negotiateAsUas(msg(["Min-SE", "600"], ["Supported", "timer"]), 90, { expires: 300, refresher: null })).toMatchObject({ intervalSec: 600, refresher: "uac" });
  });
});

describe("session timers in the UA", () => {
  let peer: RawPeer;
  let ua: UserAgent;
  const open = async (o: Partial<UserAgentOptions> = {}) => {
    ({ peer, ua } = await uaWithPeer(o));
  };
  afterEach(async () => {
    await ua?.close();
    peer?.close();
  });
  const contact = () => `Contact: <sip:bob@127.0.0.1:${peer.port}>`;

  it("UAC: 422 retried with the larger Min-SE; refresher=uac → UPDATE at half the interval, each one an onSessionRefresh", async () => {
    await open({ sessionTimer: { expires: 1, minSE: 1 } });
    const refreshes: SessionRefresh[] = [];
    const call = ua.invite("bob", SDP);
    call.onSessionRefresh((e) => refreshes.push(e));
    const r1 = await peer.wait(isReq("INVITE"));
    const inv1 = r1.msg as SipRequest;
    expect(inv1.headers.get("session-expires")).toBe("1");
    expect(inv1.headers.get("min-se")).toBe("1");
    expect(inv1.headers.get("supported")).toMatch(/\btimer\b/);
    peer.send(reply(inv1, 422, "Session Interval Too Small", { toTag: "t", extra: ["Min-SE: 2"] }), r1.from.port);
    const r2 = await peer.wait((x) => isReq("INVITE")(x) && x.msg.cseq!.seq === inv1.cseq!.seq + 1);
    const inv2 = r2.msg as SipRequest;
    expect(inv2.headers.get("session-expires")).toBe("2");
    expect(inv2.headers.get("min-se")).toBe("2");
    expect(inv2.callId).toBe(inv1.callId);
    const answeredAt = Date.now();
    peer.send(reply(inv2, 200, "OK", { toTag: "b1", body: "v=0\r\n", extra: [contact(), "Session-Expires: 2;refresher=uac", "Require: timer", "Allow: INVITE, ACK, BYE, UPDATE"] }), r2.from.port);
    expect(await call.final).toMatchObject({ ok: true });
    expect(call.sessionTimer).toEqual({ intervalSec: 2, refresher: "local", refreshes: 0 });

    // Answer every UPDATE with 200 + Session-Expires (the peer keeps us as refresher).
    peer.filter = (x) => {
      if (isReq("UPDATE")(x)) setImmediate(() => peer.send(reply(x.msg as SipRequest, 200, "OK", { extra: ["Session-Expires: 2;refresher=uac", "Require: timer"] }), x.from.port));
      return true;
    };
    const u1 = await peer.wait(isReq("UPDATE"), 2000);
    const at = u1.at - answeredAt;
    expect(at).toBeGreaterThanOrEqual(950);
    expect(at).toBeLessThan(1500); // slack for a loaded machine
    const up = u1.msg as SipRequest;
    expect(up.headers.get("session-expires")).toBe("2;refresher=uac");
    expect(up.body).toBe("");
    await sleep(1200);
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
    expect(refreshes[0]).toEqual({ by: "local", method: "UPDATE", ok: true, statusCode: 200, intervalSec: 2 });
    expect(call.sessionTimer?.refreshes).toBe(refreshes.length);
    expect(peer.count(isReq("BYE"))).toBe(0);
  });

  it("UAC: refresh by re-INVITE (unchanged SDP) when the peer does not allow UPDATE", async () => {
    await open({ sessionTimer: { expires: 1, minSE: 1, method: "UPDATE" } });
    const call = ua.invite("bob", SDP);
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    peer.send(reply(inv, 200, "OK", { toTag: "b1", body: "v=0\r\n", extra: [contact(), "Session-Expires: 1;refresher=uac", "Require: timer", "Allow: INVITE, ACK, BYE"] }), r.from.port);
    await call.final;
    const re = await peer.wait((x) => isReq("INVITE")(x) && x.msg.cseq!.seq === inv.cseq!.seq + 1, 1500);
    expect(re.msg.body).toBe(SDP);
    expect(re.msg.headers.get("session-expires")).toBe("1;refresher=uac");
    peer.send(reply(re.msg as SipRequest, 200, "OK", { body: "v=0\r\n", extra: ["Session-Expires: 1;refresher=uac", "Require: timer"] }), r.from.port);
    await peer.wait((x) => isReq("ACK")(x) && x.msg.cseq!.seq === inv.cseq!.seq + 1);
    expect(call.sessionTimer?.refreshes).toBe(1);
  });

  it("UAC, refresher=uas: a refresh from the peer is answered and counted; without one we send BYE before expiry", async () => {
    // Our Min-SE must allow the peer's 1 s refresh (the RFC floor of 90 s would make it a 422).
    await open({ sessionTimer: { expires: 90, minSE: 1 } });
    const refreshes: SessionRefresh[] = [];
    const call = ua.invite("bob", SDP);
    call.onSessionRefresh((e) => refreshes.push(e));
    const ended = new Promise<string>((res) => call.onEnded((e) => res(e.reason)));
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    peer.send(reply(inv, 200, "OK", { toTag: "b1", body: "v=0\r\n", extra: [contact(), "Session-Expires: 1;refresher=uas", "Require: timer"] }), r.from.port);
    await call.final;
    const t0 = Date.now();
    expect(call.sessionTimer).toMatchObject({ intervalSec: 1, refresher: "remote" });
    await sleep(400);
    // The peer (UAS, refresher) refreshes with UPDATE: 200 with Session-Expires and Require: timer.
    const upd = peerRequest({
      method: "UPDATE", uaPort: ua.localPort, peerPort: peer.port, callId: inv.callId, cseq: 2, branch: "z9hG4bKst1", fromTag: "b1", toTag: inv.from!.tag!,
      extra: ["Session-Expires: 1;refresher=uac", "Supported: timer"],
    });
    peer.send(upd, ua.localPort);
    const ok = (await peer.wait(isRes(200, "UPDATE"))).msg as SipResponse;
    expect(ok.headers.get("session-expires")).toBe("1;refresher=uac");
    expect(ok.headers.get("require")).toBe("timer");
    expect(refreshes).toEqual([{ by: "remote", method: "UPDATE", ok: true, statusCode: 200, intervalSec: 1 }]);
    // No further refresh: BYE at 1 s − 1/3 s after the last refresh (~400 + 667 ms from t0).
    const bye = await peer.wait(isReq("BYE"), 2000);
    const at = bye.at - t0;
    expect(at).toBeGreaterThanOrEqual(950);
    expect(at).toBeLessThan(1600);
    expect(await ended).toContain("session expired");
  });

  it("UAS: grants the configured timer in the 200 (Require: timer, refresher=uas) and refreshes by re-INVITE; a too small Session-Expires gets 422", async () => {
    await open({ sessionTimer: { expires: 1, minSE: 1, refresher: "uas" } });
    const calls: IncomingCall[] = [];
    ua.onIncomingCall((c) => {
      calls.push(c);
      c.answer(SDP);
    });
    peer.send(peerRequest({ method: "INVITE", uaPort: ua.localPort, peerPort: peer.port, callId: "st-uas", cseq: 1, branch: "z9hG4bKsu1", extra: ["Supported: timer"], body: SDP }), ua.localPort);
    const ok = (await peer.wait(isRes(200, "INVITE"))).msg as SipResponse;
    expect(ok.headers.get("session-expires")).toBe("1;refresher=uas");
    expect(ok.headers.get("require")).toBe("timer");
    peer.send(peerRequest({ method: "ACK", uaPort: ua.localPort, peerPort: peer.port, callId: "st-uas", cseq: 1, branch: "z9hG4bKsa1", toTag: ok.to!.tag! }), ua.localPort);
    // The caller's INVITE had no Allow: the refresh is a re-INVITE from us (the callee) at ~500 ms.
    const re = (await peer.wait((x: Received) => isReq("INVITE")(x) && x.msg.from?.tag === ok.to!.tag, 1500)).msg as SipRequest;
    expect(re.headers.get("session-expires")).toBe("1;refresher=uac");
    expect(re.body).toBe(SDP);
    expect(re.uri).toBe(`sip:bob@127.0.0.1:${peer.port}`);
    peer.send(reply(re, 200, "OK", { body: SDP, extra: ["Session-Expires: 1;refresher=uac", "Require: timer"] }), ua.localPort);
    await peer.wait((x) => isReq("ACK")(x) && x.msg.cseq?.seq === re.cseq!.seq);
    expect(calls[0].sessionTimer).toMatchObject({ intervalSec: 1, refresher: "local", refreshes: 1 });

    await ua.close();
    peer.close();
    await open(); // default Min-SE 90
    ua.onIncomingCall((c) => c.answer(SDP));
    peer.send(peerRequest({ method: "INVITE", uaPort: ua.localPort, peerPort: peer.port, callId: "st-422", cseq: 1, branch: "z9hG4bKsu4", extra: ["Supported: timer", "Session-Expires: 30"], body: SDP }), ua.localPort);
    const tooSmall = (await peer.wait(isRes(422, "INVITE"))).msg;
    expect(tooSmall.headers.get("min-se")).toBe("90");
  });

  it("a refresh answered 481 ends the session with BYE (§10)", async () => {
    await open({ sessionTimer: { expires: 1, minSE: 1 } });
    const call = ua.invite("bob", SDP);
    const ended = new Promise<string>((res) => call.onEnded((e) => res(e.reason)));
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    peer.send(reply(inv, 200, "OK", { toTag: "b1", body: "v=0\r\n", extra: [contact(), "Session-Expires: 1;refresher=uac", "Require: timer", "Allow: INVITE, ACK, BYE, UPDATE"] }), r.from.port);
    await call.final;
    const up = await peer.wait(isReq("UPDATE"), 1500);
    peer.send(reply(up.msg as SipRequest, 481, "Call/Transaction Does Not Exist"), r.from.port);
    await peer.wait(isReq("BYE"));
    expect(await ended).toBe("session refresh failed");
  });

  it("a lost refresh UPDATE is re-sent by its transaction (Timer E) and the refresh still counts", async () => {
    await open({ sessionTimer: { expires: 1, minSE: 1 } });
    const refreshes: SessionRefresh[] = [];
    const call = ua.invite("bob", SDP);
    call.onSessionRefresh((e) => refreshes.push(e));
    const r = await peer.wait(isReq("INVITE"));
    const inv = r.msg as SipRequest;
    peer.send(reply(inv, 200, "OK", { toTag: "b1", body: "v=0\r\n", extra: [contact(), "Session-Expires: 1;refresher=uac", "Require: timer", "Allow: INVITE, ACK, BYE, UPDATE"] }), r.from.port);
    await call.final;
    let updates = 0;
    peer.filter = (x) => {
      if (!isReq("UPDATE")(x)) return true;
      if (++updates === 1) return false; // lost
      setImmediate(() => peer.send(reply(x.msg as SipRequest, 200, "OK", { extra: ["Session-Expires: 1;refresher=uac", "Require: timer"] }), x.from.port));
      return true;
    };
    const up = await peer.wait(isReq("UPDATE"), 1500);
    expect(updates).toBe(2);
    expect(up.msg.topVia?.branch).toBeDefined();
    await sleep(100);
    expect(refreshes[0]).toMatchObject({ by: "local", method: "UPDATE", ok: true });
    expect(peer.count(isReq("BYE"))).toBe(0);
  });
});
