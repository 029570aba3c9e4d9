/**
 * The agent as users install it: one binary from `bun build --compile` (scripts/build-agent.sh, what
 * `npm run build:agent` runs). It answers --version and --help, rejects bad options with exit code 2
 * naming the option, its built-in registrar serves a real digest-authenticated REGISTER, and its
 * media threads (worker threads loaded from inside the binary) carry real RTP: `media-check`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUserAgent } from "../../agent/src/sip/index.js";
import { ROOT } from "../../scripts/stack.js";
import { freeUdpPort } from "../support/ports.js";

describe("ringfleet-agent binary", () => {
  const dir = mkdtempSync(join(tmpdir(), "ringfleet-bin-"));
  const bin = join(dir, "ringfleet-agent");
  let registrar: ChildProcess | null = null;

  beforeAll(() => {
    execFileSync("bash", [join(ROOT, "scripts/build-agent.sh"), bin], { cwd: ROOT, stdio: "pipe" });
  });
  afterAll(() => {
    registrar?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints its version and help, and names a bad option", () => {
    expect(execFileSync(bin, ["--version"]).toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(execFileSync(bin, ["--help"]).toString()).toContain("--capacity N");
    const bad = spawnSync(bin, ["run", "--server", "http://127.0.0.1:1", "--token", "rfa_x", "--capacity", "lots"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.toString()).toContain("--capacity must be an integer");
  });

  it("media-check: plain, SDES, DTLS-SRTP and Opus calls on two media threads inside the binary", () => {
    // Run from another directory: the worker, and libopus's wasm (agent/src/media/opus.ts), must
    // come from the binary, not from the source tree.
    const r = spawnSync(bin, ["media-check"], { cwd: dir, env: { ...process.env, RINGFLEET_MEDIA_WORKERS: "2" }, timeout: 60_000 });
    expect(r.stderr.toString()).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain("media check ok: 2 media threads, UDP backend bun");
    expect(r.stdout.toString()).toContain("Opus calls sent and received");
  }, 70_000);

  it("runs the built-in registrar, which answers a digest REGISTER with 200", async () => {
    const port = await freeUdpPort();
    const accounts = join(dir, "accounts.json");
    writeFileSync(accounts, JSON.stringify([{ username: "5001", password: "s3cret" }]));
    registrar = spawn(bin, ["registrar", "--host", "127.0.0.1", "--port", String(port), "--accounts", accounts], { stdio: "pipe" });
    await new Promise<void>((resolve, reject) => {
      registrar!.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
      registrar!.once("exit", (c) => reject(new Error(`registrar exited ${c}`)));
    });
    const ua = await createUserAgent({ server: { host: "127.0.0.1", port, transport: "UDP" }, domain: "127.0.0.1", account: { username: "5001", password: "s3cret" } });
    try {
      const r = await ua.register({ expires: 60 });
      expect(r).toMatchObject({ ok: true, statusCode: 200 });
    } finally {
      await ua.close();
    }
  });
});
