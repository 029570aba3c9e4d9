/**
 * For tests that break things (kill agents, restart the edge, stop the database): a private real
 * stack in a temp folder, so the shared one other tests use stays healthy. Call in a describe().
 */
import { afterAll, beforeAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack, type Stack, type StackOptions } from "../../scripts/stack.js";
import { freeTcpPort, freeUdpPort } from "../support/ports.js";

export interface OwnStack {
  readonly stack: Stack;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Poll a run until `done(run)` holds; throws with the last state after `timeoutMs`. */
  until(runId: string, done: (run: any) => boolean, timeoutMs: number): Promise<any>;
}

export function useOwnStack(opts: Partial<Pick<StackOptions, "agent" | "registrar" | "vars" | "edgePort">> & { setup?: (s: Stack) => Promise<void> } = {}): OwnStack {
  let stack: Stack | undefined;
  let dir = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ringfleet-own-"));
    stack = await startStack({
      dir, dbPort: await freeTcpPort(), edgePort: opts.edgePort ?? (await freeTcpPort()), registrarPort: await freeUdpPort(),
      agent: opts.agent, registrar: opts.registrar, vars: opts.vars, log: () => {},
    });
    await opts.setup?.(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const s = stack!;
    const r = await fetch(`${s.url}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  return {
    get stack() {
      if (!stack) throw new Error("stack not started yet (use it inside a test)");
      return stack;
    },
    api,
    async until(runId, done, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = (await api("GET", `/projects/${stack!.projectId}/test-runs/${runId}`)).body.data;
        if (done(run)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} did not reach the expected state: ${JSON.stringify(run)}`);
        await new Promise((r) => setTimeout(r, 400));
      }
    },
  };
}
