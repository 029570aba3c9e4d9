/**
 * WebSocket entry points. The Worker authenticates and then hands the upgrade to the Durable
 * Object that owns the socket: agents' control sockets to their org's FleetObject, agents' run
 * sockets and dashboard viewers to the run's RunObject. Viewers may use an API token or the
 * dashboard's session cookie.
 */
import { Hono, type Context } from "hono";
import { and, eq, inArray } from "drizzle-orm";
import type { AppEnv } from "../app-env.js";
import { authenticate, authenticateApiRequest, bearerFrom } from "../lib/auth.js";
import { schema } from "../lib/db.js";
import { ApiException, notFound } from "../lib/errors.js";

/** Headers the Worker sets for the objects; anything a client sent under these names is dropped. */
export const INTERNAL_HEADERS = { org: "x-ringfleet-org", role: "x-ringfleet-role" } as const;

function requireUpgrade(c: Context<AppEnv>) {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new ApiException("VALIDATION_FAILED", "this endpoint only accepts WebSocket upgrades (Upgrade: websocket)");
}

function forward(req: Request, orgId: string, role: "agent" | "viewer" | "fleet"): Request {
  const headers = new Headers(req.headers);
  headers.set(INTERNAL_HEADERS.org, orgId);
  headers.set(INTERNAL_HEADERS.role, role);
  return new Request(req.url, { method: req.method, headers });
}

/** The run, if its project belongs to one of `orgIds`; returns that org. 404 otherwise (no existence leak). */
async function requireRunInOrg(c: Context<AppEnv>, runId: string, orgIds: string[]): Promise<string> {
  const row = (
    await c.get("db")
      .select({ id: schema.testRuns.id, orgId: schema.projects.orgId })
      .from(schema.testRuns)
      .innerJoin(schema.projects, eq(schema.projects.id, schema.testRuns.projectId))
      .where(and(eq(schema.testRuns.id, runId), inArray(schema.projects.orgId, orgIds)))
      .limit(1)
  )[0];
  if (!row) throw notFound("test run", runId);
  return row.orgId;
}

export const socketRoutes = new Hono<AppEnv>()
  .get("/agent/connect", async (c) => {
    requireUpgrade(c);
    const p = await authenticate(c.get("db"), bearerFrom(c.req.raw, false), "agent");
    return c.env.FLEETS.get(c.env.FLEETS.idFromName(p.orgId)).fetch(forward(c.req.raw, p.orgId, "fleet"));
  })
  .get("/agent/runs/:rid", async (c) => {
    requireUpgrade(c);
    const p = await authenticate(c.get("db"), bearerFrom(c.req.raw, false), "agent");
    await requireRunInOrg(c, c.req.param("rid"), [p.orgId]);
    return c.env.RUNS.get(c.env.RUNS.idFromName(c.req.param("rid"))).fetch(forward(c.req.raw, p.orgId, "agent"));
  })
  .get("/live/runs/:rid", async (c) => {
    requireUpgrade(c);
    // A token (header or ?token=) or the dashboard's session cookie (same-origin only).
    const { principal: p } = await authenticateApiRequest(c, { allowQueryToken: true, websocket: true });
    const orgId = await requireRunInOrg(c, c.req.param("rid"), p.orgIds);
    return c.env.RUNS.get(c.env.RUNS.idFromName(c.req.param("rid"))).fetch(forward(c.req.raw, orgId, "viewer"));
  });
