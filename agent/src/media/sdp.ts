/**
 * SDP for one audio stream: build an offer/answer (RFC 4566 §5, RFC 3264 §5–6), parse what a
 * peer sends (tolerating LF or CRLF, unknown lines ignored), and negotiate a codec.
 *
 * Static payload types per RFC 3551 §6 Table 4: PCMU = 0, PCMA = 8, G722 = 9 (all with an 8000 Hz
 * RTP clock; G.722 samples at 16 kHz but RFC 3551 §4.5.2 keeps its clock at 8000).
 * Opus (RFC 7587 §7) has a dynamic PT, 111 in our offers (the offerer's in an answer, RFC 3264
 * §6.1): `a=rtpmap:111 opus/48000/2` (§7: clock 48000 and 2 channels whatever is sent; a peer's
 * `opus/48000` or `opus/48000/1` is accepted too) and `a=fmtp:111 minptime=10;useinbandfec=1`
 * (§7.1: we take 10 ms packets and can use in-band FEC). We send 20 ms (`a=ptime:20`).
 *
 * DTMF (RFC 4733) is offered as telephone-event at each audio clock offered, since §2.1 has the
 * event use the audio's clock: telephone-event/8000 on PT 101 beside G.711/G.722,
 * telephone-event/48000 on PT 110 beside Opus, each with `a=fmtp:<pt> 0-16` (§7.1.1). Negotiation
 * takes the peer's telephone-event at the chosen codec's clock only (one at another clock could
 * not share the stream's timestamps).
 *
 * Which codec: the first of the remote's payload types (its preference, RFC 3264 §6.1) that we
 * support, unless `prefer` names one the remote lists: an endpoint configured for a codec uses it
 * whenever the peer offers it (§6.1 lets the answerer choose among the offered formats).
 *
 * SRTP with SDES (RFC 4568): an offer with SRTP uses the RTP/SAVP profile (RFC 3711) and one
 * `a=crypto` line per suite we accept, in preference order (§7.1.1). Answering, we take the first of
 * the offerer's lines we can use (its preference) and echo its tag with our own key (§7.1.2).
 * Plain RTP/AVP and RTP/SAVP never mix: an SRTP-configured side refuses RTP/AVP and vice versa.
 *
 * DTLS-SRTP (RFC 5764, dtls-srtp.ts): the profile is UDP/TLS/RTP/SAVP (§8; UDP/TLS/RTP/SAVPF is
 * accepted from peers), with `a=fingerprint` (RFC 8122 §5; session or media level), `a=setup`
 * (RFC 4145 §4; the offerer says actpass, the answerer active, RFC 5763 §5) and `a=rtcp-mux`
 * (RFC 5761 §5.1.1: we only handshake on the RTP port, so RTCP shares it). A DTLS-configured side
 * requires that profile and a fingerprint; nobody else accepts it.
 */
import { RTP_CLOCK_RATE, type MediaCodec } from "./codecs.js";
import { parseCrypto, type CryptoAttribute, type SrtpSuite } from "./srtp.js";
import { DTLS_SRTP_PROTOS, parseFingerprint, SETUP_ROLES, type Fingerprint, type SetupRole } from "./dtls-srtp.js";

export const STATIC_PT: Readonly<Record<Exclude<MediaCodec, "OPUS">, number>> = { PCMU: 0, PCMA: 8, G722: 9 };
/** Opus's dynamic PT in our offers (RFC 7587 §7; 111 as most user agents use). */
export const OPUS_PT = 111;
/** Our Opus `a=fmtp` (RFC 7587 §7.1). */
export const OPUS_FMTP = "minptime=10;useinbandfec=1";
/** telephone-event/8000 (RFC 4733 §7.1.1). */
export const TELEPHONE_EVENT_PT = 101;
/** telephone-event/48000, beside Opus (RFC 4733 §2.1: the audio's clock). */
export const TELEPHONE_EVENT_48K_PT = 110;

