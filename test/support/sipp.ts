/**
 * Runs SIPp (Debian package sip-tester, binary `sipp`, UDP only in this build) with one of its
 * built-in scenarios (`-sn uas` / `-sn uac`) or a scenario file of ours (bench/sipp/*.xml, `-sf`)
 * on 127.0.0.1 ports chosen by the test, a bounded
 * number of calls (`-m`) and a global timeout, and reads its statistics back: the final line of
 * the `-trace_stat` CSV (`-stf`) and the message table of the `-trace_screen` dump.
 * stop() signals only the PID this call started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SIPP_BIN = "/usr/bin/sipp";
export const hasSipp = () => existsSync(SIPP_BIN);

export interface SippOptions {
  /** The role: readiness (uas waits for the port) and whether `remote` is needed (uac). */
  scenario: "uas" | "uac";
  /** A scenario XML file (-sf) instead of the built-in scenario of that role (-sn), e.g. bench/sipp/uas-100rel.xml. */
  scenarioFile?: string;
  /** SIPp's own SIP port on 127.0.0.1 (-p). */
  localPort: number;
  /** host:port to call (uac only). */
  remote?: string;
  /** Calls to process before exiting (-m). */
  calls: number;
  /** Call rate per second (uac, -r); default 10. */
  rate?: number;
  /** Simultaneous call limit (-l). */
  maxConcurrent?: number;
  /** Request-URI user part (-s); default "service". */
  service?: string;
  /** Global timeout in seconds after which SIPp gives up with an error (-timeout, -timeout_error); default 60. */
  timeoutSec?: number;
  extraArgs?: string[];
}

export interface SippStats {
  /** Process exit code: 0 all calls succeeded, 1 some failed, 97/99/255 see sipp(1). */
  exitCode: number | null;
  successful: number;
  failed: number;
  /** FailedUnexpectedMessage(C) of the statistics. */
  failedUnexpected: number;
  /** Sum of the Unexpected-Msg column of the scenario screen. */
  unexpectedMessages: number;
  outOfCallMessages: number;
  deadCallMessages: number;
  retransmissions: number;
  /** Every cumulative column of the final statistics line, by name (e.g. "FailedCall(C)"). */
  raw: Record<string, string>;
  screen: string;
  errors: string;
}

export interface SippHandle {
  pid: number;
  port: number;
  dir: string;
  /** Resolves when SIPp exits on its own (call limit or timeout), with its statistics. */
  done: Promise<SippStats>;
  /** Ends SIPp (SIGUSR1 = quit after the current calls, then SIGKILL) and returns its statistics. */
  stop(): Promise<SippStats>;
}

/** True once something (SIPp) holds the UDP port on 127.0.0.1. */
function udpPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    s.once("error", () => {
      s.close();
      resolve(true);
    });
    s.bind(port, "127.0.0.1", () => s.close(() => resolve(false)));
  });
}

function parseStats(dir: string, exitCode: number | null): SippStats {
  const raw: Record<string, string> = {};
  const statPath = join(dir, "stat.csv");
  if (existsSync(statPath)) {
    const lines = readFileSync(statPath, "utf8").split("\n").filter((l) => l.trim() !== "");
    const header = lines[0]?.split(";") ?? [];
    const last = lines.length > 1 ? lines[lines.length - 1].split(";") : [];
    header.forEach((h, i) => {
      if (h) raw[h] = last[i] ?? "";
    });
  }
  const screenPath = join(dir, "screen.log");
  const screen = existsSync(screenPath) ? readFileSync(screenPath, "utf8") : "";
  // The last scenario screen: rows of messages with Messages / Retrans / Timeout / Unexpected-Msg columns.
  const scenario = screen.lastIndexOf("Scenario Screen");
  const table = scenario >= 0 ? screen.slice(scenario, screen.indexOf("Statistics Screen", scenario) >>> 0) : "";
  let unexpected = 0;
  for (const line of table.split("\n")) {
    // "----------> INVITE  2 0 0 0" (uas) or "INVITE ---------->  2 0 0" (uac); the name may be a
    // status code, so take the numbers after the arrow (and after the name when it follows the arrow).
    const arrow = /---------->|<----------/.exec(line);
    if (!arrow) continue;
    let rest = line.slice(arrow.index + arrow[0].length).trim().split(/\s+/);
    if (line.trim().startsWith(arrow[0])) rest = rest.slice(1);
    const nums = rest.filter((t) => /^\d+$/.test(t)).map(Number);
    // Only received messages have the fourth column, Unexpected-Msg.
    if (nums.length === 4) unexpected += nums[3];
  }
  const n = (k: string) => Number(raw[k] ?? "NaN");
  const errPath = join(dir, "errors.log");
  return {
    exitCode,
    successful: n("SuccessfulCall(C)"),
    failed: n("FailedCall(C)"),
    failedUnexpected: n("FailedUnexpectedMessage(C)"),
    unexpectedMessages: unexpected,
    outOfCallMessages: n("OutOfCallMsgs(C)"),
    deadCallMessages: n("DeadCallMsgs(C)"),
    retransmissions: n("Retransmissions(C)"),
    raw,
    screen,
    errors: existsSync(errPath) ? readFileSync(errPath, "utf8").slice(-4000) : "",
  };
}

export async function startSipp(opts: SippOptions): Promise<SippHandle> {
  if (opts.scenario === "uac" && !opts.remote) throw new Error("sipp uac needs remote host:port");
  const dir = mkdtempSync(join(tmpdir(), "ringfleet-sipp-"));
  const args = [
    ...(opts.scenarioFile ? ["-sf", opts.scenarioFile] : ["-sn", opts.scenario]),
    ...(opts.scenario === "uac" ? [opts.remote!] : []),
    "-i", "127.0.0.1",
    "-p", String(opts.localPort),
    "-t", "u1",
    "-m", String(opts.calls),
    "-s", opts.service ?? "service",
    "-nostdin",
    "-timeout", `${opts.timeoutSec ?? 60}s`, "-timeout_error",
    "-trace_stat", "-stf", join(dir, "stat.csv"), "-fd", "1",
    "-trace_screen", "-screen_file", join(dir, "screen.log"),
    "-trace_err", "-error_file", join(dir, "errors.log"),
    ...(opts.scenario === "uac" ? ["-r", String(opts.rate ?? 10)] : []),
    ...(opts.maxConcurrent ? ["-l", String(opts.maxConcurrent)] : []),
    ...(opts.extraArgs ?? []),
  ];
  const child: ChildProcess = spawn(SIPP_BIN, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  let exitCode: number | null | undefined;
  const reap = () => {
    if (exitCode === undefined) child.kill("SIGKILL");
  };
  process.once("exit", reap);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      exitCode = code;
      process.off("exit", reap);
      resolve(code);
    });
    child.on("error", () => resolve(null));
  });
  const done = exited.then((code) => parseStats(dir, code));
  const stop = async () => {
    if (exitCode === undefined && child.pid) {
      child.kill("SIGUSR1");
      const t = setTimeout(() => exitCode === undefined && child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    }
    const s = await done;
    rmSync(dir, { recursive: true, force: true });
    return s;
  };

  if (opts.scenario === "uas") {
    // Ready once SIPp holds its port (probing with a SIP message would count as a call).
    const deadline = Date.now() + 5000;
    while (!(await udpPortTaken(opts.localPort))) {
      if (exitCode !== undefined || Date.now() > deadline) {
        await stop();
        throw new Error(`sipp did not start on 127.0.0.1:${opts.localPort} (exit ${exitCode}): ${stderr.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { pid: child.pid ?? 0, port: opts.localPort, dir, done, stop };
}
