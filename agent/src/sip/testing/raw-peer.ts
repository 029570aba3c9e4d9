/** A scripted SIP peer on a raw UDP socket for UA tests: records what arrives, sends what the test writes. */
import { createSocket, type Socket } from "node:dgram";
import type { SipMessage, SipRequest } from "../message.js";
import { parseMessage } from "../parser.js";
import { createUserAgent } from "../ua/core.js";
import type { UserAgent, UserAgentOptions } from "../ua/types.js";

export interface Received {
  msg: SipMessage;
  text: string;
  from: { address: string; port: number };
  at: number;
}

export class RawPeer {
  readonly log: Received[] = [];
  private waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void; from: number }[] = [];
  /** Return false to drop a message (simulated loss) before it is logged. */
  filter: (r: Received) => boolean = () => true;

  private constructor(private socket: Socket, readonly port: number) {
    socket.on("message", (buf, rinfo) => {
      const p = parseMessage(buf);
      if (!p.ok) return;
      const r: Received = { msg: p.message, text: buf.toString(), from: { address: rinfo.address, port: rinfo.port }, at: Date.now() };
      if (!this.filter(r)) return;
      this.log.push(r);
      for (const w of [...this.waiters]) {
        if (w.pred(r)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    });
  }

  static async open(): Promise<RawPeer> {
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    return new RawPeer(s, s.address().port);
  }

  /** The next (or an already logged, not yet consumed) message matching pred. */
  wait(pred: (r: Received) => boolean, timeoutMs = 3000): Promise<Received> {
    const found = this.log.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve, from: Date.now() };
      this.waiters.push(w);
      setTimeout(() => reject(new Error("RawPeer.wait timed out")), timeoutMs).unref();
    });
  }

  count(pred: (r: Received) => boolean): number {
    return this.log.filter(pred).length;
  }

  send(text: string, port: number): void {
    this.socket.send(text.replace(/\r?\n/g, "\r\n"), port, "127.0.0.1");
  }

  close(): void {
    this.socket.close();
  }
}

export const isReq = (method: string) => (r: Received) => r.msg.type === "request" && r.msg.method === method;
export const isRes = (status: number, method?: string) => (r: Received) =>
  r.msg.type === "response" && r.msg.status === status && (method === undefined || r.msg.cseq?.method === method);

/** A response to `req` built by hand (copies Via/From/To/Call-ID/CSeq). */
export function reply(req: SipRequest, status: number, reason: string, opts: { toTag?: string; extra?: string[]; body?: string } = {}): string {
  const h = req.headers;
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const v of h.getAll("via")) lines.push(`Via: ${v}`);
  lines.push(...(opts.extra ?? []));
  lines.push(`From: ${h.get("from")}`);
  lines.push(`To: ${h.get("to")}${opts.toTag && !req.to?.tag ? `;tag=${opts.toTag}` : ""}`);
  lines.push(`Call-ID: ${req.callId}`, `CSeq: ${h.get("cseq")}`);
  const body = opts.body ?? "";
  if (body) lines.push("Content-Type: application/sdp");
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, "", body);
  return lines.join("\r\n");
}

/** A request as a scripted peer writes it (the peer is bob at 127.0.0.1:peerPort, we are alice). */
export function peerRequest(o: {
  method: string;
  uaPort: number;
  peerPort: number;
  callId: string;
  cseq: number;
  branch: string;
  fromTag?: string;
  toTag?: string;
  extra?: string[];
  body?: string;
  /** Content-Type of a body (default application/sdp). */
  contentType?: string;
}): string {
  const body = o.body ?? "";
  return [
    `${o.method} sip:alice@127.0.0.1:${o.uaPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.peerPort};branch=${o.branch};rport`,
    "Max-Forwards: 70",
    `From: <sip:bob@example.test>;tag=${o.fromTag ?? "peer1"}`,
    `To: <sip:alice@example.test>${o.toTag ? `;tag=${o.toTag}` : ""}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${o.method}`,
    `Contact: <sip:bob@127.0.0.1:${o.peerPort}>`,
    ...(o.extra ?? []),
    ...(body ? [`Content-Type: ${o.contentType ?? "application/sdp"}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

/** T1/T2/T4 shrunk so timer-driven tests run in milliseconds (the RFC 3261 §17.1.1.1 ratios kept). */
export const FAST_TIMERS = { t1: 40, t2: 320, t4: 400 };

/** A user agent, alice@example.test, whose server is a fresh raw peer; `more` overrides options. */
export async function uaWithPeer(more: Partial<UserAgentOptions> = {}): Promise<{ peer: RawPeer; ua: UserAgent }> {
  const peer = await RawPeer.open();
  const ua = await createUserAgent({
    server: { host: "127.0.0.1", port: peer.port, transport: "UDP" },
    domain: "example.test",
    account: { username: "alice", password: "pw" },
    timers: FAST_TIMERS,
    ...more,
  });
  return { peer, ua };
}