export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";
/** Transport protocols of `m=` we speak (RTP/AVP: RFC 3551; RTP/SAVP: RFC 3711; UDP/TLS/RTP/SAVP: RFC 5764 §8). */
export type MediaProto = "RTP/AVP" | "RTP/SAVP" | "UDP/TLS/RTP/SAVP";

export interface BuildSdpOptions {
  /** Numeric session id for `o=` (RFC 4566 §5.2); also used as the initial version. */
  sessionId: number | string;
  sessionVersion?: number | string;
  username?: string;
  /** IPv4 address for `o=` and `c=`. */
  address: string;
  /** RTP port (RTCP is implicitly port + 1, RFC 3550 §11). */
  port: number;
  /** Codecs in preference order; each appears in `m=` with its PT and an `a=rtpmap`. */
  codecs: readonly MediaCodec[];
  /** Opus's PT (default 111; an answer echoes the offer's, RFC 3264 §6.1). */
  opusPt?: number;
  /** Offer telephone-event at each clock of `codecs` (default true). */
  telephoneEvent?: boolean;
  /** PT of telephone-event/8000 (default 101; an answer echoes the offer's, RFC 3264 §6.1). */
  telephoneEventPt?: number;
  /** PT of telephone-event/48000 (default 110; likewise). */
  telephoneEvent48kPt?: number;
  ptime?: number;
  direction?: Direction;
  /** `m=` protocol (default RTP/AVP; RTP/SAVP with `crypto`). */
  proto?: MediaProto;
  /** Values of `a=crypto:` lines (srtp.ts formatCrypto), in preference order. */
  crypto?: readonly string[];
  /** DTLS-SRTP: our certificate's `a=fingerprint` (RFC 8122 §5), our `a=setup` role (RFC 4145 §4). */
  fingerprint?: Fingerprint;
  setup?: SetupRole;
  /** `a=rtcp-mux` (RFC 5761 §5.1.1). */
  rtcpMux?: boolean;
}

/** Build an SDP body (CRLF line ends, trailing CRLF). */
export function buildSdp(o: BuildSdpOptions): string {
  const ptOf = (c: MediaCodec): number => (c === "OPUS" ? (o.opusPt ?? OPUS_PT) : STATIC_PT[c]);
  const pts = o.codecs.map(ptOf);
  // One telephone-event per audio clock, in the order the codecs bring the clocks in.
  const teClocks = o.telephoneEvent ?? true ? [...new Set(o.codecs.map((c) => RTP_CLOCK_RATE[c]))] : [];
  const tePtOf = (clock: number): number =>
    clock === 48000 ? (o.telephoneEvent48kPt ?? TELEPHONE_EVENT_48K_PT) : (o.telephoneEventPt ?? TELEPHONE_EVENT_PT);
  for (const clock of teClocks) pts.push(tePtOf(clock));
  const lines = [
    "v=0",
    `o=${o.username ?? "ringfleet"} ${o.sessionId} ${o.sessionVersion ?? o.sessionId} IN IP4 ${o.address}`,
    "s=ringfleet",
    `c=IN IP4 ${o.address}`,
    "t=0 0",
    `m=audio ${o.port} ${o.proto ?? (o.crypto?.length ? "RTP/SAVP" : "RTP/AVP")} ${pts.join(" ")}`,
  ];
  for (const c of o.codecs) {
    if (c === "OPUS") lines.push(`a=rtpmap:${ptOf(c)} opus/48000/2`, `a=fmtp:${ptOf(c)} ${OPUS_FMTP}`);
    else lines.push(`a=rtpmap:${ptOf(c)} ${c}/8000`);
  }
  for (const clock of teClocks) lines.push(`a=rtpmap:${tePtOf(clock)} telephone-event/${clock}`, `a=fmtp:${tePtOf(clock)} 0-16`);
  for (const c of o.crypto ?? []) lines.push(`a=crypto:${c}`);
  if (o.fingerprint) lines.push(`a=fingerprint:${o.fingerprint.algorithm} ${o.fingerprint.value}`);
  if (o.setup) lines.push(`a=setup:${o.setup}`);
  if (o.rtcpMux) lines.push("a=rtcp-mux");
  lines.push(`a=ptime:${o.ptime ?? 20}`, `a=${o.direction ?? "sendrecv"}`);
  return lines.join("\r\n") + "\r\n";
}

