/** Ringfleet's SIP stack: codec, transactions, UDP/TCP/TLS transports, digest and the user agent API. */
export { createUserAgent } from "./ua/core.js";
export type {
  ByeResult, CallEnded, CallFinal, CallTimings, DialogControl, IncomingCall, InDialogOptions, InviteOptions, OutgoingCall, OutOfDialogOptions,
  ProvisionalOptions, RegisterOptions, RegisterResult, RegistrationState, RequestResult, SessionRefresh, SessionTimerOptions, SessionTimerState,
  TlsOptions, UserAgent, UserAgentOptions,
} from "./ua/types.js";
export { parseMessage, type ParseResult, type SipParseError } from "./parser.js";
export { serialize } from "./serializer.js";
export { SipHeaders, SipRequest, SipResponse, type SipMessage } from "./message.js";
export type { TraceEvent, Transport, Address, TransportProtocol } from "./transport/transport.js";
export { UdpTransport } from "./transport/udp.js";
export { StreamTransport, type StreamTransportOptions } from "./transport/stream.js";
export { StreamFramer } from "./transport/framer.js";
