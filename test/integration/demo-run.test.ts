/**
 * The seeded demo test end to end, the way a user meets the product: API → run object → agent →
 * built-in registrar → real SIP calls with real RTP → per-second metrics → live page in chromium.
 */
import { DETAIL_METRICS } from "../../protocol/index.js";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { mkdirSync } from "node:fs";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { allEndpoints, call, waitForRun } from "./client.js";
import { watchRunPage } from "../browser/run-page.js";

export const ARTIFACTS = join(new URL("../..", import.meta.url).pathname, ".test-artifacts");

describe("demo test through the built-in registrar", () => {
  it("completes with every endpoint SUCCESS, good MOS, timings, traces, and a live page that updates", async () => {
    const pid = inject("stackProjectId");
    // Garbage at the built-in registrar first: it must count and drop it, and keep serving.
    await sendJunk(inject("stackRegistrarPort"));
    const started = await call("POST", `/projects/${pid}/tests/${inject("stackDemoTestId")}/run`, {});
    expect(started.status).toBe(201);
    expect(started.body.data.status).toBe("PENDING");
    const runId: string = started.body.data.testRunId;

    // Watch the live page from the start of the run to its end (20 s calls): phase counts and the
    // chart must change without a reload.
    const artifactsDir = join(ARTIFACTS, "run-page");
    mkdirSync(artifactsDir, { recursive: true });
    const seen = await watchRunPage({ baseUrl: inject("stackUrl"), token: inject("stackToken"), projectId: pid, runId, artifactsDir, durationMs: 26_000 });
    const distinctCounts = new Set(seen.phaseCountsSeen.map((c) => JSON.stringify(c)));
    expect(distinctCounts.size).toBeGreaterThan(1);
    expect(Math.max(...seen.chartPointsSeen)).toBeGreaterThan(Math.min(...seen.chartPointsSeen));
    expect(seen.screenshots.length).toBeGreaterThanOrEqual(2);

    const run = await waitForRun(pid, runId, ["COMPLETED", "FAILED"], 120_000);
    expect(run.status).toBe("COMPLETED");
    expect(run.summary.outcomeCounts).toEqual({ SUCCESS: 10 });
    expect(run.summary.mos).toBeGreaterThan(4.0);
    expect(run.summary.callSuccessRate).toBe(100);

    const endpoints = await allEndpoints(pid, runId);
    expect(endpoints).toHaveLength(10);
    for (const e of endpoints) {
      expect(e).toMatchObject({ phase: "CLOSED", outcome: "SUCCESS" });
      expect(e.timings.time_to_register_ms).toBeGreaterThan(0);
      expect(e.timings.registration_expires_s).toBeGreaterThan(0);
      expect(e.metrics.packets_received).toBeGreaterThan(500); // ~20 s × 50 pps
      expect(e.metrics.mos).toBeGreaterThan(4.0);
      if (e.role === "CALLER") {
        expect(e.statusCode).toBe(200);
        for (const k of ["time_to_trying_ms", "time_to_ringing_ms", "post_dial_delay_ms", "call_setup_time_ms", "call_duration_ms"])
          expect(e.timings[k], `${e.username} ${k}`).toBeGreaterThanOrEqual(0);
        expect(e.timings.call_duration_ms).toBeGreaterThan(19_000);
      }
    }
    const caller = endpoints.find((e) => e.role === "CALLER")!;
    const detail = (await call("GET", `/projects/${pid}/test-runs/${runId}/endpoints/${caller.id}`)).body.data;
    expect(detail.series.length).toBeGreaterThan(15);
    for (const k of ["mos", "r_factor", "jitter_ms", "fraction_lost", "packets_lost", "rtt_ms", "packets_sent", "packets_received", "bytes_sent", "bytes_received"])
      expect(Object.keys(detail.series.at(-1).m), k).toContain(k);
    expect(detail.series.some((s: any) => s.m.rtt_ms > 0)).toBe(true);
    // The detail metrics (protocol/metrics.ts DETAIL_METRICS) arrive in the same series, every one of them.
    for (const d of DETAIL_METRICS) expect(Object.keys(detail.series.at(-1).m), d.key).toContain(d.key);
    expect(detail.series.at(-1).m.packets_recv_rate_ps).toBeGreaterThan(40); // 50 packets/s of 20 ms G.711
    expect(detail.series.at(-1).m.audio_level_dbov).toBeLessThan(0);
    const firstLines = detail.trace.map((t: any) => t.text.split("\r\n")[0]);
    expect(firstLines.some((l: string) => l.startsWith("INVITE "))).toBe(true);
    expect(firstLines.some((l: string) => l.startsWith("SIP/2.0 407") || l.startsWith("SIP/2.0 401"))).toBe(true);
    expect(firstLines.some((l: string) => l.startsWith("BYE "))).toBe(true);
  });
});

async function sendJunk(port: number) {
  const sock = createSocket("udp4");
  const junk = [
    Buffer.from("not sip at all"),
    Buffer.from("INVITE sip:x SIP/2.0\r\nVia: broken\r\nContent-Length: 99999\r\n\r\n"),
    Buffer.from("SIP/2.0 abc\r\n\r\n"),
    Buffer.alloc(1400, 0xff),
    Buffer.alloc(0),
  ];
  for (let i = 0; i < 20; i++) for (const j of junk) await new Promise<void>((r) => sock.send(j, port, "127.0.0.1", () => r()));
  sock.close();
}
