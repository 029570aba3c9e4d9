/**
 * Per-group live figures for the run page, from the endpoint list the run socket keeps current
 * (the snapshot has every endpoint; ticks update the changed ones). Pure, so it is unit-tested.
 */
import { isErrorOutcome, type LiveEndpoint } from "../../../protocol/index.js";

export interface GroupStats {
  group: string;
  endpoints: number;
  registered: number;
  inCall: number;
  setup: number;
  success: number;
  errors: number;
  /** Mean of the endpoints' last MOS (null when none reported). */
  mos: number | null;
  /** Lowest last MOS in the group (the endpoint to look at first). */
  worstMos: number | null;
}

const SETUP = new Set(["CALLING", "RINGING", "NEGOTIATING"]);
const PAST_REGISTRATION = new Set(["REGISTERED", "CALLING", "RINGING", "NEGOTIATING", "INCALL", "DISCONNECTING"]);

export function groupStats(endpoints: readonly LiveEndpoint[], order: readonly string[] = []): GroupStats[] {
  const by = new Map<string, GroupStats & { mosSum: number; mosN: number }>();
  for (const name of order) by.set(name, blank(name));
  for (const e of endpoints) {
    let g = by.get(e.group);
    if (!g) by.set(e.group, (g = blank(e.group)));
    g.endpoints++;
    if (PAST_REGISTRATION.has(e.phase) || (e.phase === "CLOSED" && e.outcome !== "REGISTRATION_FAILED" && e.outcome !== null)) g.registered++;
    if (e.phase === "INCALL") g.inCall++;
    if (SETUP.has(e.phase)) g.setup++;
    if (e.outcome === "SUCCESS" || e.outcome === "COMPLETED_WITH_WARNINGS") g.success++;
    if (e.outcome && isErrorOutcome(e.outcome)) g.errors++;
    if (e.mos !== null && Number.isFinite(e.mos)) {
      g.mosSum += e.mos;
      g.mosN++;
      g.worstMos = g.worstMos === null ? e.mos : Math.min(g.worstMos, e.mos);
    }
  }
  return [...by.values()].map(({ mosSum, mosN, ...g }) => ({ ...g, mos: mosN ? Math.round((mosSum / mosN) * 100) / 100 : null }));
}

function blank(group: string): GroupStats & { mosSum: number; mosN: number } {
  return { group, endpoints: 0, registered: 0, inCall: 0, setup: 0, success: 0, errors: 0, mos: null, worstMos: null, mosSum: 0, mosN: 0 };
}

/**
 * Run-level rates, live from the endpoint list: registration rate = endpoints that registered
 * (% of all); call success = callers whose call was answered and did not end in an error (% of
 * callers). The run summary computes the same at the end (edge/src/runs/aggregate.ts summarize).
 */
export function liveRates(endpoints: readonly LiveEndpoint[]): { registrationRate: number | null; callSuccessRate: number | null } {
  let registered = 0;
  let callers = 0;
  let answered = 0;
  for (const e of endpoints) {
    if (PAST_REGISTRATION.has(e.phase) || (e.phase === "CLOSED" && e.outcome !== "REGISTRATION_FAILED" && e.outcome !== null)) registered++;
    if (e.role !== "CALLER") continue;
    callers++;
    const inCall = e.phase === "INCALL" || e.phase === "DISCONNECTING";
    if ((inCall && !(e.outcome && isErrorOutcome(e.outcome))) || e.outcome === "SUCCESS" || e.outcome === "COMPLETED_WITH_WARNINGS") answered++;
  }
  const pct = (n: number, d: number) => (d > 0 ? Math.round((1000 * n) / d) / 10 : null);
  return { registrationRate: pct(registered, endpoints.length), callSuccessRate: pct(answered, callers) };
}
