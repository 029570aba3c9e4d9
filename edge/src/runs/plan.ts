/**
 * Pre-run planning, pure: turn a test (as stored) into the run's endpoint list, assigning SIP
 * accounts from each group's registrar, or say exactly why the run cannot start.
 * Account assignment is deterministic (accounts sorted by username, groups in test order) so a
 * re-run of the same test uses the same accounts, which keeps traces comparable across runs.
 */
import type { CannotRunReason, EndpointSpec, TestGroup } from "../../../protocol/index.js";
import type { SipTransport, AudioCodec, RegistrarTls } from "../../../protocol/index.js";

export interface PlanRegistrar {
  id: string;
  name: string;
  domain: string;
  port: number | null;
  transport: SipTransport;
  outboundProxy: string | null;
  tls?: RegistrarTls | null;
}
export interface PlanAccount {
  username: string;
  authUsername: string | null;
  password: string;
  realm: string | null;
}
export interface PlanInput {
  runId: string;
  durationSec: number;
  buildupSec: number;
  groups: TestGroup[];
  registrars: Map<string, PlanRegistrar>;
  accounts: Map<string, PlanAccount[]>;
}
/** Where a caller's call goes, before receivers are known to be registered. */
export type PlannedTarget = { type: "GROUP"; group: string; index: number } | { type: "URI"; uri: string } | null;
export interface PlannedEndpoint {
  spec: Omit<EndpointSpec, "target">;
  index: number;
  region: string | null;
  target: PlannedTarget;
}
export type PlanResult =
  | { ok: true; endpoints: PlannedEndpoint[] }
  | { ok: false; reasonCode: CannotRunReason; reason: string };

/** Default ports per transport (RFC 3261 §19.1.2 and §26.2). */
export const DEFAULT_SIP_PORT: Record<SipTransport, number> = { UDP: 5060, TCP: 5060, TLS: 5061 };

export function parseHostPort(value: string, fallbackPort: number): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value);
  if (!m) return { host: value, port: fallbackPort };
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port: m[2] ? Number(m[2]) : fallbackPort };
}

export function buildRunPlan(input: PlanInput): PlanResult {
  const used = new Map<string, number>(); // registrarId → accounts already handed out
  const endpoints: PlannedEndpoint[] = [];
  let serial = 0;
  const total = input.groups.reduce((n, g) => n + g.endpoints, 0);
  for (const group of input.groups) {
    const registrar = input.registrars.get(group.registrarId);
    if (!registrar)
      return { ok: false, reasonCode: "REGISTRAR_MISSING", reason: `Group "${group.name}" uses registrar ${group.registrarId}, which no longer exists.` };
    const pool = [...(input.accounts.get(registrar.id) ?? [])].sort((a, b) => a.username.localeCompare(b.username, "en", { numeric: true }));
    const offset = used.get(registrar.id) ?? 0;
    const free = pool.length - offset;
    if (free < group.endpoints) {
      const others = offset > 0 ? ` (earlier groups of this test use ${offset} of its ${pool.length})` : "";
      return {
        ok: false,
        reasonCode: "INSUFFICIENT_SIP_ACCOUNTS",
        reason: `Group "${group.name}" needs ${group.endpoints} SIP accounts on registrar "${registrar.name}" but only ${Math.max(free, 0)} are available${others}. Add accounts or reduce the group's endpoints.`,
      };
    }
    used.set(registrar.id, offset + group.endpoints);
    const proxy = registrar.outboundProxy ? parseHostPort(registrar.outboundProxy, DEFAULT_SIP_PORT[registrar.transport]) : null;
    for (let i = 0; i < group.endpoints; i++) {
      const account = pool[offset + i]!;
      const role = group.callee.type === "RECEIVE" ? "RECEIVER" : "CALLER";
      endpoints.push({
        index: i,
        region: group.region,
        target:
          group.callee.type === "GROUP"
            ? { type: "GROUP", group: group.callee.group, index: i }
            : group.callee.type === "EXTERNAL"
              ? { type: "URI", uri: group.callee.uri }
              : null,
        spec: {
          id: `${input.runId}.${group.name}.${i}`.replace(/[^A-Za-z0-9_.-]/g, "_") + `.${serial}`,
          group: group.name,
          role,
          account: {
            username: account.username,
            authUsername: account.authUsername ?? account.username,
            password: account.password,
            realm: account.realm,
          },
          registrar: {
            domain: registrar.domain,
            host: proxy ? proxy.host : registrar.domain,
            port: proxy ? proxy.port : (registrar.port ?? DEFAULT_SIP_PORT[registrar.transport]),
            transport: registrar.transport,
            outboundProxy: proxy !== null,
            ...(registrar.transport === "TLS" && registrar.tls ? { tls: tlsSpec(registrar.tls) } : {}),
          },
          codec: group.codec as AudioCodec,
          ...(group.srtp === "SDES" || group.srtp === "DTLS" ? { srtp: group.srtp } : {}),
          durationSec: input.durationSec,
          // Spread registrations evenly over the buildup window (no REGISTER storm).
          startDelayMs: total > 1 ? Math.round((input.buildupSec * 1000 * serial) / total) : 0,
        },
      });
      serial++;
    }
  }
  return { ok: true, endpoints };
}

/**
 * Resolve a caller's target once receivers are registered: caller i of a group calls receiver
 * (i mod n) of the target group, at that receiver's address of record.
 */
export function resolveTarget(target: PlannedTarget, endpoints: PlannedEndpoint[]): string | null {
  if (!target || target.type === "URI") return target?.uri ?? null;
  return targetInGroup(target, endpoints.filter((e) => e.spec.group === target.group));
}

/**
 * The same, given the target group's endpoints already (in index order): O(1) per caller, so
 * dispatching 5,000 callers to 5,000 receivers does not filter the receivers 5,000 times.
 */
export function targetInGroup(target: Extract<PlannedTarget, { type: "GROUP" }>, groupEndpoints: readonly PlannedEndpoint[]): string | null {
  if (groupEndpoints.length === 0) return null;
  const r = groupEndpoints[target.index % groupEndpoints.length]!;
  return `sip:${r.spec.account.username}@${r.spec.registrar.domain}`;
}

/** The registrar's TLS settings as the agent's transport takes them (protocol/wire.ts EndpointSpec). */
function tlsSpec(t: RegistrarTls): NonNullable<EndpointSpec["registrar"]["tls"]> {
  return {
    verify: t.verify,
    ...(t.ca ? { ca: t.ca } : {}),
    ...(t.clientCert && t.clientKey ? { cert: t.clientCert, key: t.clientKey } : {}),
    ...(t.serverName ? { serverName: t.serverName } : {}),
  };
}
