/**
 * Throwaway network namespaces for media tests: two endpoint namespaces joined through a middle
 * namespace by veth pairs, with addresses from 10.200.<n>.0/24 that exist only inside those
 * namespaces (nothing is added to the root namespace).
 *
 * Everything created here is recorded; `destroyAll()` removes it (deleting a namespace removes its
 * veth ends and their peers with it). Names carry this process's pid so concurrent runs do not
 * collide and only our own namespaces are ever deleted.
 *
 * Needs root and iproute2 (`ip`; `tc` only for the netem probe).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const created = new Set<string>();

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
}

/** True when running as root and `ip` plus the given extra tools are on the usual PATH dirs. */
export function canUseNetns(extraTools: readonly string[] = []): boolean {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return false;
  for (const tool of ["ip", ...extraTools]) {
    const found = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].some((d) => existsSync(`${d}/${tool}`));
    if (!found) return false;
  }
  return true;
}

export interface RelayedLink {
  /** Namespaces of the two endpoints and of the middle box (the relay). */
  nsA: string;
  nsM: string;
  nsB: string;
  /** veth ends: devA (in a) ↔ devMA (in m), devMB (in m) ↔ devB (in b). */
  devA: string;
  devMA: string;
  devMB: string;
  devB: string;
  /** a's address and m's address on the a side (10.200.<i>.0/30). */
  addrA: string;
  addrMA: string;
  /** m's address on the b side and b's address (10.200.<i>.4/30). */
  addrMB: string;
  addrB: string;
}

function vethBetween(ns1: string, dev1: string, addr1: string, ns2: string, dev2: string, addr2: string): void {
  // Created inside ns1 with its peer moved straight into ns2: nothing appears in the root namespace.
  run("ip", ["-n", ns1, "link", "add", dev1, "type", "veth", "peer", "name", dev2, "netns", ns2]);
  run("ip", ["-n", ns1, "addr", "add", `${addr1}/30`, "dev", dev1]);
  run("ip", ["-n", ns2, "addr", "add", `${addr2}/30`, "dev", dev2]);
  run("ip", ["-n", ns1, "link", "set", dev1, "up"]);
  run("ip", ["-n", ns2, "link", "set", dev2, "up"]);
}

/**
 * Three namespaces `<tag>-a`, `<tag>-m`, `<tag>-b` in a line: a —veth— m —veth— b, addresses
 * 10.200.<index>.1 (a) / .2 (m) and 10.200.<index>.5 (m) / .6 (b). No routing between a and b:
 * they reach each other only through a process in m that relays (and impairs) their packets.
 */
export function createRelayedLink(index: number): RelayedLink {
  if (!Number.isInteger(index) || index < 0 || index > 255) throw new Error("link index out of range");
  const tag = `rft${process.pid}-${index}`;
  const [nsA, nsM, nsB] = [`${tag}-a`, `${tag}-m`, `${tag}-b`];
  // Interface names are per namespace; keep them short (≤ 15 characters) and recognisable.
  const [devA, devMA, devMB, devB] = [`rfa${index}`, `rfma${index}`, `rfmb${index}`, `rfb${index}`];
  const base = `10.200.${index}`;
  const link: RelayedLink = { nsA, nsM, nsB, devA, devMA, devMB, devB, addrA: `${base}.1`, addrMA: `${base}.2`, addrMB: `${base}.5`, addrB: `${base}.6` };
  try {
    for (const ns of [nsA, nsM, nsB]) {
      run("ip", ["netns", "add", ns]);
      created.add(ns);
      run("ip", ["-n", ns, "link", "set", "lo", "up"]);
    }
    vethBetween(nsA, devA, link.addrA, nsM, devMA, link.addrMA);
    vethBetween(nsM, devMB, link.addrMB, nsB, devB, link.addrB);
  } catch (err) {
    for (const ns of [nsA, nsM, nsB]) destroyNamespace(ns);
    throw err;
  }
  return link;
}

/**
 * Whether this kernel has sch_netem: tried on a veth pair in a throwaway namespace of ours.
 * (Some VM kernels ship without it; the media-truth test then impairs in user space.)
 */
export function netemAvailable(): boolean {
  const ns = `rft${process.pid}-probe`;
  try {
    run("ip", ["netns", "add", ns]);
    created.add(ns);
    run("ip", ["-n", ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1"]);
    run("ip", ["netns", "exec", ns, "tc", "qdisc", "add", "dev", "p0", "root", "netem", "delay", "1ms"]);
    return true;
  } catch {
    return false;
  } finally {
    destroyNamespace(ns);
  }
}

/** Delete one namespace we created (its veth ends go with it). Never throws. */
export function destroyNamespace(ns: string): void {
  if (!created.has(ns)) return;
  try {
    run("ip", ["netns", "delete", ns]);
  } catch {
    /* already gone */
  }
  created.delete(ns);
}

/** Delete every namespace this process created. Never throws. */
export function destroyAll(): void {
  for (const ns of [...created]) destroyNamespace(ns);
}

/** Namespaces this process created and has not deleted yet. */
export function liveNamespaces(): string[] {
  return [...created];
}
