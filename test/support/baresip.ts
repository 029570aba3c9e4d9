/**
 * Runs baresip (Debian package `baresip`, 1.0.0 in bookworm) as an independent SIP/SRTP peer for
 * interop tests: a throwaway config folder with a local account (no registration, `regint=0`), the
 * given media encryption (`srtp-mand` = RTP/SAVP with SDES a=crypto; `dtls_srtp` = RFC 5764; none:
 * plain RTP), its audio codecs (default PCMU; `opus` loads its libopus module, opus.so),
 * auto-answer, a 440 Hz sine as its microphone (module ausine: 48 kHz stereo only, resampled) and no sound card (module aubridge
 * as the player). Optionally it dials a URI itself once ready (menu command `/dial`).
 * stop() signals only the PID this call started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BARESIP_BIN = "/usr/bin/baresip";
export const BARESIP_MODULES = "/usr/lib/baresip/modules";
const STDBUF = "/usr/bin/stdbuf";
const RTP_PORT_SPAN = 200;
export const hasBaresip = () => existsSync(BARESIP_BIN) && existsSync(join(BARESIP_MODULES, "srtp.so"));
/** baresip with its Opus module (libopus). */
export const hasBaresipOpus = () => existsSync(BARESIP_BIN) && existsSync(join(BARESIP_MODULES, "opus.so"));

export interface BaresipOptions {
  /** baresip's SIP port on 127.0.0.1. */
  sipPort: number;
  /** Its account's media encryption (baresip `mediaenc`); absent = plain RTP/AVP. */
  mediaenc?: "srtp-mand" | "dtls_srtp";
  /** Its account's `audio_codecs`, in preference order (default "PCMU"), e.g. "opus/48000/2". */
  audioCodecs?: string;
  /** A SIP URI to call once ready (baresip as UAC); without it baresip only answers. */
  dial?: string;
  /** RTP port range start (RTP_PORT_SPAN ports); default a random one below the ephemeral range. */
  rtpPortBase?: number;
}

export interface BaresipHandle {
  readonly pid: number;
  /** Everything baresip printed so far (stdout + stderr). */
  output(): string;
  /** Resolves once `text` appears in the output (or rejects after timeoutMs). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBaresip(o: BaresipOptions): Promise<BaresipHandle> {
  const dir = mkdtempSync(join(tmpdir(), "baresip-"));
  // Below Linux's ephemeral ports (32768+, where our own RTP sockets are bound) and wide enough that
  // baresip finds a free even pair even when other tests use some of it.
  const rtpBase = o.rtpPortBase ?? 20000 + 2 * Math.floor(Math.random() * ((12000 - RTP_PORT_SPAN) / 2));
  writeFileSync(
    join(dir, "config"),
    [
      "poll_method epoll",
      `sip_listen 127.0.0.1:${o.sipPort}`,
      "sip_transports udp",
      "audio_source ausine,440",
      "audio_player aubridge,nowhere",
      "audio_alert aubridge,nowhere",
      "ausrc_srate 48000",
      "ausrc_channels 2",
      "auplay_channels 2",
      "auplay_srate 48000",
      `rtp_ports ${rtpBase}-${rtpBase + RTP_PORT_SPAN - 1}`,
      `module_path ${BARESIP_MODULES}`,
      "module g711.so",
      ...(o.audioCodecs?.toLowerCase().includes("opus") ? ["module opus.so"] : []),
      // End-of-call summary line (PR/PS/PL/JI…), read by interop tests.
      "module_app rtcpsummary.so",
      "module ausine.so",
      "module aubridge.so",
      "module srtp.so",
      "module dtls_srtp.so",
      "module_app account.so",
      "module_app menu.so",
      "",
    ].join("\n"),
  );
  // answermode=auto: answer every INVITE (baresip account parameters).
  const mediaenc = o.mediaenc ? `;mediaenc=${o.mediaenc}` : "";
  writeFileSync(join(dir, "accounts"), `<sip:peer@127.0.0.1:${o.sipPort}>;regint=0${mediaenc};answermode=auto;audio_codecs=${o.audioCodecs ?? "PCMU"}\n`);
  const args = ["-f", dir];
  if (o.dial) args.push("-e", `/dial ${o.dial}`);
  // Its stdout is a pipe, so block-buffered: stdbuf makes it line-buffered, or "ready" may sit unread.
  const child: ChildProcess = existsSync(STDBUF)
    ? spawn(STDBUF, ["-oL", "-eL", BARESIP_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(BARESIP_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const handle: BaresipHandle = {
    pid: child.pid!,
    output: () => out,
    waitFor: (text, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const test = () => (typeof text === "string" ? out.includes(text) : text.test(out));
        const deadline = setTimeout(() => reject(new Error(`baresip: no ${String(text)} within ${timeoutMs} ms\n${out.slice(-3000)}`)), timeoutMs);
        const check = () => {
          if (test()) {
            clearTimeout(deadline);
            resolve();
          } else waiters.push(check);
        };
        check();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.waitFor("baresip is ready", 10_000);
  return handle;
}

/** A session's metrics over the next `ms` (a fresh interval is started first), for the interop tests. */
export async function measureInterval<S extends { sample(): unknown; detail(): unknown }>(s: S, ms: number): Promise<{ m: ReturnType<S["sample"]>; d: ReturnType<S["detail"]> }> {
  s.sample();
  await new Promise((r) => setTimeout(r, ms));
  return { m: s.sample() as ReturnType<S["sample"]>, d: s.detail() as ReturnType<S["detail"]> };
}
