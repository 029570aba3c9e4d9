import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { MediaHost, ROW_KEYS } from "./media-host.js";
import { MediaPool } from "./media-pool.js";
import { sparseQuantile } from "./aggregate.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("MediaHost", () => {
  let host: MediaHost | null = null;
  afterEach(() => host?.close());

  it("two sessions on one host: counters, lateness and rows of changed endpoints only", async () => {
    host = new MediaHost();
    const a = await host.open(1, { codec: "PCMU" });
    const b = await host.open(2, { codec: "PCMU" });
    host.start(1, { address: "127.0.0.1", port: b.localPort, payloadType: 0 });
    host.start(2, { address: "127.0.0.1", port: a.localPort, payloadType: 0 });
    await sleep(300);
    const r = await host.reportSliced();
    expect(r.agg.sessions).toBe(2);
    expect(r.agg.framesSent).toBeGreaterThan(10);
    expect(r.agg.packetsSent).toBe(r.agg.framesSent);
    expect(r.agg.packetsReceived).toBeGreaterThan(10);
    expect(sparseQuantile(r.agg.lateness, r.agg.latenessMax, 0.5)).toBeLessThan(20);
    expect(r.ids.sort()).toEqual([1, 2]);
    expect(r.values.length).toBe(2 * ROW_KEYS.length);
    // Stopped clock: nothing is sent, so nothing changes and no row is reported.
    host.quiesce();
    await sleep(100);
    host.report();
    const idle = host.report();
    expect(idle.agg.framesSent).toBe(0);
    expect(idle.ids).toEqual([]);
    host.stop(1);
    expect(host.report().agg.sessions).toBe(1);
  });
});

describe("MediaPool without workers", () => {
  it("opens, starts and reports on the calling thread", async () => {
    const pool = await MediaPool.create(0);
    const a = await pool.open({ codec: "PCMU" });
    const b = await pool.open({ codec: "PCMU" });
    expect(a.worker).toBe(-1);
    pool.start(a.id, { address: "127.0.0.1", port: b.port, payloadType: 0 });
    pool.start(b.id, { address: "127.0.0.1", port: a.port, payloadType: 0 });
    await sleep(200);
    const r = await pool.report();
    expect(r.agg.sessions).toBe(2);
    expect(r.agg.packetsReceived).toBeGreaterThan(0);
    expect(r.perWorker.length).toBe(1);
    await pool.close();
  });
});

describe("under Bun (Bun.udpSocket, worker threads)", () => {
  const BUN = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url));
  const CHECK = fileURLToPath(new URL("./media-check.ts", import.meta.url));
  for (const workers of [0, 2]) {
    it.skipIf(!existsSync(BUN))(`sessions, RTCP and pool reports with ${workers} workers`, async () => {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(BUN, [CHECK, String(workers)], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
      );
      expect(out).toContain("MEDIA-CHECK ok (backend bun");
    }, 40_000);
  }
});
