import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkUdpTransport } from "./udp-check.js";

const BUN = fileURLToPath(new URL("../../../../node_modules/.bin/bun", import.meta.url));
const CHECK = fileURLToPath(new URL("./udp-check.ts", import.meta.url));

describe("UDP transport", () => {
  it("node:dgram backend: delivery, source, trace, names, malformed input, send errors, close", async () => {
    await checkUdpTransport("dgram");
  });

  // vitest runs on Node, where Bun.udpSocket does not exist: the same checks in a Bun process.
  it.skipIf(!existsSync(BUN))("Bun.udpSocket backend passes the same checks under Bun", async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(BUN, [CHECK, "bun"], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    expect(out).toContain("UDP-CHECK ok");
  }, 40_000);
});
