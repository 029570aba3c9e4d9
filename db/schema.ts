/**
 * The system of record (Turso / libSQL). Live run data lives in each run's Durable Object; this
 * holds what is listed and compared across runs. Timestamps are ISO-8601 UTC text.
 */
import type { RegistrarTls } from "../protocol/api.js";
import { sqliteTable, text, integer, real, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";

export const orgs = sqliteTable("orgs", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Plan limits (edge/src/runs/quota.ts PlanLimits, JSON); null = the self-hosted defaults. */
  planLimits: text("plan_limits", { mode: "json" }),
  /** Credits (endpoint-minutes) the org starts with; null = unmetered (self-hosted). QuotaObject keeps the live balance. */
  credits: integer("credits"),
  createdAt: text("created_at").notNull(),
});

export const ROLES = ["VIEWER", "TESTER", "EDITOR", "ADMIN", "OWNER"] as const;

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** The user's first org (kept for older code and tokens); `memberships` is the source of truth. */
    orgId: text("org_id").notNull().references(() => orgs.id),
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** Viewer < Tester < Editor < Admin < Owner (the role in `orgId`; see `memberships`). */
    role: text("role", { enum: ROLES }).notNull(),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` (db/passwords.ts); null = cannot sign in with a password. */
    passwordHash: text("password_hash"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("users_email").on(t.email)],
);

/** Which orgs a user belongs to, and with which role. */
export const memberships = sqliteTable(
  "memberships",
  {
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.orgId] }), index("memberships_org").on(t.orgId)],
);

/** Dashboard sign-in sessions. The cookie holds a random id; only its SHA-256 is stored. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    /** SHA-256 (hex) of the cookie's secret. */
    hash: text("hash").notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: text("created_at").notNull(),
    /** Sliding: moved forward when the session is used (edge/src/lib/sessions.ts). */
    expiresAt: text("expires_at").notNull(),
    lastUsedAt: text("last_used_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("sessions_hash").on(t.hash), index("sessions_user").on(t.userId)],
);

/**
 * Failed sign-ins per key (`ip:<address>` and `email:<lower-case email>|ip:<address>`), for the
 * lock-out in edge/src/lib/login-throttle.ts. Times are epoch milliseconds.
 */
export const loginThrottle = sqliteTable("login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStart: integer("window_start").notNull(),
  lockedUntil: integer("locked_until"),
});

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("projects_org_slug").on(t.orgId, t.slug)],
);

/** API tokens (kind `api`) and agent tokens (kind `agent`). Only the SHA-256 of the secret is kept. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id),
    userId: text("user_id").references(() => users.id),
    kind: text("kind", { enum: ["api", "agent"] }).notNull(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("api_tokens_hash").on(t.hash)],
);

export const registrars = sqliteTable(
  "registrars",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id),
    name: text("name").notNull(),
    domain: text("domain").notNull(),
    port: integer("port"),
    transport: text("transport", { enum: ["UDP", "TCP", "TLS"] }).notNull(),
    outboundProxy: text("outbound_proxy"),
    /** TLS settings (protocol/api.ts RegistrarTls) when transport is TLS; null = verify with the system CAs. */
    tls: text("tls", { mode: "json" }).$type<RegistrarTls>(),
    builtin: integer("builtin", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("registrars_project").on(t.projectId)],
);

export const sipAccounts = sqliteTable(
  "sip_accounts",
  {
    id: text("id").primaryKey(),
    registrarId: text("registrar_id").notNull().references(() => registrars.id, { onDelete: "cascade" }),
    username: text("username").notNull(),
    authUsername: text("auth_username"),
    password: text("password").notNull(),
    realm: text("realm"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("sip_accounts_registrar_user").on(t.registrarId, t.username)],
);

export const tests = sqliteTable(
  "tests",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    durationSec: integer("duration_sec").notNull(),
    buildupSec: integer("buildup_sec").notNull().default(0),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    deletedAt: text("deleted_at"),
  },
  (t) => [index("tests_project").on(t.projectId)],
);

export const testGroups = sqliteTable(
  "test_groups",
  {
    id: text("id").primaryKey(),
    testId: text("test_id").notNull().references(() => tests.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    name: text("name").notNull(),
    registrarId: text("registrar_id").notNull().references(() => registrars.id),
    endpoints: integer("endpoints").notNull(),
    // Type-level only (SQLite text, no CHECK): the column already holds any codec name.
    codec: text("codec", { enum: ["PCMU", "PCMA", "G722", "OPUS"] }).notNull(),
    calleeType: text("callee_type", { enum: ["GROUP", "EXTERNAL", "RECEIVE"] }).notNull(),
    calleeGroup: text("callee_group"),
    calleeUri: text("callee_uri"),
    region: text("region"),
    /** Explicit agent ids (JSON array) or null for region auto-distribution. */
    agentIds: text("agent_ids", { mode: "json" }).$type<string[] | null>(),
    /** Media encryption (protocol/api.ts TestGroup.srtp). */
    srtp: text("srtp", { enum: ["OFF", "SDES", "DTLS"] }).notNull().default("OFF"),
  },
  (t) => [index("test_groups_test").on(t.testId)],
);

export const testRuns = sqliteTable(
  "test_runs",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull().references(() => projects.id),
    testId: text("test_id").notNull().references(() => tests.id),
    testName: text("test_name").notNull(),
    status: text("status", {
      enum: ["PENDING", "QUEUED", "RUNNING", "STOPPING", "COMPLETED", "FAILED", "CANNOT_RUN_FOR_NOW"],
    }).notNull(),
    reasonCode: text("reason_code"),
    reason: text("reason"),
    durationSec: integer("duration_sec").notNull(),
    /** The test and groups as they were when the run started (JSON). */
    config: text("config", { mode: "json" }).notNull(),
    summary: text("summary", { mode: "json" }),
    createdAt: text("created_at").notNull(),
    queuedAt: text("queued_at"),
    startedAt: text("started_at"),
    endedAt: text("ended_at"),
  },
  (t) => [index("test_runs_project_created").on(t.projectId, t.createdAt), index("test_runs_test").on(t.testId)],
);

/** Final per-endpoint results, written when the run ends. */
export const runEndpoints = sqliteTable(
  "run_endpoints",
  {
    id: text("id").primaryKey(),
    runId: text("run_id").notNull().references(() => testRuns.id, { onDelete: "cascade" }),
    groupName: text("group_name").notNull(),
    idx: integer("idx").notNull(),
    username: text("username").notNull(),
    role: text("role", { enum: ["CALLER", "RECEIVER"] }).notNull(),
    agentId: text("agent_id"),
    phase: text("phase").notNull(),
    outcome: text("outcome"),
    statusCode: integer("status_code"),
    statusText: text("status_text"),
    timings: text("timings", { mode: "json" }).notNull(),
    metrics: text("metrics", { mode: "json" }).notNull(),
    /** Averages of the key metrics over the endpoint's whole run (mos, jitter_ms, fraction_lost, rtt_ms). */
    callAverages: text("call_averages", { mode: "json" }),
    /** The key metrics downsampled to at most 60 steps (edge/src/runs/downsample.ts); the full series stays in the run object. */
    series: text("series", { mode: "json" }),
  },
  (t) => [index("run_endpoints_run").on(t.runId)],
);

/** A run's per-second aggregates across endpoints (for history and run comparison). */
export const runSeries = sqliteTable(
  "run_series",
  {
    runId: text("run_id").notNull().references(() => testRuns.id, { onDelete: "cascade" }),
    /** Epoch seconds. */
    t: integer("t").notNull(),
    mos: real("mos"),
    jitterMs: real("jitter_ms"),
    fractionLost: real("fraction_lost"),
    rttMs: real("rtt_ms"),
    reporting: integer("reporting").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.t] })],
);

/** The same per-second aggregates per test group (written during the run, every few seconds, and at its end). */
export const runGroupSeries = sqliteTable(
  "run_group_series",
  {
    runId: text("run_id").notNull().references(() => testRuns.id, { onDelete: "cascade" }),
    groupName: text("group_name").notNull(),
    /** Epoch seconds. */
    t: integer("t").notNull(),
    mos: real("mos"),
    jitterMs: real("jitter_ms"),
    fractionLost: real("fraction_lost"),
    rttMs: real("rtt_ms"),
    reporting: integer("reporting").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.groupName, t.t] })],
);

export const agents = sqliteTable(
  "agents",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id),
    name: text("name").notNull(),
    region: text("region").notNull(),
    capacity: integer("capacity").notNull(),
    version: text("version").notNull(),
    lastSeenAt: text("last_seen_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("agents_org").on(t.orgId)],
);
