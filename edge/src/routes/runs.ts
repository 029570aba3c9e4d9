/** Test runs: list, status, stop, endpoints. Live state comes from the run's Durable Object. */
import { Hono, type Context } from "hono";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { EndpointListQuery, PaginationQuery, RunCompareQuery, isTerminalRunStatus, type RunComparison, type RunSeriesPoint, type TestRun } from "../../../protocol/index.js";
import { z } from "zod";
import type { AppEnv } from "../app-env.js";
import { schema } from "../lib/db.js";
import { ApiException, notFound } from "../lib/errors.js";
import { ok } from "../lib/respond.js";
import { parseQuery } from "../lib/validate.js";
import { requireProject } from "./projects.js";
import { traceToPcap } from "../pcap/sip-trace.js";
import { alignSeries, compareSummaries } from "../runs/compare.js";

type RunRow = typeof schema.testRuns.$inferSelect;

function toRun(r: RunRow): TestRun {
  return {
    id: r.id, projectId: r.projectId, testId: r.testId, testName: r.testName, status: r.status,
    reasonCode: (r.reasonCode as TestRun["reasonCode"]) ?? null, reason: r.reason, durationSec: r.durationSec,
    createdAt: r.createdAt, queuedAt: r.queuedAt, startedAt: r.startedAt, endedAt: r.endedAt, summary: (r.summary as TestRun["summary"]) ?? null,
  };
}

async function requireRun(c: Context<AppEnv>): Promise<RunRow> {
  const p = await requireProject(c, c.req.param("pid")!);
  const rid = c.req.param("rid")!;
  const row = (await c.get("db").select().from(schema.testRuns).where(and(eq(schema.testRuns.id, rid), eq(schema.testRuns.projectId, p.id))).limit(1))[0];
  if (!row) throw notFound("test run", rid);
  return row;
}

async function runSeries(c: Context<AppEnv>, run: TestRun): Promise<RunSeriesPoint[]> {
  const rows = await c.get("db").select().from(schema.runSeries).where(eq(schema.runSeries.runId, run.id)).orderBy(asc(schema.runSeries.t));
  return alignSeries(rows, run.startedAt);
}

const runStub = (c: Context<AppEnv>, runId: string) => c.env.RUNS.get(c.env.RUNS.idFromName(runId));

/** The database row, overlaid with the run object's live view while the run is not finished. */
async function currentRun(c: Context<AppEnv>, row: RunRow): Promise<TestRun> {
  const base = toRun(row);
  if (isTerminalRunStatus(row.status) && row.summary) return base;
  const live = await runStub(c, row.id).describe();
  return live ? { ...base, ...live } : base;
}

const RunListQuery = PaginationQuery.extend({ testId: z.string().min(1).optional() }).strict();

export const runRoutes = new Hono<AppEnv>()
  .get("/:pid/test-runs", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const q = parseQuery(c, RunListQuery);
    const where = q.testId ? and(eq(schema.testRuns.projectId, p.id), eq(schema.testRuns.testId, q.testId)) : eq(schema.testRuns.projectId, p.id);
    const db = c.get("db");
    const [rows, total] = await Promise.all([
      db.select().from(schema.testRuns).where(where).orderBy(desc(schema.testRuns.createdAt)).limit(q.perPage).offset((q.page - 1) * q.perPage),
      db.select({ n: sql<number>`count(*)` }).from(schema.testRuns).where(where),
    ]);
    return ok(c, rows.map(toRun), 200, { page: q.page, perPage: q.perPage, total: Number(total[0]?.n ?? 0) });
  })
  /** Two runs side by side: key-figure deltas against the baseline (`base`) and both per-second series. */
  .get("/:pid/test-runs/compare", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const q = parseQuery(c, RunCompareQuery);
    const db = c.get("db");
    const load = async (field: "base" | "other") => {
      const row = (await db.select().from(schema.testRuns).where(and(eq(schema.testRuns.id, q[field]), eq(schema.testRuns.projectId, p.id))).limit(1))[0];
      if (!row) throw new ApiException("NOT_FOUND", `${field}: test run ${q[field]} not found`, { issues: [{ path: field, message: "no such run in this project" }] });
      return currentRun(c, row);
    };
    const [base, other] = await Promise.all([load("base"), load("other")]);
    const [baseSeries, otherSeries] = await Promise.all([runSeries(c, base), runSeries(c, other)]);
    const body: RunComparison = { base, other, series: { base: baseSeries, other: otherSeries }, deltas: compareSummaries(base.summary, other.summary) };
    return ok(c, body);
  })
  .get("/:pid/test-runs/:rid", async (c) => ok(c, await currentRun(c, await requireRun(c))))
  /** The run's per-second aggregates, written when the run ends (empty before). */
  .get("/:pid/test-runs/:rid/series", async (c) => {
    const run = toRun(await requireRun(c));
    return ok(c, await runSeries(c, run));
  })
  .post("/:pid/test-runs/:rid/stop", async (c) => {
    const row = await requireRun(c);
    const r = await runStub(c, row.id).stop();
    if (!r.ok) throw new ApiException("INVALID_STATE", r.message, { status: r.status });
    return ok(c, await currentRun(c, row));
  })
  .get("/:pid/test-runs/:rid/endpoints", async (c) => {
    const row = await requireRun(c);
    const q = parseQuery(c, EndpointListQuery);
    const { items, total } = await runStub(c, row.id).listEndpoints(q);
    return ok(c, items, 200, { page: q.page, perPage: q.perPage, total });
  })
  /**
   * Delete a finished run and all its data: the libSQL rows (summary, per-endpoint results, series)
   * and the run object's storage (per-second samples, SIP traces). A run still going is refused.
   */
  .delete("/:pid/test-runs/:rid", async (c) => {
    const row = await requireRun(c);
    const live = await currentRun(c, row);
    if (!isTerminalRunStatus(live.status))
      throw new ApiException("INVALID_STATE", `run is ${live.status}; stop it and wait for it to end before deleting it`, { status: live.status });
    await runStub(c, row.id).purge();
    const db = c.get("db");
    await db.batch([
      db.delete(schema.runGroupSeries).where(eq(schema.runGroupSeries.runId, row.id)),
      db.delete(schema.runSeries).where(eq(schema.runSeries.runId, row.id)),
      db.delete(schema.runEndpoints).where(eq(schema.runEndpoints.runId, row.id)),
      db.delete(schema.testRuns).where(eq(schema.testRuns.id, row.id)),
    ]);
    return ok(c, { id: row.id, deleted: true });
  })
  .get("/:pid/test-runs/:rid/endpoints/:eid", async (c) => {
    const row = await requireRun(c);
    const detail = await runStub(c, row.id).getEndpoint(c.req.param("eid"));
    if (!detail) throw notFound("endpoint", c.req.param("eid"));
    return ok(c, detail);
  })
  /** The endpoint's SIP trace as a libpcap file (IPv4/UDP on LINKTYPE_RAW), for Wireshark. */
  .get("/:pid/test-runs/:rid/endpoints/:eid/trace.pcap", async (c) => {
    const row = await requireRun(c);
    const eid = c.req.param("eid");
    const detail = await runStub(c, row.id).getEndpoint(eid);
    if (!detail) throw notFound("endpoint", eid);
    const file = `${safeName(row.id)}-${safeName(detail.username)}-${detail.index}.pcap`;
    return c.body(traceToPcap(detail.trace), 200, {
      "Content-Type": "application/vnd.tcpdump.pcap",
      "Content-Disposition": `attachment; filename="${file}"`,
      "Cache-Control": "no-store",
    });
  });

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
