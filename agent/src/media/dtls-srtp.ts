/**
 * DTLS-SRTP (RFC 5764) for one call over werift's DTLS classes: the endpoint's certificate and its
 * SDP fingerprint (RFC 8122 §5), the a=setup roles (RFC 4145 §4, RFC 5763 §5), the demultiplexing
 * of DTLS and RTP on one port (RFC 7983 §7), the handshake, the check of the peer's certificate
 * against its a=fingerprint (RFC 5763 §5), and the SRTP keys exported from the handshake (RFC 5764
 * §4.2, label "EXTRACTOR-dtls_srtp") fed to the same SrtpTransform SDES uses. No cryptography is
 * written here: certificate, handshake and key export are werift's.
 *
 * Usage (RtpSession does this):
 *   const identity = await createDtlsIdentity();          // once per endpoint (ECDSA P-256)
 *   const t = new DtlsSrtpTransport({ identity, role: "client", send, onKeys, onFailure });
 *   t.setRemoteFingerprints(negotiated.fingerprints);
 *   t.start();                                             // the client sends its ClientHello
 *   socket.on("message", (d) => isDtlsRecord(d) && t.handle(d));
 *   t.close();
 *
 * Failures never throw: a fingerprint mismatch, a handshake error or timeout, or no common SRTP
 * profile call `onFailure(reason)` once, and no keys are installed (the call's media stays silent).
 */
import { createHash } from "node:crypto";
import {
  CipherContext,
  DtlsClient,
  DtlsServer,
  HashAlgorithm,
  NamedCurveAlgorithm,
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  SignatureAlgorithm,
  type SignatureHash,
} from "werift";
import { SrtpTransform, type SrtpSuite } from "./srtp.js";

/** The `m=` protocol of DTLS-SRTP (RFC 5764 §8); the SAVPF variant is accepted from peers. */
export const DTLS_SRTP_PROTO = "UDP/TLS/RTP/SAVP";
export const DTLS_SRTP_PROTOS: readonly string[] = [DTLS_SRTP_PROTO, "UDP/TLS/RTP/SAVPF"];

/** RFC 4145 §4 `a=setup` values. */
export type SetupRole = "actpass" | "active" | "passive" | "holdconn";
export const SETUP_ROLES: readonly SetupRole[] = ["actpass", "active", "passive", "holdconn"];

/** How long a handshake may take before the call's media is declared failed. */
export const DTLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * RFC 5764 §4.1.2 SRTP protection profiles we accept, in preference order; werift's profile ids
 * are the registry's values (SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001, SRTP_AEAD_AES_128_GCM = 0x0007,
 * RFC 7714 §14.2), each mapped to the SDES suite name srtp.ts keys by.
 */
const PROFILES: ReadonlyArray<{ profile: 1 | 7; suite: SrtpSuite }> = [
  { profile: ProtectionProfileAes128CmHmacSha1_80, suite: "AES_CM_128_HMAC_SHA1_80" },
  { profile: ProtectionProfileAeadAes128Gcm, suite: "AEAD_AES_128_GCM" },
];
const KEY_LENGTH = 16;
const SALT_LENGTH: Readonly<Record<1 | 7, number>> = { 1: 14, 7: 12 };

/** An endpoint's DTLS certificate, its key and its SDP fingerprint. */
export interface DtlsIdentity {
  certPem: string;
  keyPem: string;
  signatureHash: SignatureHash;
  /** `sha-256` fingerprint of the DER certificate: upper-case hex octets joined by ":" (RFC 8122 §5). */
  fingerprint: string;
}

/** A fresh self-signed ECDSA P-256 / SHA-256 certificate (RFC 5763 §5: self-signed is the norm). */
export async function createDtlsIdentity(): Promise<DtlsIdentity> {
  const { certPem, keyPem, signatureHash } = await CipherContext.createSelfSignedCertificateWithKey(
    { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
    NamedCurveAlgorithm.secp256r1_23,
  );
  return { certPem, keyPem, signatureHash, fingerprint: certificateFingerprint(pemToDer(certPem)) };
}

/** The DER octets of the first certificate of a PEM text. */
export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error("no certificate in PEM");
  return Buffer.from(m[1]!.replace(/\s+/g, ""), "base64");
}

