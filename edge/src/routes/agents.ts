import { Hono } from "hono";
import type { AppEnv } from "../app-env.js";
import { ok } from "../lib/respond.js";

export const agentRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const fleet = c.env.FLEETS.get(c.env.FLEETS.idFromName(c.get("principal").orgId));
  return ok(c, await fleet.listAgents());
});