export interface RtpMap {
  encoding: string;
  clockRate: number;
  channels?: number;
}

export interface SdpMedia {
  media: string;
  port: number;
  proto: string;
  payloadTypes: number[];
  rtpmap: Map<number, RtpMap>;
  /** Media-level `c=` address, if any. */
  connectionAddress?: string;
  ptime?: number;
  direction?: Direction;
  /** Raw values of the `a=crypto:` lines, in order. */
  crypto: string[];
  /** Parsed `a=fingerprint` lines of this media section (RFC 8122 §5). */
  fingerprints: Fingerprint[];
  setup?: SetupRole;
  rtcpMux?: boolean;
}

export interface ParsedSdp {
  /** Session-level `c=` address. */
  connectionAddress?: string;
  originAddress?: string;
  /** Session-level direction attribute (applies to media without their own, RFC 4566 §6). */
  direction?: Direction;
  /** Session-level `a=fingerprint` / `a=setup` (apply to media without their own, RFC 8122 §5). */
  fingerprints: Fingerprint[];
  setup?: SetupRole;
  media: SdpMedia[];
}

const DIRECTIONS = new Set<string>(["sendrecv", "sendonly", "recvonly", "inactive"]);

function parseConnection(value: string): string | undefined {
  // c=<nettype> <addrtype> <connection-address> (RFC 4566 §5.7); strip multicast /ttl suffix.
  const parts = value.trim().split(/\s+/);
  if (parts.length < 3 || parts[0] !== "IN") return undefined;
  return parts[2]!.split("/")[0];
}

/** Parse an SDP body. Never throws; malformed lines are skipped. */
export function parseSdp(text: string): ParsedSdp {
  const out: ParsedSdp = { media: [], fingerprints: [] };
  let cur: SdpMedia | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length < 2 || line[1] !== "=") continue;
    const type = line[0];
    const value = line.slice(2);
    if (type === "m") {
      const parts = value.split(/\s+/);
      const port = Number.parseInt(parts[1] ?? "", 10); // "port/count" → port
      cur = {
        media: parts[0] ?? "",
        port: Number.isFinite(port) ? port : -1,
        proto: parts[2] ?? "",
        payloadTypes: parts.slice(3).map((p) => Number(p)).filter((p) => Number.isInteger(p) && p >= 0 && p < 128),
        rtpmap: new Map(),
        crypto: [],
        fingerprints: [],
      };
      out.media.push(cur);
    } else if (type === "c") {
      const addr = parseConnection(value);
      if (cur) cur.connectionAddress = addr;
      else out.connectionAddress = addr;
    } else if (type === "o") {
      const parts = value.split(/\s+/);
      if (parts.length >= 6) out.originAddress = parts[5];
    } else if (type === "a") {
      const colon = value.indexOf(":");
      const name = colon < 0 ? value : value.slice(0, colon);
      const arg = colon < 0 ? "" : value.slice(colon + 1).trim();
      if (DIRECTIONS.has(name)) {
        if (cur) cur.direction = name as Direction;
        else out.direction = name as Direction;
      } else if (name === "rtpmap" && cur) {
        // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 4566 §6)
        const m = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(arg);
        if (m) {
          const map: RtpMap = { encoding: m[2]!, clockRate: Number(m[3]) };
          if (m[4]) map.channels = Number(m[4]);
          cur.rtpmap.set(Number(m[1]), map);
        }
      } else if (name === "crypto" && cur) {
        cur.crypto.push(arg);
      } else if (name === "fingerprint") {
        const fp = parseFingerprint(arg);
        if (fp) (cur ?? out).fingerprints.push(fp);
      } else if (name === "setup") {
        const role = arg.toLowerCase() as SetupRole;
        if (SETUP_ROLES.includes(role)) (cur ?? out).setup = role;
      } else if (name === "rtcp-mux" && cur) {
        cur.rtcpMux = true;
      } else if (name === "ptime" && cur) {
        const p = Number(arg);
        if (Number.isFinite(p) && p > 0) cur.ptime = p;
      }
    }
  }
  return out;
}

