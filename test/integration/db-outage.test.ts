/**
 * The database away around the end of a run: sqld is stopped while calls are up and started
 * again after the run has ended. The run object keeps everything and retries with back-off; once
 * libSQL is back the summary, the per-endpoint results and the per-second series are written —
 * once, nothing lost, nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { startStack, type Stack } from "../../scripts/stack.js";
import { freeTcpPort, freeUdpPort } from "../support/ports.js";

describe("libSQL outage at the end of a run", () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ringfleet-dbout-"));
    stack = await startStack({ dir, dbPort: await freeTcpPort(), edgePort: await freeTcpPort(), registrarPort: await freeUdpPort(), log: () => {} });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${stack.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    return (await r.json()) as any;
  };

  it("writes the results once the database is back", async () => {
    const rid = (await api("POST", `/projects/${stack.projectId}/tests/${stack.demoTestId}/run`, { durationSec: 6 })).data.testRunId;
    for (let i = 0; i < 60; i++) {
      if ((await api("GET", `/projects/${stack.projectId}/test-runs/${rid}`)).data.summary?.phaseCounts?.INCALL === 10) break;
      await new Promise((r) => setTimeout(r, 400));
    }
    await stack.stopChild("sqld");
    // The 6 s calls end, teardown happens, the run completes in its object, the first writes fail.
    await new Promise((r) => setTimeout(r, 15_000));
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
