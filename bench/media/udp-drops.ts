/**
 * Kernel UDP counters for the media benchmark: per-socket receive drops from /proc/net/udp (the
 * `drops` column: datagrams the kernel discarded because that socket's buffer was full), summed
 * over a local port range, and the machine-wide /proc/net/snmp `Udp:` counters.
 */
import { readFileSync } from "node:fs";

/** Sum of `drops` of the IPv4 UDP sockets bound to local ports in [lo, hi]. */
export function socketDrops(lo: number, hi: number): { sockets: number; drops: number } {
  let sockets = 0;
  let drops = 0;
  const lines = readFileSync("/proc/net/udp", "utf8").split("\n");
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 13) continue;
    const port = parseInt(f[1]!.split(":")[1]!, 16);
    if (port < lo || port > hi) continue;
    sockets++;
    drops += Number(f[f.length - 1]);
  }
  return { sockets, drops };
}

/** /proc/net/snmp `Udp:` counters (InDatagrams, RcvbufErrors, InErrors, SndbufErrors…), machine-wide. */
export function udpSnmp(): Record<string, number> {
  const lines = readFileSync("/proc/net/snmp", "utf8").split("\n").filter((l) => l.startsWith("Udp:"));
  const head = lines[0]!.split(/\s+/).slice(1);
  const vals = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(head.map((h, i) => [h, vals[i]!]));
}

export function snmpDelta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
}

/** CPU seconds of a process (all its threads): utime (user mode) and stime (kernel mode, which for
 * a UDP-bound program is mostly the datagram path: sendmsg, loopback delivery, wake-ups, epoll). */
export interface ProcessCpu {
  user: number;
  system: number;
}

/** utime and stime from /proc/<pid>/stat, seconds; NaN once the process is gone. */
export function processCpu(pid: number): ProcessCpu {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    // CLK_TCK = 100 on Linux x86-64
    return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/** utime + stime of a process (all its threads), seconds. */
export function processCpuS(pid: number): number {
  const c = processCpu(pid);
  return c.user + c.system;
}
