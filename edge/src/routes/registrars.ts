/** Registrars (the SIP servers under test) and their SIP accounts. */
import { Hono } from "hono";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { RegistrarCreate, RegistrarUpdate, SipAccountBulkCreate, type FieldIssue, type Registrar, type SipAccount } from "../../../protocol/index.js";
import { newId, nowIso } from "../../../db/ids.js";
import type { AppEnv } from "../app-env.js";
import { schema, type Db } from "../lib/db.js";
import { ApiException, notFound } from "../lib/errors.js";
import { ok } from "../lib/respond.js";
import { parseBody } from "../lib/validate.js";
import { requireProject } from "./projects.js";

type RegistrarRow = typeof schema.registrars.$inferSelect;

function toRegistrar(r: RegistrarRow, accountCount: number): Registrar {
  return {
    id: r.id, projectId: r.projectId, name: r.name, domain: r.domain, port: r.port, transport: r.transport,
    outboundProxy: r.outboundProxy, builtin: r.builtin, accountCount, createdAt: r.createdAt,
    // The client key is write-only: agents get it with their endpoints, the API never shows it.
    tls: r.tls
      ? { verify: r.tls.verify, ca: r.tls.ca ?? null, clientCert: r.tls.clientCert ?? null, hasClientKey: !!r.tls.clientKey, serverName: r.tls.serverName ?? null }
      : null,
  };
}

/** TLS settings only mean something for a TLS registrar: say so rather than store them silently. */
function checkTlsTransport(transport: string, tls: unknown) {
  if (tls && transport !== "TLS")
    throw new ApiException("VALIDATION_FAILED", `tls: only for transport TLS (this registrar uses ${transport})`, {
      issues: [{ path: "tls", message: `only for transport TLS (this registrar uses ${transport})` }] satisfies FieldIssue[],
    });
}

async function accountCounts(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: schema.sipAccounts.registrarId, n: sql<number>`count(*)` })
    .from(schema.sipAccounts)
    .where(inArray(schema.sipAccounts.registrarId, ids))
    .groupBy(schema.sipAccounts.registrarId);
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

async function requireRegistrar(db: Db, projectId: string, id: string): Promise<RegistrarRow> {
  const row = (await db.select().from(schema.registrars).where(and(eq(schema.registrars.id, id), eq(schema.registrars.projectId, projectId))).limit(1))[0];
  if (!row) throw notFound("registrar", id);
  return row;
}

/** libSQL caps a statement at 100 bound parameters; sip_accounts rows bind 7 each. */
const ACCOUNT_ROWS_PER_INSERT = 14;

