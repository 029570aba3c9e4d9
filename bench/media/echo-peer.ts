/**
 * The far end of the media benchmark (bun bench/media/echo-peer.ts '<json>'): for calls
 * [first, first+count) binds RTP port base+2i and RTCP base+2i+1 on 127.0.0.1 and returns every
 * RTP datagram to its sender at once (what SIPp's -rtp_echo does, with one socket per call).
 * An echo instead of a second set of our RtpSessions: it costs the far end the least CPU on a
 * shared 2-core box (so the generator is what is measured), and whatever the generator fails to
 * read of what the echo sent is the generator's loss, counted exactly: echoed vs received.
 * RTCP is read and dropped. Prints READY, then on stdin "report" one JSON line of its counters
 * (with the kernel's drops for its sockets) and exits.
 */
import { socketDrops } from "./udp-drops.js";

interface Config {
  base: number;
  first: number;
  count: number;
}
interface BunUdp {
  send(data: Uint8Array, port: number, address: string): boolean;
  close(): void;
}
interface BunApi {
  udpSocket(o: { hostname: string; port: number; binaryType: "buffer"; socket: { data(s: BunUdp, b: Buffer, port: number, addr: string): void; error?(s: BunUdp, e: Error): void } }): Promise<BunUdp & { port: number }>;
}
const cfg = JSON.parse(process.argv[2] ?? "{}") as Config;
const bun = (globalThis as unknown as { Bun: BunApi }).Bun;
const c = { received: 0, echoed: 0, sendErrors: 0, rtcp: 0 };
const sockets: BunUdp[] = [];
for (let i = cfg.first; i < cfg.first + cfg.count; i++) {
  const rtp = await bun.udpSocket({
    hostname: "127.0.0.1",
    port: cfg.base + 2 * i,
    binaryType: "buffer",
    socket: {
      data(s, buf, port, addr) {
        c.received++;
        try {
          if (s.send(buf, port, addr)) c.echoed++;
          else c.sendErrors++;
        } catch {
          c.sendErrors++;
        }
      },
      error() {
        c.sendErrors++;
      },
    },
  });
  const rtcp = await bun.udpSocket({ hostname: "127.0.0.1", port: cfg.base + 2 * i + 1, binaryType: "buffer", socket: { data() { c.rtcp++; } } });
  sockets.push(rtp, rtcp);
}
process.stdout.write("READY\n");
let buf = "";
process.stdin.on("data", (d: Buffer) => {
  buf += d.toString();
  if (!buf.includes("report")) return;
  const lo = cfg.base + 2 * cfg.first;
  const drops = socketDrops(lo, lo + 2 * cfg.count - 1);
  process.stdout.write(JSON.stringify({ ...c, kernelDrops: drops.drops, sockets: drops.sockets }) + "\n");
  for (const s of sockets) s.close();
  process.exit(0);
});
