/**
 * Starts a throwaway Kamailio (Debian package) with the project's fixture config
 * (test/fixtures/kamailio/kamailio.cfg): registrar + proxy with digest auth over db_text,
 * in-memory usrloc, Record-Route; a UDP listener on 127.0.0.1:<port>, optionally TCP on
 * <tcpPort> and TLS on <tlsPort> (self-signed certificate made with the openssl CLI into the
 * temp dir; `cert` in the handle is its PEM, usable as the CA for verify "custom").
 * stop() kills only the PID this call started.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const KAMAILIO_BIN = "/usr/sbin/kamailio";
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "kamailio", "kamailio.cfg");

export interface KamailioOptions {
  /** UDP listener (always). */
  port: number;
  /** TCP listener, when given. */
  tcpPort?: number;
  /** TLS listener, when given (TLS 1.2+, certificate for 127.0.0.1/localhost, client certificates not required). */
  tlsPort?: number;
  accounts: { username: string; password: string }[];
  domain?: "127.0.0.1";
  /** Shared memory in MB (peer-setup.md: 256 is enough for functional tests, use 1024 under load). */
  sharedMemMb?: number;
  /** REGISTER challenges with qop=auth (default: no qop, as before). */
  registerQop?: boolean;
  /** Nonce lifetime in seconds (auth module nonce_expire; default 300): a short one makes re-used nonces stale. */
  nonceExpireSec?: number;
}

export interface KamailioHandle {
  port: number;
  tcpPort?: number;
  tlsPort?: number;
  /** The TLS listener's self-signed certificate (when tlsPort was given). */
  cert?: SelfSignedCert;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

/** db_text tables: one header line of typed columns, then one row per line (':' separated). */
function writeTables(dbDir: string, accounts: KamailioOptions["accounts"], domain: string) {
  mkdirSync(dbDir, { recursive: true });
  const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/:/g, "\\:").replace(/\n/g, "\\n");
  writeFileSync(join(dbDir, "version"), "table_name(string) table_version(int)\nsubscriber:7\nlocation:9\n");
  const rows = accounts.map((a, i) => `${i + 1}:${esc(a.username)}:${esc(domain)}:${esc(a.password)}::`).join("\n");
  writeFileSync(
    join(dbDir, "subscriber"),
    `id(int,auto) username(string) domain(string) password(string) ha1(string,null) ha1b(string,null)\n${rows}\n`,
  );
}

/** One OPTIONS to the server; resolves true when any response arrives within timeoutMs. */
function probe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.close();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.on("message", (m) => done(m.toString("latin1").startsWith("SIP/2.0 ")));
    s.on("error", () => done(false));
    s.bind(0, "127.0.0.1", () => {
      const lp = s.address().port;
      const id = Math.random().toString(36).slice(2);
      const msg =
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bKprobe${id};rport\r\n` +
        `Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=${id}\r\nTo: <sip:127.0.0.1:${port}>\r\n` +
        `Call-ID: probe-${id}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
      s.send(msg, port, "127.0.0.1");
    });
  });
}