export const registrarRoutes = new Hono<AppEnv>()
  .get("/:pid/registrars", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const rows = await db.select().from(schema.registrars).where(eq(schema.registrars.projectId, p.id));
    const counts = await accountCounts(db, rows.map((r) => r.id));
    return ok(c, rows.map((r) => toRegistrar(r, counts.get(r.id) ?? 0)));
  })
  .post("/:pid/registrars", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const body = await parseBody(c, RegistrarCreate);
    checkTlsTransport(body.transport, body.tls);
    const row: RegistrarRow = {
      id: newId("reg"), projectId: p.id, name: body.name, domain: body.domain, port: body.port ?? null,
      transport: body.transport, outboundProxy: body.outboundProxy ?? null, tls: body.tls ?? null, builtin: false, createdAt: nowIso(),
    };
    await c.get("db").insert(schema.registrars).values(row);
    return ok(c, toRegistrar(row, 0), 201);
  })
  .get("/:pid/registrars/:rid", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const r = await requireRegistrar(db, p.id, c.req.param("rid"));
    return ok(c, toRegistrar(r, (await accountCounts(db, [r.id])).get(r.id) ?? 0));
  })
  .patch("/:pid/registrars/:rid", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const r = await requireRegistrar(db, p.id, c.req.param("rid"));
    const body = await parseBody(c, RegistrarUpdate);
    const next = {
      ...r, ...body,
      port: body.port === undefined ? r.port : body.port,
      outboundProxy: body.outboundProxy === undefined ? r.outboundProxy : body.outboundProxy,
      // Switching away from TLS drops the TLS settings; `tls: null` clears them.
      tls: body.tls === undefined ? ((body.transport ?? r.transport) === "TLS" ? r.tls : null) : body.tls,
    };
    checkTlsTransport(next.transport, body.tls);
    await db.update(schema.registrars).set(next).where(eq(schema.registrars.id, r.id));
    return ok(c, toRegistrar(next, (await accountCounts(db, [r.id])).get(r.id) ?? 0));
  })
  .delete("/:pid/registrars/:rid", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const r = await requireRegistrar(db, p.id, c.req.param("rid"));
    const inUse = await db
      .select({ name: schema.tests.name })
      .from(schema.testGroups)
      .innerJoin(schema.tests, eq(schema.tests.id, schema.testGroups.testId))
      .where(and(eq(schema.testGroups.registrarId, r.id), isNull(schema.tests.deletedAt)))
      .limit(5);
    if (inUse.length)
      throw new ApiException("CONFLICT", `registrar ${r.id} is used by test${inUse.length > 1 ? "s" : ""} ${inUse.map((t) => `"${t.name}"`).join(", ")}; change or delete those tests first`);
    // Only deleted tests still point here; their runs keep their own copy of the config.
    await db.batch([
      db.delete(schema.testGroups).where(eq(schema.testGroups.registrarId, r.id)),
      db.delete(schema.sipAccounts).where(eq(schema.sipAccounts.registrarId, r.id)),
      db.delete(schema.registrars).where(eq(schema.registrars.id, r.id)),
    ]);
    return ok(c, { id: r.id, deleted: true });
  })
  .get("/:pid/registrars/:rid/accounts", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const r = await requireRegistrar(db, p.id, c.req.param("rid"));
    const rows = await db.select().from(schema.sipAccounts).where(eq(schema.sipAccounts.registrarId, r.id)).orderBy(schema.sipAccounts.username);
    const out: SipAccount[] = rows.map((a) => ({ id: a.id, registrarId: a.registrarId, username: a.username, authUsername: a.authUsername, realm: a.realm, createdAt: a.createdAt }));
    return ok(c, out);
  })
  .post("/:pid/registrars/:rid/accounts", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const r = await requireRegistrar(db, p.id, c.req.param("rid"));
    const body = await parseBody(c, SipAccountBulkCreate);
    // Every bad row is reported (an importer can mark them all), and nothing is written.
    const seen = new Map<string, number>();
    const duplicates: FieldIssue[] = [];
    body.accounts.forEach((a, i) => {
      const first = seen.get(a.username);
      if (first !== undefined) duplicates.push({ path: `accounts.${i}.username`, message: `duplicate of accounts.${first}.username ("${a.username}")` });
      else seen.set(a.username, i);
    });
    if (duplicates.length)
      throw new ApiException("VALIDATION_FAILED", `invalid body: ${duplicates[0]!.path}: ${duplicates[0]!.message}${duplicates.length > 1 ? ` (and ${duplicates.length - 1} more)` : ""}`, { issues: duplicates });
    const existing = await db.select({ username: schema.sipAccounts.username }).from(schema.sipAccounts).where(eq(schema.sipAccounts.registrarId, r.id));
    const taken = new Set(existing.map((e) => e.username));
    const clashes: FieldIssue[] = body.accounts.flatMap((a, i) => (taken.has(a.username) ? [{ path: `accounts.${i}.username`, message: `"${a.username}" already exists on this registrar` }] : []));
    if (clashes.length)
      throw new ApiException("CONFLICT", `${clashes[0]!.path}: ${clashes[0]!.message}${clashes.length > 1 ? ` (and ${clashes.length - 1} more)` : ""}`, { issues: clashes });
    const now = nowIso();
    const rows = body.accounts.map((a) => ({
      id: newId("acc"), registrarId: r.id, username: a.username, authUsername: a.authUsername ?? null,
      password: a.password, realm: a.realm ?? null, createdAt: now,
    }));
    const statements = [];
    for (let i = 0; i < rows.length; i += ACCOUNT_ROWS_PER_INSERT)
      statements.push(db.insert(schema.sipAccounts).values(rows.slice(i, i + ACCOUNT_ROWS_PER_INSERT)));
    // One batch = one transaction: all accounts are created or none.
    await db.batch(statements as [typeof statements[0], ...typeof statements]);
    const out: SipAccount[] = rows.map((a) => ({ id: a.id, registrarId: a.registrarId, username: a.username, authUsername: a.authUsername, realm: a.realm, createdAt: a.createdAt }));
    return ok(c, out, 201);
  })
  .delete("/:pid/registrars/:rid/accounts/:aid", async (c) => {
    const p = await requireProject(c, c.req.param("pid"));
    const db = c.get("db");
    const r = await requireRegistrar(db, p.id, c.req.param("rid"));
    const res = await db.delete(schema.sipAccounts).where(and(eq(schema.sipAccounts.id, c.req.param("aid")), eq(schema.sipAccounts.registrarId, r.id))).returning({ id: schema.sipAccounts.id });
    if (!res.length) throw notFound("SIP account", c.req.param("aid"));
    return ok(c, { id: res[0]!.id, deleted: true });
  });