export type NegotiationResult =
  | {
      ok: true;
      codec: MediaCodec;
      payloadType: number;
      /** Remote RTP address and port (RTCP at port + 1). */
      address: string;
      port: number;
      ptime: number;
      /** The peer's telephone-event PT, if offered. */
      telephoneEventPt?: number;
      /** Direction as the remote declared it. */
      direction: Direction;
      proto: MediaProto;
      /** RTP/SAVP: the first usable `a=crypto` of the remote (its preference order, RFC 4568 §7.1.1). */
      crypto?: CryptoAttribute;
      /** UDP/TLS/RTP/SAVP: the remote's fingerprints (media level, else session level) and a=setup. */
      dtls?: { fingerprints: Fingerprint[]; setup?: SetupRole };
      /** The remote included `a=rtcp-mux` (absent otherwise). */
      rtcpMux?: true;
    }
  | { ok: false; reason: string };

/** Which codec a payload type denotes in this media section (rtpmap wins over static PTs). */
function codecOf(m: SdpMedia, pt: number): MediaCodec | null {
  const map = m.rtpmap.get(pt);
  if (map) {
    const name = map.encoding.toUpperCase();
    // RFC 7587 §7: opus/48000/2 (see header for the leniency on the channel count).
    if (name === "OPUS") return map.clockRate === 48000 && (map.channels ?? 2) <= 2 ? "OPUS" : null;
    if (map.clockRate !== 8000 || (map.channels !== undefined && map.channels !== 1)) return null;
    return name === "PCMU" || name === "PCMA" || name === "G722" ? name : null;
  }
  if (pt === 0) return "PCMU";
  if (pt === 8) return "PCMA";
  if (pt === 9) return "G722";
  return null;
}

/**
 * Pick the codec for the first usable audio stream of a remote SDP (offer or answer): `prefer` if
 * the remote lists it, else the first payload type in the remote's order (RFC 3264 §6.1: the
 * offerer's preference) that we support. Failure reasons are meant for NEGOTIATION_FAILED / 488
 * reporting.
 */
export interface NegotiateOptions {
  /** Our codec of choice, taken whenever the remote lists it (see header). */
  prefer?: MediaCodec;
  /** SDES suites we accept; non-empty = SRTP required (RTP/SAVP), empty/absent = plain RTP/AVP. */
  srtp?: readonly SrtpSuite[];
  /** DTLS-SRTP required (UDP/TLS/RTP/SAVP with a fingerprint, RFC 5764 §8 / RFC 5763 §5). */
  dtls?: boolean;
}

/** The audio stream negotiation uses: the first `m=audio` with a non-zero port. */
export function audioStream(sdp: ParsedSdp): SdpMedia | undefined {
  return sdp.media.find((m) => m.media === "audio" && m.port > 0);
}

/** `preferred` if the stream does not use it, else the first dynamic PT (96–127, RFC 3551 §3) it does not. */
export function unusedPayloadType(preferred: number, used: readonly number[]): number {
  if (!used.includes(preferred)) return preferred;
  for (let pt = 96; pt < 128; pt++) if (!used.includes(pt)) return pt;
  return preferred;
}