export async function startKamailio(opts: KamailioOptions): Promise<KamailioHandle> {
  const domain = opts.domain ?? "127.0.0.1";
  const dir = mkdtempSync(join(tmpdir(), "ringfleet-kamailio-"));
  const dbDir = join(dir, "db");
  writeTables(dbDir, opts.accounts, domain);
  let defines = "";
  let cert: SelfSignedCert | undefined;
  if (opts.tcpPort) defines += "#!define WITH_TCP\n";
  if (opts.tlsPort) {
    defines += "#!define WITH_TLS\n";
    cert = selfSignedCert(dir, "kamailio.test");
    writeFileSync(
      join(dir, "tls.cfg"),
      [
        "[server:default]", "method = TLSv1.2+", "verify_certificate = no", "require_certificate = no",
        `private_key = ${cert.keyPath}`, `certificate = ${cert.certPath}`, "",
        "[client:default]", "method = TLSv1.2+", "verify_certificate = no", "require_certificate = no", "",
      ].join("\n"),
    );
  }
  const fixture = readFileSync(FIXTURE, "utf8");
  // The #!define lines go right after the "#!KAMAILIO" first line.
  const nl = fixture.indexOf("\n") + 1;
  const cfg = (fixture.slice(0, nl) + defines + fixture.slice(nl))
    .replace('#!substdef "!LISTEN_PORT!5060!"', `#!substdef "!LISTEN_PORT!${opts.port}!"`)
    .replace('#!substdef "!TCP_PORT!5060!"', `#!substdef "!TCP_PORT!${opts.tcpPort ?? 0}!"`)
    .replace('#!substdef "!TLS_PORT!5061!"', `#!substdef "!TLS_PORT!${opts.tlsPort ?? 0}!"`)
    .replace('#!substdef "!TLS_CFG!/tmp/ringfleet-kamailio-tls.cfg!"', `#!substdef "!TLS_CFG!${join(dir, "tls.cfg")}!"`)
    .replace('#!substdef "!DB_DIR!/tmp/ringfleet-kamailio-db!"', `#!substdef "!DB_DIR!${dbDir}!"`)
    .replace('#!substdef "!SIP_DOMAIN!127.0.0.1!"', `#!substdef "!SIP_DOMAIN!${domain}!"`)
    .replace('#!substdef "!AUTH_QOP!0!"', `#!substdef "!AUTH_QOP!${opts.registerQop ? 1 : 0}!"`)
    .replace('#!substdef "!AUTH_QOP_STALE!16!"', `#!substdef "!AUTH_QOP_STALE!${opts.registerQop ? 17 : 16}!"`)
    .replace('#!substdef "!NONCE_EXPIRE!300!"', `#!substdef "!NONCE_EXPIRE!${opts.nonceExpireSec ?? 300}!"`);
  const cfgPath = join(dir, "kamailio.cfg");
  writeFileSync(cfgPath, cfg);
  const pidFile = join(dir, "kamailio.pid");
  const args = ["-f", cfgPath, "-P", pidFile, "-Y", dir, "-w", dir, "-m", String(opts.sharedMemMb ?? 256), "-M", "16", "-DD", "-E"];
  // KAMAILIO_LOG=1 shows Kamailio's own log on the test's stderr (debugging the fixture).
  const child: ChildProcess = spawn(KAMAILIO_BIN, args, { stdio: ["ignore", "ignore", process.env.KAMAILIO_LOG ? "inherit" : "pipe"] });
  let log = "";
  child.stderr?.on("data", (d: Buffer) => {
    if (log.length < 200_000) log += d.toString();
  });
  let exited: number | null = null;
  // If the test process dies without calling stop(), do not leave this Kamailio behind.
  const reap = () => {
    if (exited === null) child.kill("SIGKILL");
  };
  process.once("exit", reap);
  child.on("exit", (code) => {
    exited = code ?? -1;
    process.off("exit", reap);
  });

  const stop = async () => {
    if (exited === null && child.pid) {
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const t = setTimeout(() => exited === null && child.kill("SIGKILL"), 3000);
      await gone;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited !== null) break;
    if (await probe(opts.port, 300)) return { port: opts.port, tcpPort: opts.tcpPort, tlsPort: opts.tlsPort, cert, pid: child.pid ?? 0, dir, stop };
  }
  await stop();
  throw new Error(`kamailio did not become ready on 127.0.0.1:${opts.port} (exit ${exited}):\n${log.slice(-4000)}`);
}

export const hasKamailio = () => existsSync(KAMAILIO_BIN);

export interface SelfSignedCert {
  /** PEM texts; the certificate is its own CA (use it as `tls.ca` with verify "custom"). */
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

/**
 * A throwaway self-signed certificate (EC P-256, 2 days) for 127.0.0.1 / localhost made with the
 * openssl CLI into `dir` (default: a new temp dir); `cn` also becomes a DNS name in the SAN.
 */
export function selfSignedCert(dir?: string, cn = "localhost"): SelfSignedCert {
  const d = dir ?? mkdtempSync(join(tmpdir(), "ringfleet-cert-"));
  const certPath = join(d, `${cn}.crt.pem`);
  const keyPath = join(d, `${cn}.key.pem`);
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", `/CN=${cn}`,
      "-addext", `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${cn}`,
      "-addext", "basicConstraints=critical,CA:TRUE",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8"), certPath, keyPath };
}
