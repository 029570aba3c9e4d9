/**
 * Behaviour both UDP backends must share, as one function: vitest (Node) runs it for node:dgram,
 * and runs this file under Bun for Bun.udpSocket (`bun udp-check.ts bun` prints `UDP-CHECK ok`).
 */
import { SipRequest } from "../message.js";
import { buildRequest } from "../ua/build.js";
import type { Address } from "./transport.js";
import { type UdpBackend, UdpTransport } from "./udp.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(5);
  }
}

function options(port: number): SipRequest {
  return buildRequest({
    method: "OPTIONS", uri: "sip:b@127.0.0.1", via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKcheck;rport`,
    from: "<sip:a@127.0.0.1>;tag=1", to: "<sip:b@127.0.0.1>", callId: "udp-check@127.0.0.1", cseq: 1, body: "héllo",
  });
}

/** Throws on the first difference from the expected behaviour. */
export async function checkUdpTransport(backend: UdpBackend): Promise<void> {
  const a = await UdpTransport.open({ backend });
  const b = await UdpTransport.open({ backend });
  try {
    if (a.backend !== backend || a.localPort <= 0 || a.localPort === b.localPort) throw new Error("bad local port / backend");
    const got: { msg: SipRequest; src: Address }[] = [];
    b.onMessage((msg, src) => {
      if (msg.type === "request") got.push({ msg, src });
    });
    const traced: string[] = [];
    a.onTrace((e) => traced.push(`${e.dir} ${e.remote}`));
    a.send(options(a.localPort), { address: "127.0.0.1", port: b.localPort });
    await until(() => got.length === 1);
    const m = got[0].msg;
    if (m.method !== "OPTIONS" || m.body !== "héllo" || m.callId !== "udp-check@127.0.0.1") throw new Error("message changed on the way");
    if (got[0].src.address !== "127.0.0.1" || got[0].src.port !== a.localPort) throw new Error(`wrong source ${JSON.stringify(got[0].src)}`);
    if (traced[0] !== `out 127.0.0.1:${b.localPort}` || a.stats.sent !== 1 || b.stats.received !== 1) throw new Error("stats / trace wrong");

    // A host name is resolved first (as node:dgram does), then sent.
    a.send(options(a.localPort), { address: "localhost", port: b.localPort });
    await until(() => got.length === 2);

    // Malformed datagrams and a throwing handler are counted, never thrown.
    const raw = await UdpTransport.open({ backend });
    raw.send(new SipRequest("X", "junk"), { address: "127.0.0.1", port: b.localPort });
    await until(() => b.stats.malformed === 1);
    b.onMessage(() => {
      throw new Error("handler bug");
    });
    a.send(options(a.localPort), { address: "127.0.0.1", port: b.localPort });
    await until(() => b.stats.malformed === 2);
    await raw.close();

    // An unsendable destination (other address family) never throws and leaves the socket working
    // (Bun counts it in sendErrors; node:dgram without a send callback drops it silently).
    b.onMessage((msg, src) => {
      if (msg.type === "request") got.push({ msg, src });
    });
    a.send(options(a.localPort), { address: "::1", port: b.localPort });
    a.send(options(a.localPort), { address: "127.0.0.1", port: b.localPort });
    await until(() => got.length === 3);

    // Closed: sends are dropped silently; close is idempotent.
    await a.close();
    a.send(options(a.localPort), { address: "127.0.0.1", port: b.localPort });
    await a.close();
  } finally {
    await a.close();
    await b.close();
  }
}

if (process.argv[2] === "bun" || process.argv[2] === "dgram") {
  await checkUdpTransport(process.argv[2]);
  console.log("UDP-CHECK ok");
  process.exit(0);
}
