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
