/**
 * Registration against a scripted registrar: refresh before the grant lapses with the nonce
 * re-used (nonce count 2), `stale=true` answered with the new nonce (nc back to 1) without
 * failing, SHA-256 challenges, bounded stale loops, de-registration with Expires: 0.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCredentials, verifyDigest } from "../digest.js";
import type { SipRequest } from "../message.js";
import { RawPeer, uaWithPeer, isReq, reply } from "../testing/raw-peer.js";
import { registerRefreshDelayMs, timerValues } from "../timers.js";
import { MAX_AUTH_ROUNDS, UserAgentCore } from "./core.js";
import type { RegisterResult, UserAgent } from "./types.js";

const T = { t1: 40, t2: 320, t4: 400 };
let peer: RawPeer;
let ua: UserAgent;

beforeEach(async () => {
  ({ peer, ua } = await uaWithPeer({ timers: T }));
});
afterEach(async () => {
  await ua.close();
  peer.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const registers = () => peer.log.filter(isReq("REGISTER")).map((r) => r.msg as SipRequest);
const creds = (req: SipRequest) => parseCredentials(req.headers.get("authorization") ?? "");

/** Answers every REGISTER as `script` says, in order of arrival (one entry per distinct CSeq). */
function registrar(script: ((req: SipRequest) => string)[]) {
  const answered = new Set<number>();
  peer.filter = (r) => {
    if (r.msg.type !== "request" || r.msg.method !== "REGISTER") return true;
    const req = r.msg;
    const seq = req.cseq!.seq;
    if (!answered.has(seq)) {
      answered.add(seq);
      const step = script.shift();
      if (step) setImmediate(() => peer.send(step(req), r.from.port));
    }
    return true;
  };
}
const challenge = (nonce: string, extra = "") => (req: SipRequest) =>
  reply(req, 401, "Unauthorized", { toTag: "reg", extra: [`WWW-Authenticate: Digest realm="example.test", nonce="${nonce}", qop="auth"${extra}`] });
const ok = (expires: number) => (req: SipRequest) =>
  reply(req, 200, "OK", { toTag: "reg", extra: [`Contact: ${req.headers.get("contact")};expires=${expires}`] });

