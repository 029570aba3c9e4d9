import { describe, expect, it } from "vitest";
import { allocate, type AgentCapacity } from "./allocate.js";

const agent = (id: string, region: string, capacity: number, reserved = 0, status: AgentCapacity["status"] = "ONLINE"): AgentCapacity => ({ id, region, capacity, reserved, status });

describe("allocate", () => {
  it("spreads endpoints by free capacity, leaving the fleet evenly loaded", () => {
    // a has 10 free, b has 4: a takes 7 and b 1, so both end with 3 free.
    const r = allocate([agent("a", "eu", 10), agent("b", "eu", 10, 6)], [{ group: "G", region: "eu", endpoints: 8 }]);
    if (!r.ok) throw new Error(r.reason);
    expect(r.perAgent.get("a")).toBe(7);
    expect(r.perAgent.get("b")).toBe(1);
  });
  it("only uses ONLINE agents of the group's region", () => {
    const agents = [agent("a", "eu", 10, 0, "OFFLINE"), agent("b", "us", 10), agent("c", "eu", 10, 0, "DRAINING")];
    expect(allocate(agents, [{ group: "G", region: "eu", endpoints: 1 }])).toMatchObject({ ok: false, reasonCode: "NO_ONLINE_AGENT" });
    expect(allocate([], [{ group: "G", region: null, endpoints: 1 }])).toMatchObject({ ok: false, reasonCode: "NO_ONLINE_AGENT" });
  });
  it("refuses when free capacity is short, saying how much is free", () => {
    const r = allocate([agent("a", "eu", 10, 8)], [{ group: "G", region: null, endpoints: 3 }]);
    expect(r).toMatchObject({ ok: false, reasonCode: "INSUFFICIENT_AGENT_CAPACITY" });
    if (!r.ok) expect(r.reason).toContain("have 2 free");
  });
  it("honours an explicit agent list, naming agents that are not ONLINE", () => {
    const agents = [agent("a", "eu", 10), agent("b", "eu", 10), agent("c", "us", 10, 0, "OFFLINE")];
    const r = allocate(agents, [{ group: "G", region: null, agents: ["b"], endpoints: 4 }]);
    if (!r.ok) throw new Error(r.reason);
    expect([...r.perAgent.keys()]).toEqual(["b"]);
    expect(allocate(agents, [{ group: "G", region: null, agents: ["b", "c"], endpoints: 1 }])).toMatchObject({ ok: false, reasonCode: "NO_ONLINE_AGENT", reason: expect.stringContaining("agent c, not ONLINE") });
    expect(allocate(agents, [{ group: "G", region: null, agents: ["a"], endpoints: 11 }])).toMatchObject({ ok: false, reasonCode: "INSUFFICIENT_AGENT_CAPACITY", reason: expect.stringContaining("its assigned agents have 10 free") });
  });
  it("counts capacity used by earlier groups of the same run", () => {
    const r = allocate([agent("a", "eu", 4)], [{ group: "A", region: null, endpoints: 3 }, { group: "B", region: null, endpoints: 2 }]);
    expect(r).toMatchObject({ ok: false, reasonCode: "INSUFFICIENT_AGENT_CAPACITY" });
  });
});
