/**
 * Authentication. Two ways in:
 *  - bearer tokens: API tokens authenticate `/api/v1` and viewer sockets; agent tokens authenticate
 *    agent sockets. Browsers cannot set headers on a WebSocket, so viewer sockets may carry the
 *    token as `?token=`;
 *  - the dashboard's session cookie (people who signed in with email + password), for `/api/v1`
 *    and viewer sockets. Cookie-authenticated requests that change something must come from our
 *    own origin (CSRF; see sessions.ts csrfProblem).
 * A bearer token, when present, wins; the cookie is only looked at without one.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Context } from "hono";
import { hashToken } from "../../../db/tokens.js";
import { ORG_HEADER, type OrgRole } from "../../../protocol/index.js";
import type { AppEnv } from "../app-env.js";
import { ApiException } from "./errors.js";
import { schema, type Db } from "./db.js";
import { csrfProblem, isSessionDead, sessionCookie, sessionSecretFrom, touchSession } from "./sessions.js";

export interface Principal {
  /** The API token used, or null for a session. */
  tokenId: string | null;
  /** The session used, or null for a token. */
  sessionId: string | null;
  /** The org this request acts in. */
  orgId: string;
  /** Every org the caller may read (a token: its own; a person: their memberships). */
  orgIds: string[];
  userId: string | null;
  kind: "api" | "agent";
  /** The role this request acts with in `orgId` (lib/roles.ts): a person's membership, a token's creator's. */
  role: OrgRole;
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
  // A token acts with its creator's current role in the token's org; a creator who left it, or a
  // token with no creator, can only read.
  const membership = row.userId
    ? (await db.select({ role: schema.memberships.role }).from(schema.memberships)
        .where(and(eq(schema.memberships.userId, row.userId), eq(schema.memberships.orgId, row.orgId))).limit(1))[0]
    : undefined;
  return { tokenId: row.id, sessionId: null, orgId: row.orgId, orgIds: [row.orgId], userId: row.userId, kind: row.kind, role: membership?.role ?? "VIEWER" };
}

/** The user's memberships, oldest first. */
export async function membershipsOf(db: Db, userId: string) {
  return db
    .select({ orgId: schema.memberships.orgId, role: schema.memberships.role, name: schema.orgs.name })
    .from(schema.memberships)
    .innerJoin(schema.orgs, eq(schema.orgs.id, schema.memberships.orgId))
    .where(eq(schema.memberships.userId, userId))
    .orderBy(asc(schema.memberships.createdAt), asc(schema.orgs.name));
}

export interface SessionAuth {
  principal: Principal;
  /** A refreshed `Set-Cookie` when the sliding expiry moved. */
  setCookie: string | null;
}

/**
 * A session cookie → the signed-in person, acting in `wantedOrg` (if they belong to it) or their
 * first org. Moves the sliding expiry forward at most once an hour.
 */
export async function authenticateSession(db: Db, secret: string, wantedOrg: string | null, secure: boolean, now = Date.now()): Promise<SessionAuth> {
  const row = (await db.select().from(schema.sessions).where(eq(schema.sessions.hash, await hashToken(secret))).limit(1))[0];
  if (!row || isSessionDead(row, now)) throw new ApiException("UNAUTHORIZED", "your session has expired or was signed out; sign in again");
  const orgs = await membershipsOf(db, row.userId);
  if (orgs.length === 0) throw new ApiException("FORBIDDEN", "your account is not a member of any organisation");
  let acting = orgs[0]!;
  if (wantedOrg) {
    const wanted = orgs.find((o) => o.orgId === wantedOrg);
    if (!wanted) throw new ApiException("FORBIDDEN", `you are not a member of organisation ${wantedOrg}`);
    acting = wanted;
  }
  const orgId = acting.orgId;
  const touch = touchSession(row, now);
  let setCookie: string | null = null;
  if (touch) {
    await db.update(schema.sessions).set(touch).where(eq(schema.sessions.id, row.id));
    setCookie = sessionCookie(secret, touch.expiresAt, now, secure);
  }
  return {
    principal: { tokenId: null, sessionId: row.id, orgId, orgIds: orgs.map((o) => o.orgId), userId: row.userId, kind: "api", role: acting.role },
    setCookie,
  };
}

export const isHttps = (req: Request) => new URL(req.url).protocol === "https:";

/**
 * A request to `/api/v1` or a viewer socket: the bearer token if there is one, else the session
 * cookie (with the CSRF origin check for anything but GET/HEAD/OPTIONS, and for WebSocket
 * upgrades, which browsers send with an Origin and which SameSite does not cover).
 */
export async function authenticateApiRequest(c: Context<AppEnv>, opts: { allowQueryToken: boolean; websocket?: boolean }): Promise<SessionAuth> {
  const req = c.req.raw;
  const bearer = bearerFrom(req, opts.allowQueryToken);
  const secret = sessionSecretFrom(req.headers.get("cookie"));
  if (bearer || !secret) return { principal: await authenticate(c.get("db"), bearer, "api"), setCookie: null };
  const problem = csrfProblem(opts.websocket ? "WEBSOCKET" : req.method, req.url, req.headers.get("origin"));
  if (problem) throw new ApiException("FORBIDDEN", problem);
  return authenticateSession(c.get("db"), secret, req.headers.get(ORG_HEADER), isHttps(req));
}
