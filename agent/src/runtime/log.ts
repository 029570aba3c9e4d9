/** Structured logs, one JSON object per line (LOG_FORMAT=json) or readable text (pretty). */
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: Level = "info", format: "json" | "pretty" = "pretty", name = "agent"): Logger {
  const write = (l: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] < ORDER[level]) return;
    const line =
      format === "json"
        ? JSON.stringify({ t: new Date().toISOString(), level: l, name, msg, ...fields })
        : `${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} [${name}] ${msg}${fields && Object.keys(fields).length ? " " + JSON.stringify(fields) : ""}`;
    (l === "error" || l === "warn" ? process.stderr : process.stdout).write(line + "\n");
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
