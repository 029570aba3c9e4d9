/**
 * Enumerations shared by edge, agent and web. Names are verbatim from the product we measure
 * ourselves against (see shared/reference/callmeter-inventory.md §2) so API users can switch tools.
 */
import { z } from "zod";

export const PROTOCOL_VERSION = 1 as const;

export const RUN_STATUSES = [
  "PENDING",
  "QUEUED",
  "RUNNING",
  "STOPPING",
  "COMPLETED",
  "FAILED",
  "CANNOT_RUN_FOR_NOW",
] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["COMPLETED", "FAILED", "CANNOT_RUN_FOR_NOW"];
export const isTerminalRunStatus = (s: RunStatus): boolean => TERMINAL_RUN_STATUSES.includes(s);

/** Endpoint phase: strictly forward (an endpoint never goes back to an earlier phase). */
export const ENDPOINT_PHASES = [
  "INITIALIZING",
  "REGISTERED",
  "CALLING",
  "RINGING",
  "NEGOTIATING",
  "INCALL",
  "DISCONNECTING",
  "CLOSED",
] as const;
export const EndpointPhase = z.enum(ENDPOINT_PHASES);
export type EndpointPhase = z.infer<typeof EndpointPhase>;

/** Endpoint outcome: set once, replaced only by a more severe one (severity below). */
export const ENDPOINT_OUTCOMES = [
  "SUCCESS",
  "COMPLETED_WITH_WARNINGS",
  "REGISTRATION_FAILED",
  "CALL_FAILED",
  "NEGOTIATION_FAILED",
  "TIMEOUT",
  "OSERROR",
  "TEARDOWN_ERROR",
] as const;
export const EndpointOutcome = z.enum(ENDPOINT_OUTCOMES);
export type EndpointOutcome = z.infer<typeof EndpointOutcome>;
export const OUTCOME_SEVERITY: Record<EndpointOutcome, number> = {
  SUCCESS: 0,
  COMPLETED_WITH_WARNINGS: 1,
  REGISTRATION_FAILED: 10,
  CALL_FAILED: 10,
  NEGOTIATION_FAILED: 10,
  TIMEOUT: 10,
  OSERROR: 10,
  TEARDOWN_ERROR: 10,
};

export const AGENT_STATUSES = ["ONLINE", "OFFLINE", "DRAINING", "ERROR"] as const;
export const AgentStatus = z.enum(AGENT_STATUSES);
export type AgentStatus = z.infer<typeof AgentStatus>;

/**
 * Faults an agent reports in its heartbeat; while one holds the agent is `ERROR` (recoverable:
 * it keeps running what it has, gets no new work, and is `ONLINE` again once the fault clears).
 */
export const AGENT_FAULT_CODES = [
  /** Opening a SIP or RTP socket failed for lack of file descriptors (EMFILE/ENFILE): raise `ulimit -n`. */
  "SOCKET_LIMIT",
  /** Opening a socket failed otherwise (EADDRNOTAVAIL, EACCES, …): the local address or permissions are wrong. */
  "SOCKET_ERROR",
  /** The event loop lagged past the limit for several heartbeats: media timing and metrics would be our fault, not the system under test's. */
  "OVERLOADED",
] as const;
export const AgentFaultCode = z.enum(AGENT_FAULT_CODES);
export type AgentFaultCode = z.infer<typeof AgentFaultCode>;

/** SIP transports. WSS and AUTO (RFC 3263) are accepted by the product we compare with; ours come later. */
export const SIP_TRANSPORTS = ["UDP", "TCP", "TLS"] as const;
export const SipTransport = z.enum(SIP_TRANSPORTS);
export type SipTransport = z.infer<typeof SipTransport>;

/**
 * G722 = ITU-T G.722 64 kbit/s, 16 kHz audio on an 8 kHz RTP clock (RFC 3551 §4.5.2).
 * OPUS = Opus (RFC 6716) over RTP per RFC 7587: 48 kHz RTP clock, dynamic payload type.
 */
export const AUDIO_CODECS = ["PCMU", "PCMA", "G722", "OPUS"] as const;
export const AudioCodec = z.enum(AUDIO_CODECS);
export type AudioCodec = z.infer<typeof AudioCodec>;
/** RTP payload types: static ones (RFC 3551 §6); Opus's is dynamic, 111 in our offers (RFC 7587 §7). */
export const CODEC_PAYLOAD_TYPE: Record<AudioCodec, number> = { PCMU: 0, PCMA: 8, G722: 9, OPUS: 111 };
/** Names for people (the test editor's codec selector). */
export const CODEC_LABEL: Record<AudioCodec, string> = {
  PCMU: "PCMU (G.711 µ-law)",
  PCMA: "PCMA (G.711 A-law)",
  G722: "G.722 (wideband)",
  OPUS: "Opus (wideband, 24 kbit/s)",
};

/** Why a run could not start. Each comes with a sentence for humans in `reason`. */
export const CANNOT_RUN_REASONS = [
  "PLAN_LIMIT_ENDPOINTS",
  "PLAN_LIMIT_DURATION",
  "PLAN_LIMIT_CONCURRENT_RUNS_PROJECT",
  "PLAN_LIMIT_CONCURRENT_RUNS_ORG",
  "PLAN_LIMIT_CONCURRENT_ENDPOINTS",
  "INSUFFICIENT_CREDITS",
  "NO_ONLINE_AGENT",
  "INSUFFICIENT_AGENT_CAPACITY",
  "INSUFFICIENT_SIP_ACCOUNTS",
  "REGISTRAR_MISSING",
  "INVALID_TEST_CONFIG",
] as const;
export const CannotRunReason = z.enum(CANNOT_RUN_REASONS);
export type CannotRunReason = z.infer<typeof CannotRunReason>;

/** Why a run FAILED (terminal, after it had started). */
export const RUN_FAILURE_REASONS = ["ALL_AGENTS_LOST", "ALL_REGISTRATIONS_FAILED", "INTERNAL_ERROR"] as const;
export const RunFailureReason = z.enum(RUN_FAILURE_REASONS);
export type RunFailureReason = z.infer<typeof RunFailureReason>;
