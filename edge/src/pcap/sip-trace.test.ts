import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SipTraceEntry } from "../../../protocol/index.js";
import { FALLBACK_LOCAL_IP, localAddressOf, splitHostPort, traceToPackets, traceToPcap } from "./sip-trace.js";

const trace: SipTraceEntry[] = JSON.parse(readFileSync(new URL("../../../test/fixtures/sip-trace/call.json", import.meta.url), "utf8"));

function hasTshark(): boolean {
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("SIP trace → packets", () => {
  it("splits the address forms the transports write", () => {
    expect(splitHostPort("127.0.0.1:5070")).toEqual({ host: "127.0.0.1", port: 5070 });
    expect(splitHostPort("udp 10.1.2.3:5060")).toEqual({ host: "10.1.2.3", port: 5060 });
    expect(splitHostPort("[2001:db8::1]:5061")).toEqual({ host: "2001:db8::1", port: 5061 });
    expect(splitHostPort("pbx.example")).toEqual({ host: "pbx.example", port: 5060 });
  });
  it("takes our address from the top Via of what we sent", () => {
    expect(localAddressOf(trace)).toEqual({ ip: "127.0.0.1", port: 5090 });
    expect(localAddressOf([{ t: 0, dir: "out", remote: "1.2.3.4:5060", text: "OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP host.invalid:5999;branch=z9\r\n\r\n" }]))
      .toEqual({ ip: FALLBACK_LOCAL_IP, port: 5999 });
    expect(localAddressOf([])).toEqual({ ip: FALLBACK_LOCAL_IP, port: 5060 });
  });
  it("sends out-messages from us and in-messages to us; non-IPv4 remotes get stable stand-ins", () => {
    const p = traceToPackets([...trace, { t: trace.at(-1)!.t + 1, dir: "in", remote: "[::1]:5080", text: "OPTIONS sip:x SIP/2.0\r\n\r\n" }]);
    expect(p[0]).toMatchObject({ src: { ip: "127.0.0.1", port: 5090 }, dst: { ip: "127.0.0.1", port: 5060 } });
    expect(p[1]).toMatchObject({ src: { ip: "127.0.0.1", port: 5060 }, dst: { ip: "127.0.0.1", port: 5090 } });
    expect(p[4]).toMatchObject({ dst: { ip: "127.0.0.1", port: 5070 } });
    expect(p.at(-1)).toMatchObject({ src: { ip: "198.51.100.3", port: 5080 } });
  });
});

describe.skipIf(!hasTshark())("tshark reads the capture", () => {
  it("decodes every message as SIP, in order, at its timestamp", () => {
    const dir = mkdtempSync(join(tmpdir(), "ringfleet-pcap-"));
    try {
      const file = join(dir, "trace.pcap");
      writeFileSync(file, traceToPcap(trace));
      const out = execFileSync(
        "tshark",
        ["-r", file, "-Y", "sip", "-T", "fields", "-E", "separator=|", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "sdp.media.port", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"],
        { encoding: "utf8" },
      );
      const rows = out.trim().split("\n").map((l) => l.split("|"));
      expect(rows).toHaveLength(trace.length);
      expect(rows.map((r) => r[4] || r[5])).toEqual(["REGISTER", "401", "REGISTER", "200", "INVITE", "INVITE", "100", "180", "200", "ACK", "BYE", "200"]);
      expect(rows.map((r) => Math.round(Number(r[0]) * 1000))).toEqual(trace.map((e) => e.t));
      expect(rows[4]!.slice(1, 4)).toEqual(["127.0.0.1", "5090", "5070"]);
      expect(rows[8]![6]).toBe("40002");
      // No malformed packets and no bad checksums.
      const expert = execFileSync("tshark", ["-r", file, "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-Y", "_ws.malformed || _ws.expert.severity >= error || udp.checksum.status == 0 || ip.checksum.status == 0"], { encoding: "utf8" });
      expect(expert.trim()).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
