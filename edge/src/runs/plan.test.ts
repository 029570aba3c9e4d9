import { describe, expect, it } from "vitest";
import { EndpointSpec, TestGroup } from "../../../protocol/index.js";
import { buildRunPlan, parseHostPort, resolveTarget, targetInGroup, type PlanInput } from "./plan.js";

const registrar = { id: "reg1", name: "PBX", domain: "pbx.test", port: null, transport: "UDP" as const, outboundProxy: null };
const accounts = (n: number) => Array.from({ length: n }, (_, i) => ({ username: String(100 + i), authUsername: null, password: "p", realm: null }));
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  runId: "run_1", durationSec: 20, buildupSec: 0,
  groups: [
    { name: "A", registrarId: "reg1", endpoints: 2, codec: "PCMU", region: null, agents: null, srtp: "SDES", callee: { type: "GROUP", group: "B" } },
    { name: "B", registrarId: "reg1", endpoints: 3, codec: "PCMU", region: null, agents: null, srtp: "OFF", callee: { type: "RECEIVE" } },
  ],
  registrars: new Map([["reg1", registrar]]),
  accounts: new Map([["reg1", accounts(5)]]),
  ...over,
});

describe("buildRunPlan", () => {
  it("gives each group distinct accounts in username order and the registrar's default port", () => {
    const plan = buildRunPlan(input());
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.endpoints.map((e) => e.spec.account.username)).toEqual(["100", "101", "102", "103", "104"]);
    expect(plan.endpoints.map((e) => e.spec.role)).toEqual(["CALLER", "CALLER", "RECEIVER", "RECEIVER", "RECEIVER"]);
    expect(plan.endpoints[0]!.spec.registrar).toEqual({ domain: "pbx.test", host: "pbx.test", port: 5060, transport: "UDP", outboundProxy: false });
    expect(new Set(plan.endpoints.map((e) => e.spec.id)).size).toBe(5);
    // SRTP is per group: only group A's endpoints carry it.
    expect(plan.endpoints.map((e) => e.spec.srtp ?? "OFF")).toEqual(["SDES", "SDES", "OFF", "OFF", "OFF"]);
    // DTLS-SRTP is carried the same way.
    const dtls = buildRunPlan(input({ groups: input().groups.map((g) => ({ ...g, srtp: "DTLS" as const })) }));
    if (!dtls.ok) throw new Error(dtls.reason);
    expect(dtls.endpoints.map((e) => e.spec.srtp)).toEqual(["DTLS", "DTLS", "DTLS", "DTLS", "DTLS"]);
  });

  it("carries each group's codec, Opus included, into its endpoints' specs", () => {
    expect(TestGroup.safeParse({ name: "o", registrarId: "reg1", endpoints: 1, codec: "OPUS", callee: { type: "RECEIVE" } }).success).toBe(true);
    expect(TestGroup.safeParse({ name: "o", registrarId: "reg1", endpoints: 1, codec: "opus", callee: { type: "RECEIVE" } }).success).toBe(false);
    const plan = buildRunPlan(input({ groups: input().groups.map((g, i) => ({ ...g, codec: i === 0 ? ("OPUS" as const) : ("G722" as const) })) }));
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.endpoints.map((e) => e.spec.codec)).toEqual(["OPUS", "OPUS", "G722", "G722", "G722"]);
    // The codec field of the spec the agent receives (protocol/wire.ts) takes it.
    for (const e of plan.endpoints) expect(EndpointSpec.shape.codec.safeParse(e.spec.codec).success).toBe(true);
  });

  it("says which group lacks accounts, and how many", () => {
    const plan = buildRunPlan(input({ accounts: new Map([["reg1", accounts(4)]]) }));
    expect(plan).toMatchObject({ ok: false, reasonCode: "INSUFFICIENT_SIP_ACCOUNTS" });
    if (!plan.ok) expect(plan.reason).toContain('Group "B" needs 3 SIP accounts on registrar "PBX" but only 2 are available');
  });

  it("reports a missing registrar", () => {
    expect(buildRunPlan(input({ registrars: new Map() }))).toMatchObject({ ok: false, reasonCode: "REGISTRAR_MISSING" });
  });

  it("sends to the outbound proxy while keeping the registrar's domain", () => {
    const plan = buildRunPlan(input({ registrars: new Map([["reg1", { ...registrar, outboundProxy: "sbc.test:5080" }]]) }));
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.endpoints[0]!.spec.registrar).toMatchObject({ domain: "pbx.test", host: "sbc.test", port: 5080, outboundProxy: true });
  });

  it("spreads registrations over the buildup window", () => {
    const plan = buildRunPlan(input({ buildupSec: 10 }));
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.endpoints.map((e) => e.spec.startDelayMs)).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it("pairs caller i with receiver i mod n", () => {
    const plan = buildRunPlan(input());
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.endpoints.slice(0, 2).map((e) => resolveTarget(e.target, plan.endpoints))).toEqual(["sip:102@pbx.test", "sip:103@pbx.test"]);
    expect(resolveTarget({ type: "URI", uri: "sip:echo@x" }, plan.endpoints)).toBe("sip:echo@x");
  });

  it("resolves a target from its group's receivers alone, as resolveTarget does from every endpoint", () => {
    const plan = buildRunPlan(input());
    if (!plan.ok) throw new Error(plan.reason);
    for (const e of plan.endpoints) {
      const target = e.target;
      if (target?.type !== "GROUP") continue;
      const group = plan.endpoints.filter((x) => x.spec.group === target.group);
      expect(targetInGroup(target, group)).toBe(resolveTarget(e.target, plan.endpoints));
    }
    expect(targetInGroup({ type: "GROUP", group: "none", index: 3 }, [])).toBeNull();
  });
});

describe("parseHostPort", () => {
  it("reads host, host:port and [v6]:port", () => {
    expect(parseHostPort("a.test", 5060)).toEqual({ host: "a.test", port: 5060 });
    expect(parseHostPort("a.test:5080", 5060)).toEqual({ host: "a.test", port: 5080 });
    expect(parseHostPort("[::1]:5070", 5060)).toEqual({ host: "::1", port: 5070 });
  });
});