export function negotiate(remote: string | ParsedSdp, supported: readonly MediaCodec[], opts: NegotiateOptions = {}): NegotiationResult {
  const sdp = typeof remote === "string" ? parseSdp(remote) : remote;
  if (!sdp.media.some((a) => a.media === "audio")) return { ok: false, reason: "no audio media in SDP" };
  const m = audioStream(sdp);
  if (!m) return { ok: false, reason: "audio stream rejected (port 0)" };
  if (m.port > 65535) return { ok: false, reason: `invalid media port ${m.port}` };
  const wantSrtp = (opts.srtp?.length ?? 0) > 0;
  const isDtls = DTLS_SRTP_PROTOS.includes(m.proto);
  if (m.proto !== "RTP/AVP" && m.proto !== "RTP/SAVP" && !isDtls) return { ok: false, reason: `unsupported transport ${m.proto || "(none)"}` };
  let dtls: { fingerprints: Fingerprint[]; setup?: SetupRole } | undefined;
  if (opts.dtls) {
    if (!isDtls) return { ok: false, reason: `DTLS-SRTP required but the peer uses ${m.proto}` };
    const fingerprints = m.fingerprints.length ? m.fingerprints : sdp.fingerprints;
    if (!fingerprints.length) return { ok: false, reason: "DTLS-SRTP without a=fingerprint (RFC 5763 §5)" };
    dtls = { fingerprints };
    const setup = m.setup ?? sdp.setup;
    if (setup) dtls.setup = setup;
  } else if (isDtls) return { ok: false, reason: `unsupported transport ${m.proto} (DTLS-SRTP not enabled)` };
  if (m.proto === "RTP/AVP" && wantSrtp) return { ok: false, reason: "SRTP required but the peer uses RTP/AVP" };
  if (m.proto === "RTP/SAVP" && !wantSrtp) return { ok: false, reason: "unsupported transport RTP/SAVP (SRTP not enabled)" };
  let crypto: CryptoAttribute | undefined;
  if (m.proto === "RTP/SAVP") {
    for (const line of m.crypto) {
      const c = parseCrypto(line);
      if (c && opts.srtp!.includes(c.suite)) {
        crypto = c;
        break;
      }
    }
    if (!crypto) return { ok: false, reason: `no acceptable a=crypto (offered ${m.crypto.map((c) => c.split(/\s+/)[1]).join(",") || "none"}; supported ${opts.srtp!.join(",")})` };
  }
  const address = m.connectionAddress ?? sdp.connectionAddress;
  if (!address) return { ok: false, reason: "no connection address (c=)" };
  let chosen: { codec: MediaCodec; pt: number } | null = null;
  for (const pt of m.payloadTypes) {
    const c = codecOf(m, pt);
    if (!c || !supported.includes(c)) continue;
    if (c === opts.prefer) {
      chosen = { codec: c, pt };
      break;
    }
    chosen ??= { codec: c, pt };
    if (!opts.prefer || !supported.includes(opts.prefer)) break;
  }
  if (!chosen) {
    return { ok: false, reason: `no common codec (offered PTs ${m.payloadTypes.join(",") || "none"}; supported ${supported.join(",")})` };
  }
  // RFC 4733 §2.1: events on the audio's clock.
  const clock = RTP_CLOCK_RATE[chosen.codec];
  let telephoneEventPt: number | undefined;
  for (const pt of m.payloadTypes) {
    const map = m.rtpmap.get(pt);
    if (map && map.encoding.toLowerCase() === "telephone-event" && map.clockRate === clock) telephoneEventPt = pt;
  }
  const res: NegotiationResult = {
    ok: true,
    codec: chosen.codec,
    payloadType: chosen.pt,
    address,
    port: m.port,
    ptime: m.ptime ?? 20,
    direction: m.direction ?? sdp.direction ?? "sendrecv",
    proto: isDtls ? "UDP/TLS/RTP/SAVP" : (m.proto as MediaProto),
  };
  if (m.rtcpMux) res.rtcpMux = true;
  if (crypto) res.crypto = crypto;
  if (dtls) res.dtls = dtls;
  if (telephoneEventPt !== undefined) res.telephoneEventPt = telephoneEventPt;
  return res;
}
