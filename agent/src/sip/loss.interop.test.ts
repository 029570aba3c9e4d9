/**
 * SIP over a lossy link (issue: "the same calls through a network namespace with 5 % loss on UDP
 * complete via retransmissions"). This kernel has no sch_netem, so the loss comes from nftables in
 * a namespace of our own: every UDP datagram to or from Kamailio's port is dropped with
 * probability 5 % (`numgen random mod 100 < 5`, counted), in both directions — REGISTER, INVITE,
 * responses, ACK, BYE alike. Kamailio and the user agents run inside that namespace
 * (test/sip-loss/driver.ts); every registration and call must still complete, through the RFC 3261
 * §17 retransmission timers.
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { canUseNetns } from "../../../test/support/netns.js";
import { hasKamailio } from "../../../test/support/kamailio.js";

const NFT = "/usr/sbin/nft";
const ns = `rfloss${process.pid}`;
const ROOT = new URL("../../..", import.meta.url).pathname;
const BUN = `${ROOT}node_modules/.bin/bun`;
const PORT = 5099;
const ready = canUseNetns() && hasKamailio() && existsSync(NFT);

describe.skipIf(!ready && !process.env.CI)("SIP through 5 % UDP loss (nftables in a namespace)", () => {
  afterAll(() => {
    spawnSync("ip", ["netns", "delete", ns]);
  });

  it("registers 20 UAs and completes 10 calls (INVITE → 200 → ACK → BYE → 200) and the de-registrations", () => {
    execFileSync("ip", ["netns", "add", ns]);
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
    // Input hook: each datagram is judged once, on arrival, and the sender never learns of the
    // drop (dropping on output would fail the sender's sendto() with EPERM, which a lossy
    // network does not do — Kamailio answered that with 477).
    const rules = [
      "add table inet rfloss",
      "add chain inet rfloss in { type filter hook input priority 0; }",
      `add rule inet rfloss in udp dport ${PORT} numgen random mod 100 < 5 counter drop`,
      `add rule inet rfloss in udp sport ${PORT} numgen random mod 100 < 5 counter drop`,
    ];
    for (const r of rules) execFileSync("ip", ["netns", "exec", ns, NFT, ...r.split(" ")]);
    const out = execFileSync("ip", ["netns", "exec", ns, BUN, `${ROOT}test/sip-loss/driver.ts`, JSON.stringify({ pairs: 10, kamailioPort: PORT })], {
      encoding: "utf8", timeout: 170_000, cwd: ROOT,
    });
    const result = JSON.parse(out.trim().split("\n").pop()!);
    const ruleset = execFileSync("ip", ["netns", "exec", ns, NFT, "list", "ruleset"], { encoding: "utf8" });
    const dropped = [...ruleset.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);

    expect(result.registerFailures).toEqual([]);
    expect(result.registered).toBe(20);
    expect(result.callFailures).toEqual([]);
    expect(result.answered).toBe(10);
    expect(result.byeOk).toBe(10);
    expect(result.calleeSawBye).toBe(10);
    expect(result.unregistered).toBe(20);
    // The link really lost packets, and our side really retransmitted to make up for them.
    expect(dropped).toBeGreaterThan(0);
    expect(result.retransmissions).toBeGreaterThan(0);
    console.log(`5 % loss: ${dropped} datagrams dropped, ${result.retransmissions} requests retransmitted, all 20 registrations and 10 calls completed`);
  }, 180_000);
});
