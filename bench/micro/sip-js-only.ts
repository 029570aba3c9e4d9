/**
 * JS-only cost of our SIP stack per REGISTER (REGISTER → 401 → REGISTER with digest → 200) on Bun:
 * 500 UAs on a fake transport that answers from templates (so no sockets, no kernel, no event-loop
 * wake-up per datagram), 10 rounds of 20,000 registrations; the fastest rounds are the least disturbed
 * by other work on the machine. `bun bench/micro/sip-js-only.ts`
 */
import { UserAgentCore } from "../../agent/src/sip/ua/core.js";
import { serialize } from "../../agent/src/sip/serializer.js";
import { deliverMessage, type Transport, type TransportStats, type Address } from "../../agent/src/sip/transport/transport.js";
import type { SipMessage } from "../../agent/src/sip/message.js";

const queue: (() => void)[] = [];
let scheduled = false;
function later(f: () => void) { queue.push(f); if (!scheduled) { scheduled = true; setImmediate(flush); } }
function flush() { scheduled = false; const q = queue.splice(0); for (const f of q) f(); }
const hdr = (t: string, n: string) => { const m = new RegExp(`^${n}: (.*)$`, "mi").exec(t); return m ? m[1] : ""; };
let nonce = 0;
class FakeTransport implements Transport {
  readonly protocol = "UDP" as const; readonly reliable = false; readonly localAddress = "127.0.0.1";
  readonly stats: TransportStats = { received: 0, sent: 0, malformed: 0, sendErrors: 0 };
  handler: ((m: SipMessage, s: Address) => void) | null = null;
  constructor(readonly localPort: number) {}
  send(msg: SipMessage): void {
    const text = serialize(msg); this.stats.sent++;
    const auth = text.includes("\r\nAuthorization:");
    const vias = hdr(text, "Via"), from = hdr(text, "From"), to = hdr(text, "To"), cid = hdr(text, "Call-ID"), cseq = hdr(text, "CSeq");
    const res = auth
      ? `SIP/2.0 200 OK\r\nVia: ${vias};received=127.0.0.1\r\nFrom: ${from}\r\nTo: ${to};tag=abcdef0123\r\nCall-ID: ${cid}\r\nCSeq: ${cseq}\r\nContact: <sip:${this.localPort}@127.0.0.1:${this.localPort}>;expires=3600\r\nServer: kamailio (5.7.4 (x86_64/linux))\r\nContent-Length: 0\r\n\r\n`
      : `SIP/2.0 401 Unauthorized\r\nVia: ${vias};received=127.0.0.1\r\nFrom: ${from}\r\nTo: ${to};tag=abcdef0123\r\nCall-ID: ${cid}\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Digest realm="127.0.0.1", nonce="ZxYw${(nonce++).toString(36)}abcdef0123456789"\r\nServer: kamailio (5.7.4 (x86_64/linux))\r\nContent-Length: 0\r\n\r\n`;
    const buf = Buffer.from(res);
    later(() => deliverMessage(buf, { address: "127.0.0.1", port: 5060 }, this.stats, null, this.handler));
  }
  onMessage(cb: (m: SipMessage, s: Address) => void) { this.handler = cb; }
  onTrace() {}
  close() { return Promise.resolve(); }
}
const uas = Array.from({ length: 500 }, (_, i) => new UserAgentCore(new FakeTransport(40000 + i), { server: { host: "127.0.0.1", port: 5060, transport: "UDP" }, domain: "127.0.0.1", account: { username: String(100000 + i), password: "pw" }, userAgent: "ringfleet-bench" } as never));
async function round(n: number) {
  let i = 0; const w: Promise<unknown>[] = [];
  for (const ua of uas) w.push((async () => { for (let k = 0; k < n / uas.length; k++) { const r = await ua.register({ expires: 3600, refresh: false }); if (!r.ok) throw new Error("fail " + JSON.stringify(r)); i++; } })());
  await Promise.all(w);
  return i;
}
// template cost alone
const c = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
for (let rep = 0; rep < 10; rep++) {
  const c0 = c(); const n = await round(20000); const c1 = c();
  console.log(`rep ${rep}: ${n} registers, ${((c1 - c0) * 1000 / n).toFixed(1)} µs CPU per register (incl. fake registrar)`);
}
process.exit(0);
