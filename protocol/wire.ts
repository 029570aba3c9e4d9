/**
 * WebSocket messages between agent, edge and dashboard. Every message is JSON, a discriminated
 * union on `type`, and carries the protocol version `v`. Parse with the exported schemas: a bad
 * message gets an `error` reply naming the field, and is not acted on.
 */
import { z } from "zod";
import {
  AgentFaultCode,
  AudioCodec,
  EndpointOutcome,
  EndpointPhase,
  PROTOCOL_VERSION,
  RunStatus,
  SipTransport,
  CannotRunReason,
  RunFailureReason,
} from "./enums.js";
import { SecondMetrics, Timings } from "./metrics.js";

const v = z.literal(PROTOCOL_VERSION);
const id = z.string().min(1).max(128);

// ---- endpoint assignment (run → agent) --------------------------------------------------------
export const EndpointSpec = z
  .object({
    id,
    group: z.string(),
    role: z.enum(["CALLER", "RECEIVER"]),
    account: z
      .object({
        username: z.string().min(1),
        authUsername: z.string().min(1),
        password: z.string(),
        realm: z.string().nullable(),
      })
      .strict(),
    registrar: z
      .object({
        domain: z.string().min(1),
        /** Where to send: the outbound proxy if set, else the registrar. */
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535),
        transport: SipTransport,
        outboundProxy: z.boolean(),
        /** TLS transport settings (server verification, client certificate for mTLS and our TLS listener). */
        tls: z
          .object({
            verify: z.enum(["system", "custom", "skip"]),
            ca: z.string().optional(),
            cert: z.string().optional(),
            key: z.string().optional(),
            serverName: z.string().optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    codec: AudioCodec,
    /** SRTP with SDES keys (RFC 4568) when "SDES", DTLS-SRTP (RFC 5764) when "DTLS"; absent = plain RTP. */
    srtp: z.enum(["SDES", "DTLS"]).optional(),
    /** Seconds the call stays up once answered (callers hang up; receivers wait for BYE). */
    durationSec: z.number().int().positive(),
    /** Delay before this endpoint's REGISTER, for buildup spreading. */
    startDelayMs: z.number().int().min(0),
    /** Callers: the URI to INVITE (resolved by the run object; receivers have none). */
    target: z.string().nullable(),
  })
  .strict();
export type EndpointSpec = z.infer<typeof EndpointSpec>;

/** One SIP message as an endpoint saw it. `t` epoch ms; `remote` is `transport host:port` of the other side. */
export const SipTraceEntry = z
  .object({ t: z.number(), dir: z.enum(["out", "in"]), remote: z.string(), text: z.string().max(65_535) })
  .strict();
export type SipTraceEntry = z.infer<typeof SipTraceEntry>;

/** One endpoint's state in a frame. `m` holds the last second's metrics; `trace` the messages since the last frame. */
export const EndpointSample = z
  .object({
    id,
    phase: EndpointPhase,
    outcome: EndpointOutcome.nullable().optional(),
    statusCode: z.number().int().min(100).max(699).nullable().optional(),
    statusText: z.string().max(200).nullable().optional(),
    m: SecondMetrics.optional(),
    timings: Timings.optional(),
    trace: z.array(SipTraceEntry).max(200).optional(),
  })
  .strict();
export type EndpointSample = z.infer<typeof EndpointSample>;

export const AgentLoad = z
  .object({ cpu: z.number().min(0), loopLagMs: z.number().min(0), pps: z.number().min(0), drops: z.number().int().min(0) })
  .strict();
export type AgentLoad = z.infer<typeof AgentLoad>;

// ---- agent → fleet ----------------------------------------------------------------------------
export const AgentHello = z
  .object({
    v,
    type: z.literal("hello"),
    agentId: id,
    name: z.string().min(1).max(120),
    region: z.string().min(1).max(64),
    capacity: z.number().int().min(1).max(100_000),
    version: z.string().min(1).max(64),
    host: z.object({ hostname: z.string(), platform: z.string(), cpus: z.number().int(), memMb: z.number().int() }).strict(),
    /** Runs the agent is still part of (so a restarted edge or agent can resume them). */
    activeRuns: z.array(id).max(1000).default([]),
  })
  .strict();
/** Why the agent cannot take work right now (its status is ERROR until a heartbeat without it). */
export const AgentFault = z.object({ code: AgentFaultCode, message: z.string().min(1).max(500) }).strict();
export type AgentFault = z.infer<typeof AgentFault>;
export const AgentHeartbeat = z
  .object({ v, type: z.literal("heartbeat"), load: AgentLoad, activeEndpoints: z.number().int().min(0), fault: AgentFault.nullable().default(null) })
  .strict();
/** The agent is shutting down: finish current runs, take no new work (status DRAINING). */
export const AgentDraining = z.object({ v, type: z.literal("draining") }).strict();
export const AgentToFleet = z.discriminatedUnion("type", [AgentHello, AgentHeartbeat, AgentDraining]);
export type AgentToFleet = z.infer<typeof AgentToFleet>;

// ---- fleet → agent ----------------------------------------------------------------------------
export const FleetWelcome = z.object({ v, type: z.literal("welcome"), agentId: id, heartbeatMs: z.number().int() }).strict();
export const FleetAssign = z.object({ v, type: z.literal("assign"), runId: id }).strict();
export const FleetDrain = z.object({ v, type: z.literal("drain") }).strict();
export const WireError = z
  .object({ v, type: z.literal("error"), code: z.string(), message: z.string(), path: z.string().optional() })
  .strict();
export const FleetToAgent = z.discriminatedUnion("type", [FleetWelcome, FleetAssign, FleetDrain, WireError]);
export type FleetToAgent = z.infer<typeof FleetToAgent>;

// ---- agent → run ------------------------------------------------------------------------------
export const RunJoin = z
  .object({ v, type: z.literal("join"), agentId: id, runId: id, lastAckedSeq: z.number().int().min(0) })
  .strict();
/** Per-second frame. `seq` starts at 1 per agent per run; the run object ignores seq it has already applied. */
export const RunFrame = z
  .object({
    v,
    type: z.literal("frame"),
    seq: z.number().int().min(1),
    /** Epoch milliseconds at which the agent sampled. */
    t: z.number(),
    endpoints: z.array(EndpointSample).max(20_000),
    agent: AgentLoad,
  })
  .strict();
export type RunFrame = z.infer<typeof RunFrame>;
/** Sent once every endpoint this agent was given is CLOSED and its last frame is queued. */
export const RunAgentDone = z.object({ v, type: z.literal("done"), lastSeq: z.number().int().min(0) }).strict();
export const AgentToRun = z.discriminatedUnion("type", [RunJoin, RunFrame, RunAgentDone]);
export type AgentToRun = z.infer<typeof AgentToRun>;

// ---- run → agent ------------------------------------------------------------------------------
export const RunDispatch = z
  .object({ v, type: z.literal("dispatch"), runId: id, endpoints: z.array(EndpointSpec).max(20_000) })
  .strict();
export type RunDispatch = z.infer<typeof RunDispatch>;
export const RunAck = z
  .object({
    v,
    type: z.literal("ack"),
    seq: z.number().int().min(0),
    /** Sent with the join's ack: at which millisecond of each second this agent sends its frames (spreads the run's agents). */
    frameOffsetMs: z.number().int().min(0).max(999).optional(),
  })
  .strict();
export const RunStop = z.object({ v, type: z.literal("stop"), reason: z.string() }).strict();
export const RunToAgent = z.discriminatedUnion("type", [RunDispatch, RunAck, RunStop, WireError]);
export type RunToAgent = z.infer<typeof RunToAgent>;

// ---- run → viewer -----------------------------------------------------------------------------
export const LiveAggregate = z
  .object({
    /** Epoch seconds. */
    t: z.number(),
    mos: z.number().nullable(),
    jitter_ms: z.number().nullable(),
    fraction_lost: z.number().nullable(),
    rtt_ms: z.number().nullable(),
    /** Endpoints that reported media this second. */
    reporting: z.number().int(),
  })
  .strict();
export type LiveAggregate = z.infer<typeof LiveAggregate>;

export const LiveEndpoint = z
  .object({
    id,
    group: z.string(),
    index: z.number().int(),
    username: z.string(),
    role: z.enum(["CALLER", "RECEIVER"]),
    phase: EndpointPhase,
    outcome: EndpointOutcome.nullable(),
    statusCode: z.number().int().nullable(),
    mos: z.number().nullable(),
    /** The last second's jitter, loss (%) and RTT, so the endpoint list can sort and colour by them. */
    jitter_ms: z.number().nullable().optional(),
    fraction_lost: z.number().nullable().optional(),
    rtt_ms: z.number().nullable().optional(),
  })
  .strict();
export type LiveEndpoint = z.infer<typeof LiveEndpoint>;

export const LiveRunState = z
  .object({
    runId: id,
    status: RunStatus,
    reasonCode: z.union([CannotRunReason, RunFailureReason]).nullable(),
    reason: z.string().nullable(),
    durationSec: z.number(),
    startedAt: z.number().nullable(),
    endedAt: z.number().nullable(),
    phaseCounts: z.record(z.string(), z.number()),
    outcomeCounts: z.record(z.string(), z.number()),
  })
  .strict();
export type LiveRunState = z.infer<typeof LiveRunState>;

export const LiveSnapshot = z
  .object({ v, type: z.literal("snapshot"), run: LiveRunState, series: z.array(LiveAggregate), endpoints: z.array(LiveEndpoint) })
  .strict();
export const LiveTick = z
  .object({ v, type: z.literal("tick"), run: LiveRunState, aggregate: LiveAggregate.nullable(), endpoints: z.array(LiveEndpoint) })
  .strict();
export const RunToViewer = z.discriminatedUnion("type", [LiveSnapshot, LiveTick, WireError]);
export type RunToViewer = z.infer<typeof RunToViewer>;
export type LiveSnapshot = z.infer<typeof LiveSnapshot>;
export type LiveTick = z.infer<typeof LiveTick>;

/** Format a zod error as `path: message` naming the first offending field. */
export function describeIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0];
  const path = issue ? issue.path.map(String).join(".") : "";
  return { path, message: issue ? `${path || "(root)"}: ${issue.message}` : "invalid message" };
}

/** Parse a JSON text against a schema; never throws. */
export function parseWire<T>(schema: z.ZodType<T>, text: string):
  | { ok: true; value: T }
  | { ok: false; path: string; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, path: "", message: "message is not valid JSON" };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const d = describeIssue(r.error);
  return { ok: false, path: d.path, message: d.message };
}
