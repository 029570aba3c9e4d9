/** `GET /me`: the signed-in person (or the token's owner), their orgs with roles, and those orgs' projects. */
import { Hono } from "hono";
import { asc, eq, inArray } from "drizzle-orm";
import type { Me, OrgRole } from "../../../protocol/index.js";
import type { AppEnv } from "../app-env.js";
import { membershipsOf } from "../lib/auth.js";
import { schema, type Db } from "../lib/db.js";
import { ok } from "../lib/respond.js";

export async function meFor(db: Db, userId: string | null, tokenOrgId: string | null, auth: Me["auth"], activeOrgId?: string): Promise<Me> {
  const user = userId ? (await db.select().from(schema.users).where(eq(schema.users.id, userId)).limit(1))[0] : undefined;
  let orgs: Me["orgs"];
  if (auth === "session") {
    orgs = (await membershipsOf(db, userId!)).map((m) => ({ id: m.orgId, name: m.name, role: m.role as OrgRole }));
  } else {
    // A token acts in its own org only, with its owner's role there.
    const org = (await db.select().from(schema.orgs).where(eq(schema.orgs.id, tokenOrgId!)).limit(1))[0]!;
    const role = user
      ? ((await db.select().from(schema.memberships).where(eq(schema.memberships.userId, user.id))).find((m) => m.orgId === org.id)?.role ?? user.role)
      : "VIEWER";
    orgs = [{ id: org.id, name: org.name, role: role as OrgRole }];
  }
  const ids = orgs.map((o) => o.id);
  const projects = ids.length
    ? await db.select().from(schema.projects).where(inArray(schema.projects.orgId, ids)).orderBy(asc(schema.projects.name))
    : [];
  return {
    user: user ? { id: user.id, email: user.email, name: user.name } : null,
    auth,
    activeOrgId: activeOrgId ?? ids[0] ?? "",
    orgs,
    projects,
  };
}

export const meRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const p = c.get("principal");
  return ok(c, await meFor(c.get("db"), p.userId, p.orgId, p.sessionId ? "session" : "token", p.orgId));
});