describe("registration", () => {
  it("the refresh margin: Timer F before expiry, half the grant when shorter (RFC 3261 §10.2.4)", () => {
    const F = timerValues().F; // 32 s with T1 = 500 ms
    expect(registerRefreshDelayMs(3600, F)).toBe(3_568_000);
    expect(registerRefreshDelayMs(300, F)).toBe(268_000);
    expect(registerRefreshDelayMs(60, F)).toBe(30_000);
    expect(registerRefreshDelayMs(10, F)).toBe(5_000);
  });

  it("refreshes before the grant lapses re-using the nonce (nc 2), answers stale=true with the new nonce (nc 1), de-registers with Expires: 0", async () => {
    // grant 2 s, Timer F = 64·40 ms = 2.56 s > half the grant → refresh at 1 s
    registrar([challenge("n1"), ok(2), challenge("n2", ", stale=true"), ok(2)]);
    const refreshes: RegisterResult[] = [];
    ua.onRegistrationRefresh((r) => refreshes.push(r));
    const t0 = Date.now();
    const r = await ua.register({ expires: 2 });
    expect(r).toMatchObject({ ok: true, statusCode: 200, expires: 2 });
    expect(ua.registration).toEqual({ registered: true, expires: 2, refreshes: 0 });
    await sleep(1600); // the next refresh would be ~1 s after this one, at ~2 s
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]).toMatchObject({ ok: true, expires: 2 });
    const regs = registers();
    expect(regs).toHaveLength(4);
    // initial: no credentials, then nc=1 for n1
    expect(regs[0].headers.has("authorization")).toBe(false);
    expect(creds(regs[1])).toMatchObject({ nonce: "n1", nc: "00000001", qop: "auth", algorithm: "MD5" });
    expect(verifyDigest(creds(regs[1])!, "REGISTER", "pw")).toBe(true);
    // refresh: pre-emptive credentials with the same nonce and the next nonce count, at ~1 s
    const refreshAt = peer.log.filter(isReq("REGISTER"))[2].at - t0;
    expect(refreshAt).toBeGreaterThanOrEqual(950);
    expect(refreshAt).toBeLessThan(1500); // slack for a loaded machine
    expect(creds(regs[2])).toMatchObject({ nonce: "n1", nc: "00000002" });
    expect(creds(regs[2])!.cnonce).not.toBe(creds(regs[1])!.cnonce);
    expect(verifyDigest(creds(regs[2])!, "REGISTER", "pw")).toBe(true);
    // stale=true: retried with the new nonce, nc back to 1, not a failure
    expect(creds(regs[3])).toMatchObject({ nonce: "n2", nc: "00000001" });
    // one Call-ID, CSeq strictly increasing (§10.2.4)
    expect(new Set(regs.map((q) => q.callId)).size).toBe(1);
    expect(regs.map((q) => q.cseq!.seq)).toEqual([1, 2, 3, 4]);
    expect(ua.registration.refreshes).toBe(1);

    registrar([ok(0)]);
    const un = await ua.unregister();
    expect(un).toMatchObject({ ok: true, expires: 0 });
    const last = registers().at(-1)!;
    expect(last.headers.get("expires")).toBe("0");
    expect(ua.registration.registered).toBe(false);
    const n = registers().length;
    await sleep(1200);
    expect(registers().length).toBe(n); // no more refreshes
  });

  it("answers a SHA-256 challenge (RFC 8760) and counts the nonce for the SHA-256 credentials", async () => {
    registrar([
      (req) => reply(req, 401, "Unauthorized", { toTag: "reg", extra: [
        'WWW-Authenticate: Digest realm="example.test", nonce="m1", qop="auth", algorithm=MD5',
        'WWW-Authenticate: Digest realm="example.test", nonce="s1", qop="auth", algorithm=SHA-256',
      ] }),
      ok(60),
    ]);
    expect(await ua.register({ expires: 60, refresh: false })).toMatchObject({ ok: true, expires: 60 });
    const c = creds(registers()[1])!;
    expect(c).toMatchObject({ algorithm: "SHA-256", nonce: "s1", nc: "00000001" });
    expect(c.response).toHaveLength(64);
    expect(verifyDigest(c, "REGISTER", "pw")).toBe(true);
    expect((ua as UserAgentCore).nonceCount("Authorization")).toBe(1);
  });

  it("a second non-stale challenge is final (wrong password); endless stale=true is bounded", async () => {
    registrar([challenge("a"), challenge("b")]);
    expect(await ua.register({ expires: 60 })).toMatchObject({ ok: false, statusCode: 401 });
    expect(registers()).toHaveLength(2);
    expect(ua.registration.registered).toBe(false);

    peer.log.length = 0;
    registrar([challenge("c"), ...Array.from({ length: 10 }, (_, i) => challenge(`s${i}`, ", stale=true"))]);
    expect(await ua.register({ expires: 60 })).toMatchObject({ ok: false, statusCode: 401 });
    expect(registers()).toHaveLength(MAX_AUTH_ROUNDS + 1);
  });

  it("a refresh that fails is reported and not repeated", async () => {
    registrar([ok(1), (req) => reply(req, 503, "Service Unavailable")]);
    const refreshes: RegisterResult[] = [];
    ua.onRegistrationRefresh((r) => refreshes.push(r));
    await ua.register({ expires: 1 });
    await sleep(1500);
    expect(refreshes).toEqual([{ ok: false, statusCode: 503, reason: "Service Unavailable" }]);
    expect(registers()).toHaveLength(2);
    expect(ua.registration.registered).toBe(false);
  });
});
