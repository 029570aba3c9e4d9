/**
 * The local seed: one org, its owner (`admin@ringfleet.local`, with a password chosen by the caller),
 * a project, an API token and an agent token (secrets chosen by the caller so a restart keeps the
 * printed token and password valid), the built-in registrar with its SIP
 * accounts, and the demo test (group A calls group B through the built-in registrar, PCMU, 20 s).
 * Idempotent: running it again reuses what exists.
 */
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { and, eq } from "drizzle-orm";
import * as s from "./schema.js";
import { newId, nowIso } from "./ids.js";
import { hashToken, tokenDisplayPrefix } from "./tokens.js";
import { hashPassword, verifyPassword } from "./passwords.js";

/** The local stack's person who signs in to the dashboard. */
export const LOCAL_ADMIN_EMAIL = "admin@ringfleet.local";

export interface SeedOptions {
  apiToken: string;
  agentToken: string;
  /** The password of `admin@ringfleet.local` (set, or reset if it changed). */
  adminPassword: string;
  registrarHost: string;
  registrarPort: number;
  /** SIP accounts the built-in registrar serves (the registrar process is started with the same list). */
  accounts: { username: string; password: string }[];
}
export interface SeedResult {
  orgId: string;
  projectId: string;
  registrarId: string;
  demoTestId: string;
}

export const DEMO_TEST_NAME = "Demo: group A calls group B";

export async function seedLocal(url: string, opts: SeedOptions, authToken?: string): Promise<SeedResult> {
  const client = createClient({ url, authToken });
  const db = drizzle(client, { schema: s });
  try {
    const now = nowIso();
    let org = (await db.select().from(s.orgs).limit(1))[0];
    if (!org) {
      org = { id: newId("org"), name: "Local", planLimits: null, credits: null, createdAt: now };
      await db.insert(s.orgs).values(org);
    }
    let user = (await db.select().from(s.users).where(eq(s.users.email, LOCAL_ADMIN_EMAIL)).limit(1))[0];
    if (!user) {
      user = { id: newId("usr"), orgId: org.id, email: LOCAL_ADMIN_EMAIL, name: "Local admin", role: "OWNER", passwordHash: await hashPassword(opts.adminPassword), createdAt: now };
      await db.insert(s.users).values(user);
    } else if (!(await verifyPassword(opts.adminPassword, user.passwordHash))) {
      await db.update(s.users).set({ passwordHash: await hashPassword(opts.adminPassword) }).where(eq(s.users.id, user.id));
    }
    await db.insert(s.memberships).values({ userId: user.id, orgId: org.id, role: "OWNER", createdAt: now }).onConflictDoNothing();
    let project = (await db.select().from(s.projects).where(eq(s.projects.orgId, org.id)).limit(1))[0];
    if (!project) {
      project = { id: newId("prj"), orgId: org.id, name: "Demo", slug: "demo", createdAt: now };
      await db.insert(s.projects).values(project);
    }
    for (const [kind, token] of [["api", opts.apiToken], ["agent", opts.agentToken]] as const) {
      const hash = await hashToken(token);
      const existing = await db.select().from(s.apiTokens).where(eq(s.apiTokens.hash, hash));
      if (existing.length === 0)
        await db.insert(s.apiTokens).values({
          id: newId("tok"), orgId: org.id, userId: user.id, kind, name: `local ${kind} token`,
          prefix: tokenDisplayPrefix(token), hash, createdAt: now,
        });
    }
    let registrar = (
      await db.select().from(s.registrars).where(and(eq(s.registrars.projectId, project.id), eq(s.registrars.builtin, true)))
    )[0];
    if (!registrar) {
      registrar = {
        id: newId("reg"), projectId: project.id, name: "Built-in registrar", domain: opts.registrarHost,
        port: opts.registrarPort, transport: "UDP", outboundProxy: null, tls: null, builtin: true, createdAt: now,
      };
      await db.insert(s.registrars).values(registrar);
    } else if (registrar.port !== opts.registrarPort || registrar.domain !== opts.registrarHost) {
      await db.update(s.registrars).set({ port: opts.registrarPort, domain: opts.registrarHost }).where(eq(s.registrars.id, registrar.id));
    }
    const existingAccounts = new Map(
      (await db.select().from(s.sipAccounts).where(eq(s.sipAccounts.registrarId, registrar.id))).map((a) => [a.username, a]),
    );
    for (const a of opts.accounts) {
      const old = existingAccounts.get(a.username);
      if (!old)
        await db.insert(s.sipAccounts).values({ id: newId("acc"), registrarId: registrar.id, username: a.username, password: a.password, authUsername: null, realm: null, createdAt: now });
      else if (old.password !== a.password)
        await db.update(s.sipAccounts).set({ password: a.password }).where(eq(s.sipAccounts.id, old.id));
    }
    let demo = (await db.select().from(s.tests).where(and(eq(s.tests.projectId, project.id), eq(s.tests.name, DEMO_TEST_NAME))))[0];
    if (!demo) {
      demo = {
        id: newId("tst"), projectId: project.id, name: DEMO_TEST_NAME,
        description: "Five endpoints in group A call five in group B through the built-in registrar, PCMU, 20 s calls.",
        durationSec: 20, buildupSec: 0, createdAt: now, updatedAt: now, deletedAt: null,
      };
      await db.insert(s.tests).values(demo);
      await db.insert(s.testGroups).values([
        { id: newId("grp"), testId: demo.id, position: 0, name: "A", registrarId: registrar.id, endpoints: 5, codec: "PCMU", calleeType: "GROUP", calleeGroup: "B", calleeUri: null, region: null },
        { id: newId("grp"), testId: demo.id, position: 1, name: "B", registrarId: registrar.id, endpoints: 5, codec: "PCMU", calleeType: "RECEIVE", calleeGroup: null, calleeUri: null, region: null },
      ]);
    }
    return { orgId: org.id, projectId: project.id, registrarId: registrar.id, demoTestId: demo.id };
  } finally {
    client.close();
  }
}

/** Accounts 1001…(1000+n) with per-installation random passwords. */
export function builtinAccounts(n: number, passwordFor: (username: string) => string): { username: string; password: string }[] {
  return Array.from({ length: n }, (_, i) => {
    const username = String(1001 + i);
    return { username, password: passwordFor(username) };
  });
}
