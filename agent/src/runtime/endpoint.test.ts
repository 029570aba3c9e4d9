/** The endpoint script with fake SIP and media ports (the real ones are exercised by the integration tests). */
import { describe, expect, it } from "vitest";
import type { EndpointSample, EndpointSpec } from "../../../protocol/index.js";
import { Endpoint } from "./endpoint.js";
import { createLogger } from "./log.js";
import type { FinalResponse, IncomingCallPort, MediaFactory, RegisterResult, UserAgentFactory } from "./ports.js";

const spec = (over: Partial<EndpointSpec> = {}): EndpointSpec => ({
  id: "e1", group: "A", role: "CALLER",
  account: { username: "1001", authUsername: "1001", password: "pw", realm: null },
  registrar: { domain: "pbx", host: "127.0.0.1", port: 5060, transport: "UDP", outboundProxy: false },
  codec: "PCMU", durationSec: 1, startDelayMs: 0, target: "sip:1002@pbx", ...over,
});

interface FakeOpts {
  register?: RegisterResult;
  final?: FinalResponse;
  provisional?: number[];
  incoming?: boolean;
  answerOk?: boolean;
  /** The media fails this many ms after start (as a DTLS fingerprint mismatch does). */
  mediaFailsAfterMs?: number;
  /** The peer sends this INFO (Content-Type, body) 50 ms after answering. */
  infoFromPeer?: [string, string];
  /** The incoming INVITE has no SDP (late offer); its ACK carries this body (null: no ACK at all). */
  lateOfferAck?: string | null;
}
function fakes(o: FakeOpts = {}) {
  const log: string[] = [];
  const ua: UserAgentFactory = {
    async create({ onTrace }) {
      let incomingCb: ((c: IncomingCallPort) => void) | null = null;
      return {
        async register() {
          onTrace({ t: Date.now(), dir: "out", remote: "udp 127.0.0.1:5060", text: "REGISTER sip:pbx SIP/2.0\r\n\r\n" });
          log.push("register");
          const r = o.register ?? { ok: true, statusCode: 200, expires: 300, timeMs: 7 };
          if (r.ok && o.incoming) setTimeout(() => incomingCb?.(incomingCall(log, o.lateOfferAck)), 20);
          return r;
        },
        async unregister() { log.push("unregister"); },
        invite(_t, _sdp, onProv) {
          log.push("invite");
          for (const c of o.provisional ?? [100, 180]) onProv(c, "");
          return {
            final: Promise.resolve(o.final ?? { ok: true, statusCode: 200, reason: "OK", remoteSdp: "v=0" }),
            cancel: () => log.push("cancel"),
            bye: async () => (log.push("bye"), { ok: true, statusCode: 200 }),
            onEnded: () => {},
            onInfo: (cb: (type: string | undefined, body: string) => void) => {
              if (o.infoFromPeer) setTimeout(() => cb(...o.infoFromPeer!), 50);
            },
          };
        },
        onIncomingCall(cb) { incomingCb = cb; },
        close() { log.push("close"); },
      };
    },
  };
  const media: MediaFactory = {
    async open() {
      return {
        offer: () => "offer",
        answer: () => (o.answerOk === false ? { ok: false, reason: "no common codec" } : { ok: true, sdp: "answer" }),
        // Logged only when it is not the caller fakes' plain "v=0" (the late-offer tests look for it).
        applyAnswer: (sdp: string) => (sdp !== "v=0" && log.push(`applyAnswer ${sdp}`), sdp.startsWith("v=0") ? { ok: true as const } : { ok: false as const, reason: "not SDP" }),
        start: () => log.push("media-start"),
        sample: () => ({ mos: 4.4, packets_received: 50 }),
        stop: () => log.push("media-stop"),
        onSipInfo: (type: string | undefined, body: string) => log.push(`info ${type} ${JSON.stringify(body)}`),
        onFailure: (cb: (reason: string) => void) => {
          if (o.mediaFailsAfterMs !== undefined) setTimeout(() => cb("DTLS: the peer's certificate does not match its a=fingerprint"), o.mediaFailsAfterMs);
        },
      };
    },
  };
  return { log, deps: { ua, media, localAddress: "127.0.0.1", log: createLogger("error") } };
}
function incomingCall(log: string[], lateOfferAck?: string | null): IncomingCallPort {
  let ended: (() => void) | null = null;
  setTimeout(() => ended?.(), 300); // the caller hangs up after 300 ms
  const late = lateOfferAck !== undefined;
  return {
    remoteSdp: late ? "" : "v=0", ringing: () => log.push("ringing"), answer: (sdp) => log.push(late ? `answer ${sdp}` : "answer"),
    acked: () => new Promise((r) => setTimeout(() => r(late ? lateOfferAck : ""), 20)),
    reject: (code) => log.push(`reject ${code}`), bye: async () => (log.push("bye"), { ok: true, statusCode: 200 }),
    onEnded: (cb) => { ended = cb; },
  };
}

