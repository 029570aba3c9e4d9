/** The per-org QuotaObject inside workerd: atomic reservation under a race, and release charging once. */
import { describe, expect, it } from "vitest";
import { env as testEnv } from "cloudflare:test";
import type { Env } from "../src/env.js";
import { SELF_HOSTED_LIMITS } from "../src/runs/quota.js";

const env = testEnv as unknown as Env;

describe("QuotaObject", () => {
  it("gives the last capacity to exactly one of two racing runs", async () => {
    const quota = env.QUOTAS.get(env.QUOTAS.idFromName("org_race"));
    const limits = { ...SELF_HOSTED_LIMITS, maxConcurrentEndpoints: 10 };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => quota.reserve({ runId: `run_${i}`, projectId: "p", endpoints: 8, credits: 8 }, limits, 1000)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reasonCode === "PLAN_LIMIT_CONCURRENT_ENDPOINTS")).toBe(true);
  });

  it("charges actual use once and frees the capacity", async () => {
    const quota = env.QUOTAS.get(env.QUOTAS.idFromName("org_charge"));
    expect(await quota.reserve({ runId: "r1", projectId: "p", endpoints: 10, credits: 50 }, SELF_HOSTED_LIMITS, 100)).toEqual({ ok: true });
    expect(await quota.reserve({ runId: "r2", projectId: "p", endpoints: 10, credits: 51 }, SELF_HOSTED_LIMITS, 100)).toMatchObject({ ok: false, reasonCode: "INSUFFICIENT_CREDITS" });
    expect(await quota.release("r1", 20)).toEqual({ charged: 20, balance: 80 });
    expect(await quota.release("r1", 20)).toEqual({ charged: 0, balance: 80 });
    expect(await quota.reserve({ runId: "r2", projectId: "p", endpoints: 10, credits: 51 }, SELF_HOSTED_LIMITS, 100)).toEqual({ ok: true });
  });
});
