/**
 * The floor of a REGISTER-shaped exchange on Bun.udpSocket, without any SIP code: an echo process,
 * and a client that starts `rate` operations per second, each two request/answer round trips of a
 * 500-byte datagram (2 sends + 2 receives, like REGISTER → 401 → REGISTER → 200) plus one timer,
 * paced like bench/load.ts. Prints the client's CPU per operation, once with one socket per
 * operation slot (N sockets, as our UAs have) and once with all operations on one socket (as SIPp).
 *
 * Then, when a C compiler is present, the same exchange in C (udp-floor.c, epoll, a C echo): the
 * native floor, i.e. what the kernel and wake-ups cost any program before Bun or our code.
 *
 *   bun bench/micro/udp-floor.ts [sockets=500] [rate=1000] [seconds=6]
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface BunUdp {
  readonly port: number;
  send(data: Uint8Array | string, port: number, address: string): boolean;
  close(): void;
}
type UdpApi = { udpSocket(o: object): Promise<BunUdp> };
const api = (globalThis as unknown as { Bun: UdpApi }).Bun;

if (process.argv[2] === "--echo") {
  const s = await api.udpSocket({
    hostname: "127.0.0.1",
    port: 0,
    binaryType: "buffer",
    socket: { data: (sock: BunUdp, buf: Buffer, port: number, addr: string) => sock.send(buf, port, addr) },
  });
  process.stdout.write(`${s.port}\n`);
} else {
  const [nSockets = 500, rate = 1000, seconds = 6] = process.argv.slice(2).map(Number);
  const echo = spawn(process.execPath, [process.argv[1], "--echo"], { stdio: ["ignore", "pipe", "inherit"] });
  const echoPort = await new Promise<number>((r) => echo.stdout!.once("data", (d: Buffer) => r(Number(d.toString().trim()))));
  for (const n of [nSockets, 1, nSockets, 1]) console.log(await run(n, rate, seconds, echoPort));
  echo.kill();
  nativeFloor(nSockets, rate, seconds);
  process.exit(0);
}

async function run(nSockets: number, rate: number, seconds: number, echoPort: number): Promise<string> {
  const payload = Buffer.alloc(500, 0x78);
  const round = new Map<number, number>();
  let ok = 0;
  const socks: BunUdp[] = [];
  const onReply = (id: number) => {
    if (round.get(id) === 1) {
      round.set(id, 2);
      (setTimeout(() => {}, 5000) as { unref?: () => void }).unref?.();
      send(id);
    } else {
      round.delete(id);
      ok++;
    }
  };
  for (let i = 0; i < nSockets; i++) {
    socks.push(await api.udpSocket({ hostname: "127.0.0.1", port: 0, binaryType: "buffer", socket: { data: (_s: BunUdp, b: Buffer) => onReply(b.readUInt32LE(0)) } }));
  }
  const send = (id: number) => {
    const b = Buffer.from(payload);
    b.writeUInt32LE(id, 0);
    socks[id % nSockets].send(b, echoPort, "127.0.0.1");
  };
  const total = rate * seconds;
  let started = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((rate * (performance.now() - t0)) / 1000) + 1);
      while (started < due) {
        round.set(started, 1);
        send(started++);
      }
      if (started >= total) return done();
      setTimeout(tick, 1);
    };
    tick();
  });
  const until = performance.now() + 5000;
  while (round.size > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  const c = process.cpuUsage(c0);
  for (const s of socks) s.close();
  return `${String(nSockets).padStart(4)} socket(s): ${ok}/${total} ops, ${((c.user + c.system) / ok).toFixed(1)} µs CPU per op (user ${(c.user / ok).toFixed(1)}, system ${(c.system / ok).toFixed(1)})`;
}

/** The C version of the same exchange, if `cc` can build it (not needed by anything else). */
function nativeFloor(nSockets: number, rate: number, seconds: number): void {
  if (spawnSync("sh", ["-c", "command -v cc"]).status !== 0) return console.log("native floor: no C compiler (cc), skipped");
  const dir = mkdtempSync(join(tmpdir(), "udp-floor-"));
  try {
    const bin = join(dir, "floor");
    execFileSync("cc", ["-O2", "-o", bin, new URL("./udp-floor.c", import.meta.url).pathname]);
    const port = 39000 + Math.floor(Math.random() * 900);
    const echo = spawn(bin, ["echo", String(port)], { stdio: "ignore" });
    try {
      // One operation per socket at a time (each socket is one UA), so only the N-socket case.
      process.stdout.write(execFileSync(bin, ["gen", String(nSockets), String(rate), String(seconds), String(port)]).toString());
    } finally {
      echo.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
