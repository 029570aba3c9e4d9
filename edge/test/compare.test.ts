/**
 * Run history and comparison over the REST API inside workerd: two finished runs of the demo test
 * (written to libSQL the way RunObject.persist leaves them), their series, and their deltas.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createClient } from "@libsql/client/web";
import { api } from "./helpers.js";

const pid = () => inject("projectId");
const stamp = Date.now().toString(36);
const BASE_RUN = `run_cmp_base_${stamp}`;
const OTHER_RUN = `run_cmp_other_${stamp}`;
const T0 = 1_767_000_000; // epoch seconds

const summary = (o: Record<string, unknown>) => ({
  mos: 4.3, jitter_ms: 3, fraction_lost: 0.2, rtt_ms: 40, callSuccessRate: 100, registrationRate: 100, setupTimeMs: { p50: 30, p95: 60 },
  endpoints: 4, phaseCounts: { CLOSED: 4 }, outcomeCounts: { SUCCESS: 4 }, groups: [], ...o,
});

beforeAll(async () => {
  const db = createClient({ url: inject("dbUrl") });
  const insertRun = (id: string, startSec: number, s: Record<string, unknown>) =>
    db.execute({
      sql: `INSERT INTO test_runs (id, project_id, test_id, test_name, status, duration_sec, config, summary, created_at, queued_at, started_at, ended_at)
            VALUES (?, ?, ?, 'demo', 'COMPLETED', 10, '{}', ?, ?, ?, ?, ?)`,
      args: [id, pid(), inject("demoTestId"), JSON.stringify(s), new Date(startSec * 1000 - 2000).toISOString(), new Date(startSec * 1000 - 1000).toISOString(),
        new Date(startSec * 1000).toISOString(), new Date((startSec + 12) * 1000).toISOString()],
    });
  await insertRun(BASE_RUN, T0, summary({}));
  await insertRun(OTHER_RUN, T0 + 3600, summary({ mos: 3.8, fraction_lost: 2.4, jitter_ms: 3.2, callSuccessRate: 75 }));
  for (let i = 0; i < 5; i++) {
    await db.execute({ sql: `INSERT INTO run_series (run_id, t, mos, jitter_ms, fraction_lost, rtt_ms, reporting) VALUES (?, ?, ?, ?, ?, ?, ?)`, args: [BASE_RUN, T0 + 1 + i, 4.3, 3, 0.2, 40, 4] });
    await db.execute({ sql: `INSERT INTO run_series (run_id, t, mos, jitter_ms, fraction_lost, rtt_ms, reporting) VALUES (?, ?, ?, ?, ?, ?, ?)`, args: [OTHER_RUN, T0 + 3600 + 2 + i, 3.8, 3.2, 2.4, 41, 3] });
  }
});

describe("run history", () => {
  it("lists a test's runs with their summaries", async () => {
    const r = await api<{ data: { id: string; summary: { mos: number } | null }[] }>("GET", `/projects/${pid()}/test-runs?testId=${inject("demoTestId")}&perPage=100`);
    expect(r.status).toBe(200);
    const mine = r.body.data.filter((x) => x.id === BASE_RUN || x.id === OTHER_RUN);
    expect(mine.map((x) => x.summary?.mos).sort()).toEqual([3.8, 4.3]);
  });
  it("returns a run's per-second series aligned on its start", async () => {
    const r = await api<{ data: { t: number; offsetSec: number; mos: number; reporting: number }[] }>("GET", `/projects/${pid()}/test-runs/${OTHER_RUN}/series`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((p) => p.offsetSec)).toEqual([2, 3, 4, 5, 6]);
    expect(r.body.data[0]).toMatchObject({ t: T0 + 3602, mos: 3.8, jitter_ms: 3.2, fraction_lost: 2.4, rtt_ms: 41, reporting: 3 });
    expect((await api("GET", `/projects/${pid()}/test-runs/run_nope/series`)).status).toBe(404);
  });
});

describe("run comparison", () => {
  it("returns both runs, both series and the deltas with regressions", async () => {
    const r = await api<{ data: any }>("GET", `/projects/${pid()}/test-runs/compare?base=${BASE_RUN}&other=${OTHER_RUN}`);
    expect(r.status).toBe(200);
    const c = r.body.data;
    expect(c.base.id).toBe(BASE_RUN);
    expect(c.other.id).toBe(OTHER_RUN);
    expect(c.series.base).toHaveLength(5);
    expect(c.series.other.map((p: { offsetSec: number }) => p.offsetSec)).toEqual([2, 3, 4, 5, 6]);
    const by = Object.fromEntries(c.deltas.map((d: { key: string }) => [d.key, d]));
    expect(by.mos).toMatchObject({ base: 4.3, other: 3.8, delta: -0.5, verdict: "regression", better: "higher" });
    expect(by.fraction_lost).toMatchObject({ delta: 2.2, verdict: "regression" });
    expect(by.jitter_ms).toMatchObject({ verdict: "same" });
    expect(by.callSuccessRate).toMatchObject({ delta: -25, verdict: "regression" });
    const swapped = await api<{ data: any }>("GET", `/projects/${pid()}/test-runs/compare?base=${OTHER_RUN}&other=${BASE_RUN}`);
    expect(swapped.body.data.deltas.find((d: { key: string }) => d.key === "mos")).toMatchObject({ delta: 0.5, verdict: "improvement" });
  });

  it("names the offending field on bad queries", async () => {
    const missing = await api<{ error: { code: string; message: string; details: { issues: { path: string; message: string }[] } } }>("GET", `/projects/${pid()}/test-runs/compare?base=${BASE_RUN}`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("VALIDATION_FAILED");
    expect(missing.body.error.details.issues).toEqual([{ path: "other", message: expect.stringContaining("required") }]);
    expect(missing.body.error.message).toMatch(/^invalid query: other: /);
    const same = await api<{ error: { details: { issues: { path: string; message: string }[] } } }>("GET", `/projects/${pid()}/test-runs/compare?base=${BASE_RUN}&other=${BASE_RUN}`);
    expect(same.status).toBe(400);
    expect(same.body.error.details.issues).toEqual([{ path: "other", message: "must be a different run than base" }]);
    const extra = await api<{ error: { details: { issues: { path: string }[] } } }>("GET", `/projects/${pid()}/test-runs/compare?base=a&other=b&colour=red`);
    expect(extra.status).toBe(400);
    expect(extra.body.error.details.issues[0]!.path).toMatch(/colour|\(root\)/);
    const unknown = await api<{ error: { code: string; message: string; details: { issues: { path: string }[] } } }>("GET", `/projects/${pid()}/test-runs/compare?base=${BASE_RUN}&other=run_nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "NOT_FOUND", message: "other: test run run_nope not found" });
    expect(unknown.body.error.details.issues[0]!.path).toBe("other");
  });
});
