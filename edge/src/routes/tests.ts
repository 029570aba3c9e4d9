/** Tests (saved configurations with groups) and starting a run of one. */
import { Hono, type Context } from "hono";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { RunCreate, TestCreate, type RunStarted, type Test, type TestGroup } from "../../../protocol/index.js";
import { newId, nowIso } from "../../../db/ids.js";
import type { AppEnv } from "../app-env.js";
import { schema, type Db } from "../lib/db.js";
import { ApiException, notFound } from "../lib/errors.js";
import { ok } from "../lib/respond.js";
import { parseBody } from "../lib/validate.js";
import { requireProject } from "./projects.js";
import type { RunInit } from "../objects/run-types.js";
import { SELF_HOSTED_LIMITS, type PlanLimits } from "../runs/quota.js";

type TestRow = typeof schema.tests.$inferSelect;
type GroupRow = typeof schema.testGroups.$inferSelect;

function groupFromRow(g: GroupRow): TestGroup {
  return {
    name: g.name, registrarId: g.registrarId, endpoints: g.endpoints, codec: g.codec, region: g.region, agents: g.agentIds ?? null, srtp: g.srtp,
    callee: g.calleeType === "GROUP" ? { type: "GROUP", group: g.calleeGroup ?? "" } : g.calleeType === "EXTERNAL" ? { type: "EXTERNAL", uri: g.calleeUri ?? "" } : { type: "RECEIVE" },
  };
}
function groupToRow(testId: string, g: TestGroup, position: number): GroupRow {
  return {
    id: newId("grp"), testId, position, name: g.name, registrarId: g.registrarId, endpoints: g.endpoints, codec: g.codec, region: g.region, agentIds: g.agents, srtp: g.srtp,
    calleeType: g.callee.type, calleeGroup: g.callee.type === "GROUP" ? g.callee.group : null, calleeUri: g.callee.type === "EXTERNAL" ? g.callee.uri : null,
  };
}
function toTest(t: TestRow, groups: TestGroup[]): Test {
  return {
    id: t.id, projectId: t.projectId, name: t.name, description: t.description, durationSec: t.durationSec, buildupSec: t.buildupSec,
    groups, totalEndpoints: groups.reduce((n, g) => n + g.endpoints, 0), createdAt: t.createdAt, updatedAt: t.updatedAt,
  };
}

async function loadTest(db: Db, projectId: string, testId: string): Promise<Test> {
  const t = (await db.select().from(schema.tests).where(and(eq(schema.tests.id, testId), eq(schema.tests.projectId, projectId), isNull(schema.tests.deletedAt))).limit(1))[0];
  if (!t) throw notFound("test", testId);
  const groups = await db.select().from(schema.testGroups).where(eq(schema.testGroups.testId, t.id)).orderBy(asc(schema.testGroups.position));
  return toTest(t, groups.map(groupFromRow));
}

/** Every group's registrar must exist in this project: checked here so the error names the field. */
async function checkRegistrars(db: Db, projectId: string, groups: TestGroup[]): Promise<void> {
  const ids = [...new Set(groups.map((g) => g.registrarId))];
  const rows = await db.select({ id: schema.registrars.id }).from(schema.registrars).where(and(inArray(schema.registrars.id, ids), eq(schema.registrars.projectId, projectId)));
  const known = new Set(rows.map((r) => r.id));
  const issues = groups.flatMap((g, i) => (known.has(g.registrarId) ? [] : [{ path: `groups.${i}.registrarId`, message: `no registrar ${g.registrarId} in this project` }]));
  if (issues.length) throw new ApiException("VALIDATION_FAILED", `invalid body: ${issues[0]!.path}: ${issues[0]!.message}`, { issues });
}

