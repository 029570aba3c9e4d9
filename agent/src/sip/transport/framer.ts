/**
 * Stream framing for SIP over TCP/TLS (RFC 3261 §18.3): a message is the header block up to the
 * first empty line plus exactly Content-Length bytes of body. Content-Length is mandatory on
 * streams; a missing, malformed, conflicting or oversized one makes the rest of the stream
 * unframeable, so the framer reports an error and the transport drops the connection.
 * CRLFs between messages are skipped (§7.5); a CRLFCRLF there is an RFC 5626 §4.4.1 keep-alive
 * ping, reported so the transport can answer the CRLF pong.
 */

export interface FramerLimits {
  /** Largest header block accepted (bytes up to and including the empty line). */
  maxHeaderBytes: number;
  /** Largest Content-Length accepted. */
  maxBodyBytes: number;
}

export const DEFAULT_FRAMER_LIMITS: FramerLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 1024 * 1024 };

export interface FrameResult {
  /** Complete messages, each a Buffer holding exactly one message. */
  messages: Buffer[];
  /** Keep-alive pings (CRLFCRLF between messages) seen in this chunk. */
  pings: number;
  /** Set when the stream cannot be framed any more: drop the connection. */
  error: string | null;
}

const EMPTY = Buffer.alloc(0);
const HEADER_END = Buffer.from("\r\n\r\n");

export class StreamFramer {
  private buf: Buffer = EMPTY;
  /** Content-Length of the message whose header block is complete, or -1 while reading headers. */
  private need = -1;
  private headLen = 0;
  private failed: string | null = null;
  /** CRLF pairs skipped since the last message (two in a row make a ping). */
  private crlfs = 0;

  constructor(private limits: FramerLimits = DEFAULT_FRAMER_LIMITS) {}

  /** Bytes held for a message not complete yet. */
  get buffered(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): FrameResult {
    const out: FrameResult = { messages: [], pings: 0, error: this.failed };
    if (this.failed) return out;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.need < 0) {
        // Skip CRLFs before a start line (§7.5, RFC 5626 keep-alives).
        let i = 0;
        while (i < this.buf.length) {
          const c = this.buf[i];
          if (c === 0x0d) {
            if (i + 1 >= this.buf.length) break; // a lone CR at the end: wait for its LF
            if (this.buf[i + 1] !== 0x0a) break;
            i += 2;
            if (++this.crlfs === 2) {
              out.pings++;
              this.crlfs = 0;
            }
          } else if (c === 0x0a) {
            i++;
          } else break;
        }
        if (i > 0) this.buf = this.buf.subarray(i);
        if (this.buf.length === 0 || (this.buf.length === 1 && this.buf[0] === 0x0d)) break;
        const end = this.buf.indexOf(HEADER_END);
        if (end < 0) {
          if (this.buf.length > this.limits.maxHeaderBytes) return this.fail(out, `header block exceeds ${this.limits.maxHeaderBytes} bytes`);
          break;
        }
        this.crlfs = 0;
        this.headLen = end + 4;
        if (this.headLen > this.limits.maxHeaderBytes) return this.fail(out, `header block exceeds ${this.limits.maxHeaderBytes} bytes`);
        const cl = contentLength(this.buf.toString("latin1", 0, end));
        if (typeof cl === "string") return this.fail(out, cl);
        if (cl > this.limits.maxBodyBytes) return this.fail(out, `Content-Length ${cl} exceeds ${this.limits.maxBodyBytes}`);
        this.need = cl;
      }
      const total = this.headLen + this.need;
      if (this.buf.length < total) break;
      // Copy out so the message does not pin a larger coalesced read in memory.
      out.messages.push(Buffer.from(this.buf.subarray(0, total)));
      this.buf = this.buf.length === total ? EMPTY : this.buf.subarray(total);
      this.need = -1;
    }
    return out;
  }

  private fail(out: FrameResult, why: string): FrameResult {
    this.failed = why;
    this.buf = EMPTY;
    out.error = why;
    return out;
  }
}

/**
 * Content-Length (or its compact form "l") from a header block; an error text when it is absent,
 * not a plain decimal number, or given twice with different values.
 */
export function contentLength(head: string): number | string {
  let found: number | null = null;
  let pos = head.indexOf("\r\n"); // skip the start line
  while (pos >= 0 && pos < head.length) {
    const start = pos + 2;
    let next = head.indexOf("\r\n", start);
    if (next < 0) next = head.length;
    const colon = head.indexOf(":", start);
    if (colon > start && colon < next) {
      const name = head.slice(start, colon).trim().toLowerCase();
      if (name === "content-length" || name === "l") {
        const v = head.slice(colon + 1, next).trim();
        if (!/^\d{1,9}$/.test(v)) return `invalid Content-Length "${v.slice(0, 20)}"`;
        const n = Number(v);
        if (found !== null && found !== n) return "conflicting Content-Length values";
        found = n;
      }
    }
    pos = next;
    if (next >= head.length) break;
  }
  return found ?? "no Content-Length on a stream transport (RFC 3261 §18.3)";
}