/** RFC 8122 §5 hash function names and their node:crypto names. */
const HASHES: Readonly<Record<string, string>> = { "sha-1": "sha1", "sha-224": "sha224", "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512" };

/** The fingerprint of a DER certificate: upper-case hex pairs separated by colons (RFC 8122 §5). */
export function certificateFingerprint(der: Buffer, algorithm = "sha-256"): string {
  const hash = HASHES[algorithm.toLowerCase()];
  if (!hash) throw new Error(`unsupported fingerprint hash ${algorithm}`);
  return createHash(hash).update(der).digest("hex").toUpperCase().match(/../g)!.join(":");
}

export interface Fingerprint {
  /** Lower-case hash function name, e.g. `sha-256`. */
  algorithm: string;
  /** Upper-case colon-separated hex. */
  value: string;
}

/** `a=fingerprint` value: `<hash-func> SP <fingerprint>` (RFC 8122 §5), or null if malformed. */
export function parseFingerprint(arg: string): Fingerprint | null {
  const m = /^([A-Za-z0-9-]+)\s+((?:[0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2})$/.exec(arg.trim());
  if (!m) return null;
  return { algorithm: m[1]!.toLowerCase(), value: m[2]!.toUpperCase() };
}

export function formatFingerprint(fp: Fingerprint): string {
  return `${fp.algorithm} ${fp.value}`;
}

/** RFC 7983 §7: a first octet in 20–63 is DTLS (128–191 would be RTP/RTCP). */
export function isDtlsRecord(datagram: Buffer): boolean {
  return datagram.length > 0 && datagram[0]! >= 20 && datagram[0]! <= 63;
}

/**
 * Our role from the peer's a=setup (RFC 5763 §5, RFC 4145 §4): answering an `actpass` offer we
 * are `active` (the DTLS client); facing `active` we are `passive` (server) and vice versa.
 */
export function answerSetup(remote: SetupRole | undefined): "active" | "passive" | null {
  if (remote === undefined || remote === "actpass" || remote === "passive") return "active";
  if (remote === "active") return "passive";
  return null; // holdconn: no connection wanted
}

export type DtlsState = "new" | "connecting" | "connected" | "failed" | "closed";

export interface DtlsSrtpTransportOptions {
  identity: DtlsIdentity;
  /** client = a=setup:active (sends the ClientHello); server = passive (or actpass until told). */
  role: "client" | "server";
  /** Put one datagram on the wire to the peer's media address. */
  send: (datagram: Buffer) => void;
  /** The handshake completed and the peer's certificate matched: SRTP keys for both directions. */
  onKeys: (srtp: SrtpTransform) => void;
  /** Called once, with a sentence for the call's status, when the handshake cannot give keys. */
  onFailure: (reason: string) => void;
  handshakeTimeoutMs?: number;
}

/** One DTLS association on a call's RTP port, delivering SRTP keys (RFC 5764 §4.2). */
export class DtlsSrtpTransport {
  readonly role: "client" | "server";
  state: DtlsState = "new";
  /** The SRTP suite the handshake chose (use_srtp, RFC 5764 §4.1.1), once connected. */
  suite: SrtpSuite | null = null;
  private readonly opts: DtlsSrtpTransportOptions;
  private readonly dtls: DtlsClient | DtlsServer;
  private remoteFingerprints: Fingerprint[] | null = null;
  private handshakeDone = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** The transport object werift reads from: it replaces `onData` with its record parser. */
  private readonly transport: { onData: (data: Buffer) => void };

  constructor(opts: DtlsSrtpTransportOptions) {
    this.opts = opts;
    this.role = opts.role;
    const transport = {
      type: "udp",
      address: {} as never,
      closed: false,
      // werift sets onData to its record parser; handle() calls it.
      onData: (_data: Buffer) => {},
      send: async (data: Buffer) => {
        if (!this.closed) this.opts.send(data);
      },
      close: async () => {},
    };
    const options = {
      transport: transport as never,
      cert: opts.identity.certPem,
      key: opts.identity.keyPem,
      signatureHash: opts.identity.signatureHash,
      srtpProfiles: PROFILES.map((p) => p.profile),
      extendedMasterSecret: true,
    };
    // RFC 5763 §5: both sides present certificates, so the server asks for the client's.
    this.dtls = opts.role === "client" ? new DtlsClient(options) : new DtlsServer({ ...options, certificateRequest: true });
    this.transport = transport;
    this.dtls.onConnect.once(() => {
      this.handshakeDone = true;
      this.maybeKeys();
    });
    this.dtls.onError.subscribe((e: Error) => this.fail(`DTLS handshake failed: ${e instanceof Error ? e.message : String(e)}`));
    this.dtls.onClose.subscribe(() => {
      if (!this.handshakeDone) this.fail("DTLS: the peer sent an alert before the handshake completed");
    });
  }

  /** The peer's a=fingerprint values; keys are installed only once one of them matches (RFC 5763 §5). */
  setRemoteFingerprints(fps: readonly Fingerprint[]): void {
    this.remoteFingerprints = [...fps];
    this.armTimer();
    this.maybeKeys();
  }

  /** Begin: the client sends its ClientHello; the server waits for one. */
  start(): void {
    if (this.state !== "new") return;
    this.state = "connecting";
    this.armTimer();
    if (this.dtls instanceof DtlsClient) {
      this.dtls.connect().catch((e: unknown) => this.fail(`DTLS handshake failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** One DTLS datagram from the peer (isDtlsRecord). Never throws. */
  handle(datagram: Buffer): void {
    if (this.closed || this.state === "failed") return;
    if (this.state === "new") this.state = "connecting";
    try {
      this.transport.onData(datagram);
    } catch {
      /* werift logs and drops records it cannot parse */
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.state !== "failed") this.state = "closed";
  }

  private armTimer(): void {
    if (this.timer || this.closed || this.handshakeDone) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.handshakeDone) this.fail(`DTLS handshake did not complete within ${(this.opts.handshakeTimeoutMs ?? DTLS_HANDSHAKE_TIMEOUT_MS) / 1000} s`);
    }, this.opts.handshakeTimeoutMs ?? DTLS_HANDSHAKE_TIMEOUT_MS);
    this.timer.unref?.();
  }

  private fail(reason: string): void {
    if (this.state === "failed" || this.state === "connected" || this.closed) return;
    this.state = "failed";
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.opts.onFailure(reason);
  }

  /** Once the handshake is done and the peer's fingerprint known: check it, then derive keys. */
  private maybeKeys(): void {
    if (!this.handshakeDone || !this.remoteFingerprints || this.state === "failed" || this.state === "connected" || this.closed) return;
    const cert = this.dtls.remoteCertificate;
    if (!cert) return this.fail("DTLS: the peer presented no certificate");
    const der = Buffer.from(cert);
    // RFC 8122 §5: the certificate must match one of the fingerprints (with a hash we know).
    let checked = false;
    let matched = false;
    for (const fp of this.remoteFingerprints) {
      if (!HASHES[fp.algorithm]) continue;
      checked = true;
      if (certificateFingerprint(der, fp.algorithm) === fp.value) matched = true;
    }
    if (!checked) return this.fail(`DTLS: no a=fingerprint with a supported hash (${this.remoteFingerprints.map((f) => f.algorithm).join(",") || "none"})`);
    if (!matched) {
      return this.fail(`DTLS: the peer's certificate (sha-256 ${certificateFingerprint(der).slice(0, 23)}…) does not match its a=fingerprint`);
    }
    const profile = this.dtls.srtp.srtpProfile;
    const chosen = PROFILES.find((p) => p.profile === profile);
    if (!chosen) return this.fail("DTLS: no common SRTP protection profile (use_srtp, RFC 5764 §4.1.2)");
    // RFC 5764 §4.2: client key, server key, client salt, server salt from the exporter; werift
    // returns them as ours/theirs for our role.
    const k = this.dtls.extractSessionKeys(KEY_LENGTH, SALT_LENGTH[chosen.profile]);
    let srtp: SrtpTransform;
    try {
      srtp = new SrtpTransform({ suite: chosen.suite, key: k.localKey, salt: k.localSalt }, { suite: chosen.suite, key: k.remoteKey, salt: k.remoteSalt });
    } catch (e) {
      return this.fail(`DTLS: cannot key SRTP: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.suite = chosen.suite;
    this.state = "connected";
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.opts.onKeys(srtp);
  }
}
