/** `GET /api/v1/plan`: the active org's plan limits, credit balance and what its running tests hold now. */
import { Hono } from "hono";
import { eq } from "drizzle-orm";
import type { PlanInfo } from "../../../protocol/index.js";
import type { AppEnv } from "../app-env.js";
import { schema } from "../lib/db.js";
import { ok } from "../lib/respond.js";
import { UNMETERED_BALANCE } from "../objects/QuotaObject.js";
import { SELF_HOSTED_LIMITS, type PlanLimits } from "../runs/quota.js";

export const planRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const orgId = c.get("principal").orgId;
  const org = (await c.get("db").select().from(schema.orgs).where(eq(schema.orgs.id, orgId)).limit(1))[0];
  const limits: PlanLimits = { ...SELF_HOSTED_LIMITS, ...((org?.planLimits as Partial<PlanLimits> | null) ?? {}) };
  const state = await c.env.QUOTAS.get(c.env.QUOTAS.idFromName(orgId)).describe();
  // Before the org's first run its quota object holds nothing yet: the org row's credits are the balance.
  const fresh = state.reservations.length === 0 && state.balance === UNMETERED_BALANCE;
  const balance = fresh ? (org?.credits ?? null) : state.balance === UNMETERED_BALANCE ? null : state.balance;
  const info: PlanInfo = {
    limits,
    credits: { balance, reserved: state.reservations.reduce((n, r) => n + r.credits, 0) },
    usage: { runningRuns: state.reservations.length, runningEndpoints: state.reservations.reduce((n, r) => n + r.endpoints, 0) },
  };
  return ok(c, info);
});
