/**
 * The run's live socket: `/live/runs/{rid}?token=…` (or, signed in with a password, the session cookie). Messages are validated with the protocol's
 * `RunToViewer` schema (bad ones are logged and dropped). If the socket drops while the run is not
 * terminal it reconnects with exponential back-off (1 s → 15 s); a fresh snapshot resynchronises.
 */
import { RunToViewer, isTerminalRunStatus, parseWire, type RunStatus } from "../../../protocol/index.js";

export type LiveConnection = "connecting" | "open" | "reconnecting" | "closed";

export interface LiveSocketHandlers {
  onMessage: (msg: RunToViewer) => void;
  onConnection?: (state: LiveConnection, detail?: string) => void;
}

export interface LiveSocketOptions {
  /** Overrides for tests. */
  WebSocketImpl?: typeof WebSocket;
  baseDelayMs?: number;
  maxDelayMs?: number;
  location?: Pick<Location, "protocol" | "host">;
  /** Also stop reconnecting when this says the run is over (e.g. known from REST). */
  isOver?: () => boolean;
}

/** The socket's URL; without a token the browser's session cookie authenticates it. */
export function liveUrl(runId: string, token: string | null, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  const base = `${scheme}://${loc.host}/live/runs/${encodeURIComponent(runId)}`;
  return token ? `${base}?token=${encodeURIComponent(token)}` : base;
}

export function backoffDelay(attempt: number, base = 1000, max = 15_000): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt));
}

export function connectLive(runId: string, token: string | null, handlers: LiveSocketHandlers, opts: LiveSocketOptions = {}): { close: () => void } {
  const WS = opts.WebSocketImpl ?? WebSocket;
  let ws: WebSocket | null = null;
  let closed = false;
  let attempt = 0;
  let lastStatus: RunStatus | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const schedule = (why: string) => {
    if (closed) return;
    if ((lastStatus && isTerminalRunStatus(lastStatus)) || opts.isOver?.()) {
      handlers.onConnection?.("closed", "run finished");
      return;
    }
    const delay = backoffDelay(attempt++, opts.baseDelayMs ?? 1000, opts.maxDelayMs ?? 15_000);
    handlers.onConnection?.("reconnecting", `${why}; retrying in ${Math.round(delay / 1000)} s`);
    timer = setTimeout(open, delay);
  };

  function open() {
    timer = null;
    if (closed) return;
    handlers.onConnection?.("connecting");
    let sock: WebSocket;
    try {
      sock = new WS(liveUrl(runId, token, opts.location ?? window.location));
    } catch (e) {
      schedule(`could not open the live connection (${(e as Error).message})`);
      return;
    }
    ws = sock;
    sock.onopen = () => {
      if (ws !== sock) return;
      handlers.onConnection?.("open");
    };
    sock.onmessage = (ev: MessageEvent) => {
      if (ws !== sock) return;
      const text = typeof ev.data === "string" ? ev.data : "";
      const r = parseWire(RunToViewer, text);
      if (!r.ok) {
        console.warn("[ringfleet] ignored a bad live message:", r.message);
        return;
      }
      const msg = r.value;
      if (msg.type === "error") {
        console.warn(`[ringfleet] live error ${msg.code}: ${msg.message}`);
        if (msg.code === "NOT_READY") {
          // No snapshot yet: reconnect later to get a complete one.
          ws = null;
          try {
            sock.close();
          } catch {
            /* ignore */
          }
          schedule("run not ready yet");
        }
        return;
      }
      attempt = 0;
      lastStatus = msg.run.status;
      handlers.onMessage(msg);
    };
    sock.onclose = (ev: CloseEvent) => {
      if (ws !== sock) return;
      ws = null;
      schedule(`connection closed${ev.code ? ` (${ev.code})` : ""}`);
    };
    sock.onerror = () => {
      /* onclose follows */
    };
  }

  open();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const s = ws;
      ws = null;
      try {
        s?.close();
      } catch {
        /* ignore */
      }
    },
  };
}