async function startRun(c: Context<AppEnv>, projectId: string, test: Test, durationSec: number) {
  const db = c.get("db");
  const runId = newId("run");
  const now = nowIso();
  const registrarIds = [...new Set(test.groups.map((g) => g.registrarId))];
  const registrars = await db.select().from(schema.registrars).where(inArray(schema.registrars.id, registrarIds));
  const accounts = await db.select().from(schema.sipAccounts).where(inArray(schema.sipAccounts.registrarId, registrarIds));
  const org = (await db.select().from(schema.orgs).where(eq(schema.orgs.id, c.get("principal").orgId)).limit(1))[0]!;
  await db.insert(schema.testRuns).values({
    id: runId, projectId, testId: test.id, testName: test.name, status: "PENDING", durationSec,
    config: { ...test, durationSec }, createdAt: now,
  });
  const init: RunInit = {
    runId, orgId: c.get("principal").orgId, projectId, testId: test.id, testName: test.name, durationSec, buildupSec: test.buildupSec,
    createdAt: Date.now(), groups: test.groups,
    limits: { ...SELF_HOSTED_LIMITS, ...((org.planLimits as Partial<PlanLimits> | null) ?? {}) }, initialCredits: org.credits,
    registrars: registrars.map((r) => ({ id: r.id, name: r.name, domain: r.domain, port: r.port, transport: r.transport, outboundProxy: r.outboundProxy, tls: r.tls })),
    accounts: accounts.map((a) => ({ registrarId: a.registrarId, username: a.username, authUsername: a.authUsername, password: a.password, realm: a.realm })),
  };
  await c.env.RUNS.get(c.env.RUNS.idFromName(runId)).init(init);
  return ok(c, { testRunId: runId, status: "PENDING" } satisfies RunStarted, 201);
}

export const testRoutes = new Hono<AppEnv>()
  .get("/:pid/tests", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const rows = await db.select().from(schema.tests).where(and(eq(schema.tests.projectId, p.id), isNull(schema.tests.deletedAt))).orderBy(asc(schema.tests.createdAt));
    const groups = rows.length
      ? await db.select().from(schema.testGroups).where(inArray(schema.testGroups.testId, rows.map((r) => r.id))).orderBy(asc(schema.testGroups.position))
      : [];
    return ok(c, rows.map((t) => toTest(t, groups.filter((g) => g.testId === t.id).map(groupFromRow))));
  })
  .post("/:pid/tests", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const body = await parseBody(c, TestCreate);
    const db = c.get("db");
    await checkRegistrars(db, p.id, body.groups);
    const now = nowIso();
    const row: TestRow = { id: newId("tst"), projectId: p.id, name: body.name, description: body.description, durationSec: body.durationSec, buildupSec: body.buildupSec, createdAt: now, updatedAt: now, deletedAt: null };
    await db.batch([db.insert(schema.tests).values(row), db.insert(schema.testGroups).values(body.groups.map((g, i) => groupToRow(row.id, g, i)))]);
    return ok(c, toTest(row, body.groups), 201);
  })
  .get("/:pid/tests/:tid", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    return ok(c, await loadTest(c.get("db"), p.id, c.req.param("tid")));
  })
  .put("/:pid/tests/:tid", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const existing = await loadTest(db, p.id, c.req.param("tid"));
    const body = await parseBody(c, TestCreate);
    await checkRegistrars(db, p.id, body.groups);
    const updatedAt = nowIso();
    await db.batch([
      db.update(schema.tests).set({ name: body.name, description: body.description, durationSec: body.durationSec, buildupSec: body.buildupSec, updatedAt }).where(eq(schema.tests.id, existing.id)),
      db.delete(schema.testGroups).where(eq(schema.testGroups.testId, existing.id)),
      db.insert(schema.testGroups).values(body.groups.map((g, i) => groupToRow(existing.id, g, i))),
    ]);
    return ok(c, { ...existing, ...body, totalEndpoints: body.groups.reduce((n, g) => n + g.endpoints, 0), updatedAt });
  })
  .delete("/:pid/tests/:tid", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const t = await loadTest(db, p.id, c.req.param("tid"));
    // Soft delete: runs keep pointing at their test.
    await db.update(schema.tests).set({ deletedAt: nowIso() }).where(eq(schema.tests.id, t.id));
    return ok(c, { id: t.id, deleted: true });
  })
  .post("/:pid/tests/:tid/run", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const body = await parseBody(c, RunCreate);
    const test = await loadTest(c.get("db"), p.id, c.req.param("tid"));
    return startRun(c, p.id, test, body.durationSec ?? test.durationSec);
  });
