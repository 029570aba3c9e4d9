/**
 * Runs inside a network namespace whose UDP loses packets (nftables `numgen random`, set up by
 * agent/src/sip/loss.interop.test.ts): starts the Kamailio fixture there, registers caller and
 * callee user agents, places calls through the proxy, hangs them up, de-registers, and prints one
 * JSON line with what completed and how many requests were retransmitted (from the SIP traces).
 *
 *   ip netns exec <ns> bun test/sip-loss/driver.ts '{"pairs":10,"kamailioPort":5099}'
 */
import { startKamailio } from "../support/kamailio.js";
import { createUserAgent, type IncomingCall, type TraceEvent, type UserAgent } from "../../agent/src/sip/index.js";

const cfg = JSON.parse(process.argv[2] ?? "{}") as { pairs: number; kamailioPort: number; holdMs?: number };
const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/** Outgoing requests sent more than once: same start line, top Via branch and CSeq (RFC 3261 §17.1 retransmissions). */
function retransmissions(trace: TraceEvent[]): number {
  const seen = new Map<string, number>();
  for (const e of trace) {
    if (e.dir !== "out" || e.text.startsWith("SIP/2.0")) continue;
    const lines = e.text.split("\r\n");
    const branch = /branch=([^;\s,]+)/i.exec(e.text)?.[1] ?? "";
    const cseq = lines.find((l) => /^CSeq:/i.test(l)) ?? "";
    const key = `${lines[0]}|${branch}|${cseq}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  let n = 0;
  for (const c of seen.values()) n += c - 1;
  return n;
}

const accounts = Array.from({ length: cfg.pairs * 2 }, (_, i) => ({ username: String(7000 + i), password: `pw-${7000 + i}` }));
const k = await startKamailio({ port: cfg.kamailioPort, accounts });
const uas: UserAgent[] = [];
const traces: TraceEvent[][] = [];
const result = { registered: 0, registerFailures: [] as string[], calls: 0, answered: 0, byeOk: 0, calleeSawBye: 0, callFailures: [] as string[], retransmissions: 0, unregistered: 0 };
try {
  for (const a of accounts) {
    const trace: TraceEvent[] = [];
    traces.push(trace);
    uas.push(
      await createUserAgent({
        server: { host: "127.0.0.1", port: k.port, transport: "UDP" }, domain: "127.0.0.1",
        account: { username: a.username, authUsername: a.username, password: a.password, realm: null },
        onTrace: (e) => trace.push(e),
      }),
    );
  }
  const regs = await Promise.all(uas.map((ua) => ua.register({ expires: 300, refresh: false })));
  regs.forEach((r, i) => (r.ok ? result.registered++ : result.registerFailures.push(`${accounts[i]!.username}: ${r.statusCode} ${r.reason}`)));

  await Promise.all(
    Array.from({ length: cfg.pairs }, async (_, p) => {
      const caller = uas[2 * p]!;
      const callee = uas[2 * p + 1]!;
      const calleeEnded = new Promise<void>((resolve) =>
        callee.onIncomingCall((call: IncomingCall) => {
          call.onEnded(() => resolve());
          call.ringing();
          call.answer(SDP.replace("40000", String(41000 + 2 * p)));
        }),
      );
      result.calls++;
      const call = caller.invite(`sip:${accounts[2 * p + 1]!.username}@127.0.0.1`, SDP);
      const final = await call.final;
      if (!final.ok) return void result.callFailures.push(`call ${p}: ${final.statusCode} ${final.reason}`);
      result.answered++;
      await new Promise((r) => setTimeout(r, cfg.holdMs ?? 300));
      const bye = await call.bye();
      if (bye.ok) result.byeOk++;
      else result.callFailures.push(`bye ${p}: ${bye.statusCode}`);
      await Promise.race([calleeEnded.then(() => result.calleeSawBye++), new Promise((r) => setTimeout(r, 40_000))]);
    }),
  );
  const unregs = await Promise.all(uas.map((ua) => ua.unregister()));
  result.unregistered = unregs.filter((r) => r.ok).length;
  result.retransmissions = traces.reduce((n, t) => n + retransmissions(t), 0);
} finally {
  for (const ua of uas) await ua.close().catch(() => undefined);
  await k.stop();
}
console.log(JSON.stringify(result));
process.exit(0);
