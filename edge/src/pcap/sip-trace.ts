/**
 * An endpoint's SIP trace as UDP packets for the pcap writer. The trace records the remote side
 * (`host:port`) of every message but not our own address, so that is read from the messages: the
 * top Via of a request we sent, or of a response we received, is ours (RFC 3261 §18.1.1, §18.2.2).
 * Addresses that are not IPv4 (names, IPv6, 0.0.0.0) are replaced by stable documentation addresses
 * (RFC 5737) so the capture still opens; the SIP text itself is unchanged.
 */
import type { SipTraceEntry } from "../../../protocol/index.js";
import { parseIpv4, writePcap, type UdpEndpoint, type UdpPacket } from "./pcap.js";

/** Default SIP port (RFC 3261 §19.1.2). */
export const SIP_DEFAULT_PORT = 5060;
/** TEST-NET-1 for our side when the trace does not say (RFC 5737). */
export const FALLBACK_LOCAL_IP = "192.0.2.1";
/** TEST-NET-2 prefix for remote parties that are not IPv4 literals (RFC 5737). */
const FALLBACK_REMOTE_PREFIX = "198.51.100.";

const usableIpv4 = (ip: string) => parseIpv4(ip) !== null && ip !== "0.0.0.0";

/** `udp 10.0.0.1:5060`, `10.0.0.1:5060`, `[::1]:5060`, `::1:5060` → host and port. */
export function splitHostPort(s: string): { host: string; port: number } {
  const a = s.trim().replace(/^[A-Za-z]+\s+/, "");
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(a);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : SIP_DEFAULT_PORT };
  const i = a.lastIndexOf(":");
  if (i > 0 && /^\d{1,5}$/.test(a.slice(i + 1))) return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
  return { host: a, port: SIP_DEFAULT_PORT };
}

/** sent-by of the top Via (`SIP/2.0/UDP 10.0.0.5:5072;branch=…`), or null. */
export function topViaSentBy(text: string): { host: string; port: number } | null {
  const head = text.split(/\r?\n\r?\n/, 1)[0] ?? "";
  for (const line of head.split(/\r?\n/).slice(1)) {
    const m = /^(?:via|v)\s*:\s*SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z]+\s+([^;,\s]+)/i.exec(line);
    if (m) return splitHostPort(m[1]!);
  }
  return null;
}

const isResponse = (text: string) => /^SIP\/2\.0\s+\d{3}/i.test(text);

/** Our own address as the messages state it, or the documentation fallback. */
export function localAddressOf(trace: readonly SipTraceEntry[]): UdpEndpoint {
  for (const e of trace) {
    const ours = (e.dir === "out") !== isResponse(e.text); // request sent, or response received
    if (!ours) continue;
    const via = topViaSentBy(e.text);
    if (via && usableIpv4(via.host)) return { ip: via.host, port: via.port };
    if (via) return { ip: FALLBACK_LOCAL_IP, port: via.port };
  }
  return { ip: FALLBACK_LOCAL_IP, port: SIP_DEFAULT_PORT };
}

export function traceToPackets(trace: readonly SipTraceEntry[]): UdpPacket[] {
  const local = localAddressOf(trace);
  const remotes = new Map<string, UdpEndpoint>();
  const remoteOf = (r: string): UdpEndpoint => {
    let ep = remotes.get(r);
    if (!ep) {
      const { host, port } = splitHostPort(r);
      ep = { ip: usableIpv4(host) ? host : FALLBACK_REMOTE_PREFIX + (remotes.size + 1), port };
      remotes.set(r, ep);
    }
    return ep;
  };
  const enc = new TextEncoder();
  return trace.map((e) => {
    const remote = remoteOf(e.remote);
    return { t: e.t, src: e.dir === "out" ? local : remote, dst: e.dir === "out" ? remote : local, payload: enc.encode(e.text) };
  });
}

export const traceToPcap = (trace: readonly SipTraceEntry[]): Uint8Array<ArrayBuffer> => writePcap(traceToPackets(trace));
