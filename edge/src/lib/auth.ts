/**
 * Bearer-token authentication. API tokens authenticate `/api/v1` and viewer sockets; agent tokens
 * authenticate agent sockets. Browsers cannot set headers on a WebSocket, so viewer sockets may
 * carry the token as `?token=`.
 */
import { and, eq, isNull } from "drizzle-orm";
import { hashToken } from "../../../db/tokens.js";
import { ApiException } from "./errors.js";
import { schema, type Db } from "./db.js";

export interface Principal {
  tokenId: string;
  orgId: string;
  userId: string | null;
  kind: "api" | "agent";
}

export function bearerFrom(req: Request, allowQuery: boolean): string | null {
  const h = req.headers.get("authorization");
  if (h) {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    return m ? m[1]! : null;
  }
  if (allowQuery) return new URL(req.url).searchParams.get("token");
  return null;
}

export async function authenticate(db: Db, token: string | null, kind: "api" | "agent"): Promise<Principal> {
  if (!token) throw new ApiException("UNAUTHORIZED", "missing token: send Authorization: Bearer <token>");
  const hash = await hashToken(token);
  const row = (
    await db.select().from(schema.apiTokens).where(and(eq(schema.apiTokens.hash, hash), isNull(schema.apiTokens.revokedAt))).limit(1)
  )[0];
  if (!row) throw new ApiException("UNAUTHORIZED", "invalid or revoked token");
  if (row.kind !== kind) throw new ApiException("FORBIDDEN", `this endpoint needs an ${kind} token, not an ${row.kind} token`);
  return { tokenId: row.id, orgId: row.orgId, userId: row.userId, kind: row.kind };
}
