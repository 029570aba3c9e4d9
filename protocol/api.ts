/**
 * REST API bodies, queries and responses (`/api/v1`). Success: `{data, meta}`; error:
 * `{error:{code, message, details}}`. Shapes follow the product we measure ourselves against.
 */
import { z } from "zod";
import {
  AudioCodec,
  CannotRunReason,
  EndpointOutcome,
  EndpointPhase,
  RunFailureReason,
  RunStatus,
  SipTransport,
  AgentStatus,
  type AgentFaultCode,
} from "./enums.js";
import { Timings } from "./metrics.js";
import type { SipTraceEntry } from "./wire.js";

const name = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
/** A host name or IPv4/IPv6 literal, no scheme, no port. */
const host = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(253)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+|[0-9a-fA-F:]+)$/, "must be a host name or IP address without scheme or port");
const port = z.number().int().min(1).max(65535);
/** `host` or `host:port` */
const hostPort = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, "must be host or host:port");
const sipUser = z
  .string()
  .min(1, "must not be empty")
  .max(64)
  .regex(/^[A-Za-z0-9\-_.!~*'()&=+$,;?/]+$/, "may contain only SIP user characters (RFC 3261 §25.1)");

// ---- common envelopes -------------------------------------------------------------------------
export const ApiErrorCode = z.enum([
  "VALIDATION_FAILED",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "INVALID_STATE",
  "UNAVAILABLE",
  "INTERNAL",
  "RATE_LIMITED",
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `groups.1.endpoints`. */
  path: string;
  message: string;
}
export interface ApiError {
  error: { code: ApiErrorCode; message: string; details?: { issues?: FieldIssue[]; [k: string]: unknown } };
}
export interface ApiSuccess<T> {
  data: T;
  meta: { requestId: string; pagination?: { page: number; perPage: number; total: number } };
}

export const PaginationQuery = z
  .object({
    page: z.coerce.number().int().min(1).default(1),
    perPage: z.coerce.number().int().min(1).max(500).default(25),
  })
  .strict();

// ---- projects ---------------------------------------------------------------------------------
export interface Project {
  id: string;
  orgId: string;
  name: string;
  slug: string;
  createdAt: string;
}

// ---- registrars and SIP accounts --------------------------------------------------------------
const pem = (label: string) =>
  z.string().max(65_536).regex(new RegExp(`-----BEGIN [A-Z0-9 ]*${label}[A-Z0-9 ]*-----[\\s\\S]+-----END [A-Z0-9 ]*${label}[A-Z0-9 ]*-----`), `must be a PEM ${label}`);
/**
 * TLS settings of a registrar whose transport is TLS (RFC 3261 §26.2): how the agent verifies the
 * server's certificate, and an optional client certificate for mutual TLS (also the certificate
 * the agent's TLS listener presents when the server opens a connection to deliver a call).
 */
export const RegistrarTls = z
  .object({
    /** `system`: the OS trust store (default); `custom`: only `ca`; `skip`: no verification (lab use). */
    verify: z.enum(["system", "custom", "skip"]).default("system"),
    /** CA certificate(s) for `custom` verification, PEM. */
    ca: pem("CERTIFICATE").optional(),
    clientCert: pem("CERTIFICATE").optional(),
    /** Write-only: never returned by the API. */
    clientKey: pem("PRIVATE KEY").optional(),
    /** SNI and the name the certificate must match, when it differs from the registrar's domain or proxy host. */
    serverName: host.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.verify === "custom" && !t.ca) ctx.addIssue({ code: "custom", path: ["ca"], message: 'is required when verify is "custom"' });
    if (t.verify !== "custom" && t.ca) ctx.addIssue({ code: "custom", path: ["ca"], message: 'is only used when verify is "custom"' });
    if (!!t.clientCert !== !!t.clientKey)
      ctx.addIssue({ code: "custom", path: [t.clientCert ? "clientKey" : "clientCert"], message: "client certificate and key go together" });
  });
export type RegistrarTls = z.infer<typeof RegistrarTls>;
/** What the API shows of a registrar's TLS settings (the key never leaves the server except to agents). */
export interface RegistrarTlsView {
  verify: "system" | "custom" | "skip";
  ca: string | null;
  clientCert: string | null;
  hasClientKey: boolean;
  serverName: string | null;
}

export const RegistrarCreate = z
  .object({
    name,
    domain: host,
    port: port.optional(),
    transport: SipTransport.default("UDP"),
    /** Outbound proxy `host[:port]`; requests are sent there with a Route header (RFC 3261 §8.1.2). */
    outboundProxy: hostPort.optional(),
    /** Only with transport TLS. */
    tls: RegistrarTls.optional(),
  })
  .strict();
export type RegistrarCreate = z.infer<typeof RegistrarCreate>;
/** Partial update; `port: null` / `outboundProxy: null` clear them (absent keeps the stored value). */
export const RegistrarUpdate = RegistrarCreate.extend({
  port: port.nullable().optional(),
  outboundProxy: hostPort.nullable().optional(),
  tls: RegistrarTls.nullable().optional(),
}).partial().strict();
export interface Registrar extends Omit<RegistrarCreate, "outboundProxy" | "port" | "tls"> {
  id: string;
  projectId: string;
  port: number | null;
  outboundProxy: string | null;
  tls: RegistrarTlsView | null;
  /** True for the built-in registrar the local stack starts. */
  builtin: boolean;
  accountCount: number;
  createdAt: string;
}

export const SipAccountCreate = z
  .object({
    username: sipUser,
    password: z.string().min(1, "must not be empty").max(128),
    /** Digest auth user when it differs from the AoR user. */
    authUsername: sipUser.optional(),
    /** Realm; learned from the 401/407 challenge when absent. */
    realm: z.string().min(1).max(253).optional(),
  })
  .strict();
export type SipAccountCreate = z.infer<typeof SipAccountCreate>;
export const SipAccountBulkCreate = z
  .object({ accounts: z.array(SipAccountCreate).min(1, "must contain at least one account").max(10_000) })
  .strict();
export interface SipAccount {
  id: string;
  registrarId: string;
  username: string;
  authUsername: string | null;
  realm: string | null;
  createdAt: string;
}

// ---- tests and groups -------------------------------------------------------------------------
export const CalleeTarget = z.discriminatedUnion("type", [
  z.object({ type: z.literal("GROUP"), group: name }).strict(),
  z.object({ type: z.literal("EXTERNAL"), uri: z.string().regex(/^sips?:[^\s]+$/, "must be a sip: or sips: URI") }).strict(),
  z.object({ type: z.literal("RECEIVE") }).strict(),
]);
export type CalleeTarget = z.infer<typeof CalleeTarget>;

export const TestGroup = z
  .object({
    name,
    registrarId: z.string().min(1),
    endpoints: z.number().int().min(1, "must be at least 1").max(10_000, "must be at most 10000"),
    codec: AudioCodec.default("PCMU"),
    callee: CalleeTarget,
    /** Region the group's endpoints run in; `null` = any ONLINE agent. */
    region: z.string().min(1).max(64).nullable().default(null),
    /** Explicit assignment: only these agents (ids) run the group's endpoints; `null` = by region. */
    agents: z.array(z.string().min(1).max(128)).min(1, "must list at least one agent, or be null").max(1000).nullable().default(null),
    /**
     * Media encryption, required on both sides: `SDES` = SRTP keyed in the SDP (RFC 4568, RTP/SAVP);
     * `DTLS` = SRTP keyed by a DTLS handshake on the RTP port (RFC 5764, UDP/TLS/RTP/SAVP, the peer's
     * certificate checked against its `a=fingerprint`, RFC 5763); `OFF` = plain RTP.
     */
    srtp: z.enum(["OFF", "SDES", "DTLS"]).default("OFF"),
  })
  .strict();
export type TestGroup = z.infer<typeof TestGroup>;

const testShape = {
  name,
  description: z.string().max(2000).default(""),
  /** Seconds each call stays up. */
  durationSec: z.number().int().min(5, "must be at least 5").max(86_400, "must be at most 86400"),
  /** Registrations are spread over this many seconds to avoid a REGISTER storm. */
  buildupSec: z.number().int().min(0).max(3600).default(0),
  groups: z.array(TestGroup).min(1, "must contain at least one group").max(50),
};
function checkGroupRefs(t: { groups: TestGroup[] }, ctx: z.RefinementCtx) {
  const names = new Set<string>();
  t.groups.forEach((g, i) => {
    if (names.has(g.name)) ctx.addIssue({ code: "custom", path: ["groups", i, "name"], message: `duplicate group name "${g.name}"` });
    names.add(g.name);
  });
  t.groups.forEach((g, i) => {
    if (g.callee.type !== "GROUP") return;
    const target = g.callee.group;
    if (!names.has(target))
      ctx.addIssue({ code: "custom", path: ["groups", i, "callee", "group"], message: `no group named "${target}" in this test` });
    else if (target === g.name)
      ctx.addIssue({ code: "custom", path: ["groups", i, "callee", "group"], message: "a group cannot call itself" });
    else if (t.groups.find((o) => o.name === target)?.callee.type !== "RECEIVE")
      ctx.addIssue({ code: "custom", path: ["groups", i, "callee", "group"], message: `group "${target}" must have callee type RECEIVE to be called` });
  });
}
export const TestCreate = z.object(testShape).strict().superRefine(checkGroupRefs);
export type TestCreate = z.infer<typeof TestCreate>;
export const TestUpdate = TestCreate;
export interface Test extends TestCreate {
  id: string;
  projectId: string;
  totalEndpoints: number;
  createdAt: string;
  updatedAt: string;
}

// ---- plan -------------------------------------------------------------------------------------
/** An org's plan limits, checked when a run is admitted (CANNOT_RUN_FOR_NOW with a PLAN_LIMIT_* reason). */
export interface PlanLimits {
  maxEndpointsPerTest: number;
  maxDurationSec: number;
  maxConcurrentRunsPerProject: number;
  maxConcurrentRunsPerOrg: number;
  maxConcurrentEndpoints: number;
}
/** `GET /plan`: the active org's limits, credits and what its running tests hold now. */
export interface PlanInfo {
  limits: PlanLimits;
  /** `balance: null` = unmetered (self-hosted). A run reserves endpoints × ⌈(buildup + duration) / 60⌉ credits. */
  credits: { balance: number | null; reserved: number };
  usage: { runningRuns: number; runningEndpoints: number };
}

// ---- runs -------------------------------------------------------------------------------------
export const RunCreate = z
  .object({
    /** Override the test's call duration for this run only. */
    durationSec: z.number().int().min(5).max(86_400).optional(),
  })
  .strict();
export type RunCreate = z.infer<typeof RunCreate>;

export interface AggregateSummary {
  mos: number | null;
  jitter_ms: number | null;
  fraction_lost: number | null;
  rtt_ms: number | null;
  callSuccessRate: number | null;
  registrationRate: number | null;
  setupTimeMs: { p50: number | null; p95: number | null };
}
export interface RunSummary extends AggregateSummary {
  endpoints: number;
  phaseCounts: Partial<Record<EndpointPhase, number>>;
  outcomeCounts: Partial<Record<EndpointOutcome, number>>;
  groups: { name: string; endpoints: number; outcomeCounts: Partial<Record<EndpointOutcome, number>>; mos: number | null }[];
}
export interface TestRun {
  id: string;
  projectId: string;
  testId: string;
  testName: string;
  status: RunStatus;
  reasonCode: CannotRunReason | RunFailureReason | null;
  reason: string | null;
  durationSec: number;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  summary: RunSummary | null;
}

export const EndpointListQuery = PaginationQuery.extend({
  group: z.string().optional(),
  phase: EndpointPhase.optional(),
  outcome: EndpointOutcome.optional(),
}).strict();

export interface RunEndpoint {
  id: string;
  runId: string;
  group: string;
  index: number;
  username: string;
  role: "CALLER" | "RECEIVER";
  agentId: string | null;
  phase: EndpointPhase;
  outcome: EndpointOutcome | null;
  statusCode: number | null;
  statusText: string | null;
  timings: Timings;
  /** The last per-second values reported. */
  metrics: Record<string, number>;
}
export interface EndpointDetail extends RunEndpoint {
  /** Per-second samples: `t` epoch seconds. */
  series: { t: number; m: Record<string, number> }[];
  trace: SipTraceEntry[];
}

// ---- run history and comparison -----------------------------------------------------------------
/** One second of a run's aggregates across endpoints (libSQL `run_series`). */
export interface RunSeriesPoint {
  /** Epoch seconds. */
  t: number;
  /** Seconds since the run's first point, so two runs overlay. */
  offsetSec: number;
  mos: number | null;
  jitter_ms: number | null;
  fraction_lost: number | null;
  rtt_ms: number | null;
  /** Endpoints that reported media that second. */
  reporting: number;
}

/** `GET …/test-runs/compare?base=<run id>&other=<run id>`: `base` is the baseline. */
export const RunCompareQuery = z
  .object({
    base: z.string({ error: "is required: the baseline run id" }).trim().min(1, "must not be empty"),
    other: z.string({ error: "is required: the id of the run to compare with the baseline" }).trim().min(1, "must not be empty"),
  })
  .strict()
  .refine((q) => q.base !== q.other, { path: ["other"], message: "must be a different run than base" });
export type RunCompareQuery = z.infer<typeof RunCompareQuery>;

export const COMPARED_FIGURES = ["mos", "jitter_ms", "fraction_lost", "rtt_ms", "callSuccessRate", "registrationRate", "setupTimeP95Ms"] as const;
export type ComparedFigure = (typeof COMPARED_FIGURES)[number];
/** How `other` moved against `base`: worse by more than the figure's tolerance is a regression. */
export type DeltaVerdict = "regression" | "improvement" | "same" | "unknown";
export interface RunDelta {
  key: ComparedFigure;
  label: string;
  unit: string;
  better: "higher" | "lower";
  base: number | null;
  other: number | null;
  /** `other - base`, null when either is missing. */
  delta: number | null;
  verdict: DeltaVerdict;
}
export interface RunComparison {
  base: TestRun;
  other: TestRun;
  series: { base: RunSeriesPoint[]; other: RunSeriesPoint[] };
  deltas: RunDelta[];
}

// ---- agents and tokens ------------------------------------------------------------------------
export interface Agent {
  id: string;
  name: string;
  region: string;
  capacity: number;
  version: string;
  status: AgentStatus;
  /** CPU as a fraction of one core (from the agent's heartbeat). */
  load: number;
  /** Endpoints the agent is running now. */
  activeEndpoints: number;
  lastSeenAt: string | null;
  /** What the agent said about its host when it connected. */
  host: { hostname: string; platform: string; cpus: number; memMb: number } | null;
  /** Set while the agent reports a fault (status ERROR): what is wrong and what to do. */
  fault: { code: AgentFaultCode; message: string } | null;
}
/** `POST /tokens`: the token and, this once, its secret. */
export interface ApiTokenCreated extends ApiToken {
  token: string;
}
/** `POST …/tests/{tid}/run`. */
export interface RunStarted {
  testRunId: string;
  status: "PENDING";
}
export const TokenCreate = z
  .object({ name, kind: z.enum(["api", "agent"]).default("api") })
  .strict();
export interface ApiToken {
  id: string;
  name: string;
  kind: "api" | "agent";
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export { Timings };

// ---- sign-in (people) ------------------------------------------------------------------------

/** `POST /auth/login`. */
export const LoginRequest = z
  .object({
    email: z.string().trim().min(1, "is required").max(254, "must be at most 254 characters").email("must be an email address"),
    password: z.string().min(1, "is required").max(1024, "must be at most 1024 characters"),
  })
  .strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

/** Viewer < Tester < Editor < Admin < Owner. */
export type OrgRole = "VIEWER" | "TESTER" | "EDITOR" | "ADMIN" | "OWNER";
/** `GET /me`: who is signed in, the orgs they belong to, and those orgs' projects. */
export interface Me {
  user: { id: string; email: string; name: string } | null;
  /** How this request was authenticated. */
  auth: "session" | "token";
  /** The org requests act in (the `X-Ringfleet-Org` header if given, else the first membership). */
  activeOrgId: string;
  orgs: { id: string; name: string; role: OrgRole }[];
  projects: Project[];
}
/** Request header choosing which of the user's orgs a session request acts in. */
export const ORG_HEADER = "x-ringfleet-org";
