/**
 * An outbound WebSocket that comes back: agents sit behind NAT and dial the edge, so every
 * dropped connection is re-dialled with back-off until `close()`. Messages are validated by the
 * caller's schema; this layer only moves text.
 */
import WebSocket from "ws";
import { RECONNECT, reconnectDelay } from "./backoff.js";
import type { Logger } from "./log.js";

export interface ReconnectingSocketOptions {
  url: string;
  token: string;
  log: Logger;
  onOpen: () => void;
  onMessage: (text: string) => void;
  onClose?: (code: number, reason: string) => void;
  /** Close codes after which reconnecting is pointless (e.g. not assigned, bad token). */
  fatalCodes?: number[];
}

export class ReconnectingSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private openedAt = 0;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly opts: ReconnectingSocketOptions) {
    this.connect();
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  send(text: string): boolean {
    if (!this.isOpen) return false;
    this.ws!.send(text);
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000, "agent closing");
  }

  private connect() {
    if (this.closed) return;
    const ws = new WebSocket(this.opts.url, {
      headers: { authorization: `Bearer ${this.opts.token}` },
      handshakeTimeout: RECONNECT.connectTimeoutMs,
    });
    this.ws = ws;
    ws.on("open", () => {
      this.openedAt = Date.now();
      this.opts.onOpen();
    });
    ws.on("message", (data) => this.opts.onMessage(data.toString()));
    ws.on("unexpected-response", (_req, res) => {
      this.opts.log.warn("socket refused", { url: this.opts.url, status: res.statusCode });
      if (res.statusCode === 401 || res.statusCode === 403) this.closed = true;
    });
    ws.on("error", (err) => this.opts.log.debug("socket error", { url: this.opts.url, error: String(err) }));
    ws.on("close", (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.opts.onClose?.(code, reason.toString());
      if (this.opts.fatalCodes?.includes(code)) this.closed = true;
      if (this.closed) return;
      if (this.openedAt && Date.now() - this.openedAt > RECONNECT.minUptimeMs) this.attempt = 0;
      const delay = reconnectDelay(this.attempt++);
      this.openedAt = 0;
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }
}
