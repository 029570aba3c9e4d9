import { Hono, type Context } from "hono";
import { and, eq } from "drizzle-orm";
import type { AppEnv } from "../app-env.js";
import { schema } from "../lib/db.js";
import { notFound } from "../lib/errors.js";
import { ok } from "../lib/respond.js";

/** The project, if it belongs to the caller's org; 404 otherwise (no existence leak across orgs). */
export async function requireProject(c: Context<AppEnv>, projectId: string) {
  const db = c.get("db");
  const row = (
    await db.select().from(schema.projects).where(and(eq(schema.projects.id, projectId), eq(schema.projects.orgId, c.get("principal").orgId))).limit(1)
  )[0];
  if (!row) throw notFound("project", projectId);
  return row;
}

export const projectRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const rows = await c.get("db").select().from(schema.projects).where(eq(schema.projects.orgId, c.get("principal").orgId));
  return ok(c, rows);
});
