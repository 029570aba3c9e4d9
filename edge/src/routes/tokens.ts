/** API and agent tokens: create (secret shown once), list, revoke. */
import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import { TokenCreate, type ApiToken, type ApiTokenCreated } from "../../../protocol/index.js";
import { newId, nowIso } from "../../../db/ids.js";
import { generateToken, hashToken, tokenDisplayPrefix } from "../../../db/tokens.js";
import type { AppEnv } from "../app-env.js";
import { schema } from "../lib/db.js";
import { notFound } from "../lib/errors.js";
import { ok } from "../lib/respond.js";
import { parseBody } from "../lib/validate.js";

type Row = typeof schema.apiTokens.$inferSelect;
const toToken = (r: Row): ApiToken => ({ id: r.id, name: r.name, kind: r.kind, prefix: r.prefix, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, revokedAt: r.revokedAt });

export const tokenRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const rows = await c.get("db").select().from(schema.apiTokens).where(eq(schema.apiTokens.orgId, c.get("principal").orgId));
    return ok(c, rows.map(toToken));
  })
  .post("/", async (c) => {
    const body = await parseBody(c, TokenCreate);
    const p = c.get("principal");
    const secret = generateToken(body.kind);
    const row: Row = { id: newId("tok"), orgId: p.orgId, userId: p.userId, kind: body.kind, name: body.name, prefix: tokenDisplayPrefix(secret), hash: await hashToken(secret), createdAt: nowIso(), lastUsedAt: null, revokedAt: null };
    await c.get("db").insert(schema.apiTokens).values(row);
    return ok(c, { ...toToken(row), token: secret } satisfies ApiTokenCreated, 201);
  })
  .delete("/:id", async (c) => {
    const res = await c.get("db").update(schema.apiTokens).set({ revokedAt: nowIso() })
      .where(and(eq(schema.apiTokens.id, c.req.param("id")), eq(schema.apiTokens.orgId, c.get("principal").orgId))).returning();
    if (!res.length) throw notFound("token", c.req.param("id"));
    return ok(c, toToken(res[0]!));
  });
