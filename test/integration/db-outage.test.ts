/**
 * The database away for 30 s around the end of a run: sqld is stopped while calls are up and
 * started again after the run has ended. The run object keeps everything and retries with back-off; once
 * libSQL is back the summary, the per-endpoint results and the per-second series are written —
 * once, nothing lost, nothing twice.
 */
import { describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { useOwnStack } from "./own-stack.js";

describe("libSQL outage at the end of a run", () => {
  const own = useOwnStack();

  it("writes the run's and each group's per-second aggregates while the run goes on", async () => {
    const { stack, api, until } = own;
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 20 })).body.data.testRunId;
    const db = createClient({ url: stack.dbUrl });
    try {
      let during: { groups: string[]; rows: number } | null = null;
      for (let i = 0; i < 60 && !during; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        const rows = (await db.execute({ sql: "SELECT group_name, mos FROM run_group_series WHERE run_id = ?", args: [rid] })).rows;
        const status = (await api("GET", `/projects/${stack.projectId}/test-runs/${rid}`)).body.data.status;
        if (rows.length > 0 && status === "RUNNING") during = { groups: [...new Set(rows.map((r) => String(r.group_name)))].sort(), rows: rows.length };
      }
      expect(during, "group series rows in libSQL while RUNNING").not.toBeNull();
      const groups = (await api("GET", `/projects/${stack.projectId}/tests/${stack.demoTestId}`)).body.data.groups.map((g: any) => g.name).sort();
      expect(during!.groups).toEqual(groups);
      const run = await until(rid, (r) => r.status === "COMPLETED", 90_000);
      expect(run.summary.outcomeCounts).toEqual({ SUCCESS: 10 });
      // After the end: every second once per group, and the group rows agree with the run rows.
      const perGroup = (await db.execute({ sql: "SELECT group_name, count(*) AS n, count(DISTINCT t) AS d, avg(mos) AS mos FROM run_group_series WHERE run_id = ? GROUP BY group_name", args: [rid] })).rows;
      const runRows = Number((await db.execute({ sql: "SELECT count(*) AS n FROM run_series WHERE run_id = ?", args: [rid] })).rows[0]!.n);
      expect(perGroup).toHaveLength(groups.length);
      for (const g of perGroup) {
        expect(Number(g.n)).toBe(Number(g.d));
        expect(Number(g.n)).toBeGreaterThanOrEqual(15);
        expect(Number(g.n)).toBeLessThanOrEqual(runRows);
        expect(Number(g.mos)).toBeGreaterThan(4);
      }
      expect(during!.rows).toBeLessThan(perGroup.reduce((n, g) => n + Number(g.n), 0));
      // Each endpoint's result carries its call averages and a downsampled series of the key metrics.
      const results = (await db.execute({ sql: "SELECT call_averages, series FROM run_endpoints WHERE run_id = ?", args: [rid] })).rows;
      expect(results).toHaveLength(10);
      for (const r of results) {
        expect(JSON.parse(String(r.call_averages)).mos).toBeGreaterThan(4);
        const series = JSON.parse(String(r.series));
        expect(series.stepSec).toBeGreaterThanOrEqual(1);
        expect(series.points.length).toBeGreaterThanOrEqual(5);
        expect(series.points.length).toBeLessThanOrEqual(60);
        expect(series.points.every((p: any) => p.mos === null || p.mos > 4)).toBe(true);
      }
    } finally {
      db.close();
    }
  });

  it("writes the results once the database is back", async () => {
    const { stack, api, until } = own;
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 6 })).body.data.testRunId;
    await until(rid, (r) => r.summary?.phaseCounts?.INCALL === 10, 30_000);
    await stack.stopChild("sqld");
    // 30 s without the database: the 6 s calls end, teardown happens, the run completes in its
    // object, and its writes fail and back off.
    await new Promise((r) => setTimeout(r, 30_000));
    await stack.startDb();

    const db = createClient({ url: stack.dbUrl });
    try {
      let row: any;
      for (let i = 0; i < 90; i++) {
        row = (await db.execute({ sql: "SELECT status, summary FROM test_runs WHERE id = ?", args: [rid] })).rows[0];
        if (row?.summary) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(row.status).toBe("COMPLETED");
      expect(JSON.parse(row.summary).outcomeCounts).toEqual({ SUCCESS: 10 });
      const results = (await db.execute({ sql: "SELECT count(*) AS n, count(DISTINCT id) AS d FROM run_endpoints WHERE run_id = ?", args: [rid] })).rows[0]!;
      expect(Number(results.n)).toBe(10);
      expect(Number(results.d)).toBe(10);
      const series = (await db.execute({ sql: "SELECT count(*) AS n, min(mos) AS m FROM run_series WHERE run_id = ?", args: [rid] })).rows[0]!;
      expect(Number(series.n)).toBeGreaterThanOrEqual(5);
      expect(Number(series.m)).toBeGreaterThan(4);
    } finally {
      db.close();
    }
  });
});
