/**
 * QuotaObject — one per org: its running runs' reservations and its credit balance. A Durable
 * Object handles one call at a time, so check-and-reserve is atomic: of two runs racing for the
 * last capacity exactly one gets it. The arithmetic is the pure `runs/quota.ts`.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { release, reserve, type PlanLimits, type QuotaDecision, type QuotaState, type Reservation } from "../runs/quota.js";

/** Balance of an unmetered org (self-hosted): large enough never to refuse, finite so it stores as JSON. */
export const UNMETERED_BALANCE = Number.MAX_SAFE_INTEGER;

export class QuotaObject extends DurableObject<Env> {
  private async load(initialCredits: number | null): Promise<QuotaState> {
    return (await this.ctx.storage.get<QuotaState>("state")) ?? { balance: initialCredits ?? UNMETERED_BALANCE, reservations: [] };
  }

  async reserve(r: Reservation, limits: PlanLimits, initialCredits: number | null): Promise<Exclude<QuotaDecision, { ok: true }> | { ok: true }> {
    const d = reserve(await this.load(initialCredits), limits, r);
    if (!d.ok) return d;
    await this.ctx.storage.put("state", d.state);
    return { ok: true };
  }

  async release(runId: string, usedCredits: number): Promise<{ charged: number; balance: number }> {
    const state = await this.load(null);
    const r = release(state, runId, usedCredits);
    await this.ctx.storage.put("state", r.state);
    return { charged: r.charged, balance: r.state.balance };
  }

  async describe(): Promise<QuotaState> {
    return this.load(null);
  }
}
