/** Ringfleet's SIP stack: codec, transactions, UDP transport, digest and the user agent API. */
export { createUserAgent } from "./ua/core.js";
export type {
  ByeResult, CallEnded, CallFinal, CallTimings, IncomingCall, InviteOptions, OutgoingCall, RegisterResult, UserAgent, UserAgentOptions,
} from "./ua/types.js";
export { parseMessage, type ParseResult, type SipParseError } from "./parser.js";
export { serialize } from "./serializer.js";
export { SipHeaders, SipRequest, SipResponse, type SipMessage } from "./message.js";
export type { TraceEvent, Transport, Address } from "./transport/transport.js";
export { UdpTransport } from "./transport/udp.js";