async function runToEnd(ep: Endpoint, timeoutMs = 5000): Promise<EndpointSample[]> {
  const samples: EndpointSample[] = [];
  ep.start();
  const deadline = Date.now() + timeoutMs;
  while (!ep.closed && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const s = ep.sample(Date.now());
    if (s) samples.push(s);
  }
  const s = ep.sample(Date.now());
  if (s) samples.push(s);
  return samples;
}

describe("Endpoint", () => {
  it("caller: registers, calls, records timings, reports media while INCALL, hangs up and de-registers", async () => {
    const f = fakes();
    const samples = await runToEnd(new Endpoint(spec(), f.deps));
    const last = samples.at(-1)!;
    expect(last).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS", statusCode: 200 });
    expect(f.log).toEqual(["register", "invite", "media-start", "bye", "media-stop", "unregister", "close"]);
    const timings = Object.assign({}, ...samples.map((s) => s.timings ?? {}));
    expect(timings).toMatchObject({ time_to_register_ms: 7, registration_expires_s: 300, final_status_code: 200 });
    for (const k of ["time_to_trying_ms", "time_to_ringing_ms", "post_dial_delay_ms", "call_setup_time_ms"]) expect(timings[k]).toBeGreaterThanOrEqual(0);
    expect(timings.call_duration_ms).toBeGreaterThanOrEqual(950);
    expect(samples.some((s) => s.phase === "INCALL" && s.m?.mos === 4.4)).toBe(true);
    expect(samples.flatMap((s) => s.trace ?? [])).toHaveLength(1);
  });

  it("registration failure: REGISTRATION_FAILED with the status code, straight to CLOSED, no de-register", async () => {
    const f = fakes({ register: { ok: false, statusCode: 403, reason: "Forbidden" } });
    const samples = await runToEnd(new Endpoint(spec(), f.deps));
    expect(samples.at(-1)).toMatchObject({ phase: "CLOSED", outcome: "REGISTRATION_FAILED", statusCode: 403, statusText: "REGISTER rejected: 403 Forbidden" });
    expect(f.log).not.toContain("unregister");
  });

  it("call rejected: CALL_FAILED with the code; no answer at all: TIMEOUT", async () => {
    const busy = fakes({ final: { ok: false, statusCode: 486, reason: "Busy Here" } });
    expect((await runToEnd(new Endpoint(spec(), busy.deps))).at(-1)).toMatchObject({ outcome: "CALL_FAILED", statusCode: 486 });
    const silent = fakes({ final: { ok: false, statusCode: null, reason: "Timer B fired" } });
    expect((await runToEnd(new Endpoint(spec(), silent.deps))).at(-1)).toMatchObject({ outcome: "TIMEOUT", statusCode: null });
  });

  it("receiver: answers the INVITE, ends SUCCESS when the caller hangs up", async () => {
    const f = fakes({ incoming: true });
    const samples = await runToEnd(new Endpoint(spec({ role: "RECEIVER", target: null }), f.deps));
    expect(samples.at(-1)).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
    expect(f.log).toEqual(expect.arrayContaining(["ringing", "answer", "media-start", "unregister"]));
    expect(f.log).not.toContain("bye");
  });

  it("receiver, late offer (INVITE without SDP): our 200 carries the offer, the ACK's SDP is applied as the answer", async () => {
    const f = fakes({ incoming: true, lateOfferAck: "v=0 answer" });
    const samples = await runToEnd(new Endpoint(spec({ role: "RECEIVER", target: null }), f.deps));
    expect(samples.at(-1)).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
    const i = f.log.indexOf("answer offer");
    expect(i).toBeGreaterThan(0);
    expect(f.log.slice(i, i + 3)).toEqual(["answer offer", "applyAnswer v=0 answer", "media-start"]);
  });

  it("receiver, late offer: an ACK without an SDP answer ends NEGOTIATION_FAILED with BYE; no ACK at all ends TIMEOUT", async () => {
    const empty = fakes({ incoming: true, lateOfferAck: "" });
    const a = await runToEnd(new Endpoint(spec({ role: "RECEIVER", target: null }), empty.deps));
    expect(a.at(-1)).toMatchObject({ outcome: "NEGOTIATION_FAILED", statusCode: 200 });
    expect(a.at(-1)!.statusText).toContain("the ACK carried no SDP answer");
    expect(empty.log).toContain("bye");
    expect(empty.log).not.toContain("media-start");
    const none = fakes({ incoming: true, lateOfferAck: null });
    const b = await runToEnd(new Endpoint(spec({ role: "RECEIVER", target: null }), none.deps));
    expect(b.at(-1)).toMatchObject({ outcome: "TIMEOUT", statusCode: 200 });
  });

  it("receiver: an unusable offer is answered 488 and ends NEGOTIATION_FAILED", async () => {
    const f = fakes({ incoming: true, answerOk: false });
    const samples = await runToEnd(new Endpoint(spec({ role: "RECEIVER", target: null }), f.deps));
    expect(samples.at(-1)).toMatchObject({ outcome: "NEGOTIATION_FAILED", statusCode: 488 });
    expect(f.log).toContain("reject 488");
  });

  it("media failing mid-call (DTLS fingerprint mismatch): NEGOTIATION_FAILED with the reason, BYE at once, caller and receiver", async () => {
    const f = fakes({ mediaFailsAfterMs: 100 });
    const t0 = Date.now();
    const samples = await runToEnd(new Endpoint(spec({ durationSec: 30 }), f.deps), 3000);
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(samples.at(-1)).toMatchObject({ phase: "CLOSED", outcome: "NEGOTIATION_FAILED", statusCode: 200, statusText: "media failed: DTLS: the peer's certificate does not match its a=fingerprint" });
    expect(f.log).toEqual(["register", "invite", "media-start", "bye", "media-stop", "unregister", "close"]);
    const r = fakes({ incoming: true, mediaFailsAfterMs: 50 });
    const rs = await runToEnd(new Endpoint(spec({ role: "RECEIVER", target: null }), r.deps));
    expect(rs.at(-1)).toMatchObject({ phase: "CLOSED", outcome: "NEGOTIATION_FAILED", statusText: expect.stringContaining("a=fingerprint") });
    expect(r.log).toContain("bye");
  });

  it("an INFO the peer sends during the call reaches the media (SIP INFO DTMF counting)", async () => {
    const f = fakes({ infoFromPeer: ["application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"] });
    await runToEnd(new Endpoint(spec(), f.deps));
    expect(f.log).toEqual(["register", "invite", "media-start", 'info application/dtmf-relay "Signal=5\\r\\nDuration=160\\r\\n"', "bye", "media-stop", "unregister", "close"]);
  });

  it("stop mid-call hangs up at once and ends SUCCESS", async () => {
    const f = fakes();
    const ep = new Endpoint(spec({ durationSec: 30 }), f.deps);
    setTimeout(() => ep.stop("user"), 200);
    const samples = await runToEnd(ep, 3000);
    expect(samples.at(-1)).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
    expect(f.log).toContain("bye");
  });
});
