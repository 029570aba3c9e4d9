/**
 * Allocation of a run's endpoints to agents, pure. Each group goes to ONLINE agents of its region
 * (any region when null), spread by free capacity: the agent with the most free capacity takes the
 * next endpoint, so load evens out across the fleet.
 */
import type { CannotRunReason } from "../../../protocol/index.js";

export interface AgentCapacity {
  id: string;
  region: string;
  status: "ONLINE" | "OFFLINE" | "DRAINING" | "ERROR";
  capacity: number;
  /** Endpoints already reserved by other runs. */
  reserved: number;
}
export interface GroupDemand {
  group: string;
  region: string | null;
  /** Explicit assignment: only these agents; null = the region's (or any) ONLINE agents. */
  agents?: string[] | null;
  endpoints: number;
}
export type Allocation =
  | { ok: true; perGroup: Map<string, string[]>; perAgent: Map<string, number> }
  | { ok: false; reasonCode: CannotRunReason; reason: string };

export function allocate(agents: AgentCapacity[], demand: GroupDemand[]): Allocation {
  const free = new Map(agents.filter((a) => a.status === "ONLINE").map((a) => [a.id, Math.max(0, a.capacity - a.reserved)]));
  const online = agents.filter((a) => a.status === "ONLINE");
  if (online.length === 0)
    return { ok: false, reasonCode: "NO_ONLINE_AGENT", reason: "No agent is ONLINE. Start an agent (see the Agents page) and run the test again." };
  const perGroup = new Map<string, string[]>();
  const perAgent = new Map<string, number>();
  for (const g of demand) {
    if (g.agents) {
      const missing = g.agents.filter((id) => !online.some((a) => a.id === id));
      if (missing.length)
        return { ok: false, reasonCode: "NO_ONLINE_AGENT", reason: `Group "${g.group}" is assigned to agent${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, not ONLINE.` };
    }
    const candidates = online.filter((a) => (g.agents ? g.agents.includes(a.id) : g.region === null || a.region === g.region));
    if (candidates.length === 0)
      return { ok: false, reasonCode: "NO_ONLINE_AGENT", reason: `No agent is ONLINE in region "${g.region}" for group "${g.group}".` };
    const available = candidates.reduce((n, a) => n + (free.get(a.id) ?? 0), 0);
    if (available < g.endpoints)
      return {
        ok: false,
        reasonCode: "INSUFFICIENT_AGENT_CAPACITY",
        reason: `Group "${g.group}" needs ${g.endpoints} endpoints but ${g.agents ? "its assigned agents" : `ONLINE agents${g.region ? ` in region "${g.region}"` : ""}`} have ${available} free.`,
      };
    const slots: string[] = [];
    for (let i = 0; i < g.endpoints; i++) {
      let best = candidates[0]!;
      for (const a of candidates) if ((free.get(a.id) ?? 0) > (free.get(best.id) ?? 0)) best = a;
      free.set(best.id, (free.get(best.id) ?? 0) - 1);
      perAgent.set(best.id, (perAgent.get(best.id) ?? 0) + 1);
      slots.push(best.id);
    }
    perGroup.set(g.group, slots);
  }
  return { ok: true, perGroup, perAgent };
}
