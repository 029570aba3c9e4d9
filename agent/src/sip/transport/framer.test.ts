/** Stream framing by Content-Length (RFC 3261 §18.3). */
import { describe, expect, it } from "vitest";
import { parseMessage } from "../parser.js";
import { contentLength, StreamFramer } from "./framer.js";

const msg = (n: number, body = "") =>
  `OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK${n}\r\nMax-Forwards: 70\r\n` +
  `From: <sip:alice@127.0.0.1>;tag=a${n}\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: c${n}@127.0.0.1\r\nCSeq: ${n} OPTIONS\r\n` +
  (body ? "Content-Type: text/plain\r\n" : "") +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const texts = (bufs: Buffer[]) => bufs.map((b) => b.toString("utf8"));

describe("StreamFramer", () => {
  it("a whole message in one read", () => {
    const f = new StreamFramer();
    const r = f.push(Buffer.from(msg(1, "hello")));
    expect(r.error).toBeNull();
    expect(texts(r.messages)).toEqual([msg(1, "hello")]);
    expect(f.buffered).toBe(0);
  });

  it("a message split across reads at every byte boundary (headers, blank line, body; multi-byte UTF-8)", () => {
    const whole = Buffer.from(msg(7, "héllo wörld"));
    for (let cut = 1; cut < whole.length; cut++) {
      const f = new StreamFramer();
      const a = f.push(whole.subarray(0, cut));
      expect(a.messages).toEqual([]);
      expect(a.error).toBeNull();
      const b = f.push(whole.subarray(cut));
      expect(b.messages.map((m) => m.equals(whole))).toEqual([true]);
    }
  });

  it("one byte at a time", () => {
    const whole = Buffer.from(msg(2, "x".repeat(300)));
    const f = new StreamFramer();
    const got: Buffer[] = [];
    for (let i = 0; i < whole.length; i++) got.push(...f.push(whole.subarray(i, i + 1)).messages);
    expect(got).toHaveLength(1);
    expect(got[0].equals(whole)).toBe(true);
  });

  it("several messages coalesced in one read, the last one partial", () => {
    const all = msg(1) + msg(2, "body two") + msg(3);
    const tail = msg(4, "four");
    const f = new StreamFramer();
    const r = f.push(Buffer.from(all + tail.slice(0, 30)));
    expect(texts(r.messages)).toEqual([msg(1), msg(2, "body two"), msg(3)]);
    for (const m of r.messages) expect(parseMessage(m).ok).toBe(true);
    expect(f.buffered).toBe(30);
    expect(texts(f.push(Buffer.from(tail.slice(30))).messages)).toEqual([tail]);
  });

  it("CRLF keep-alives between messages are skipped; CRLFCRLF counts as a ping (RFC 5626)", () => {
    const f = new StreamFramer();
    const r = f.push(Buffer.from(`\r\n\r\n${msg(1)}\r\n\r\n`));
    expect(texts(r.messages)).toEqual([msg(1)]);
    expect(r.pings).toBe(2);
    // a ping split across reads
    expect(f.push(Buffer.from("\r\n\r")).pings).toBe(0);
    expect(f.push(Buffer.from("\n")).pings).toBe(1);
    expect(texts(f.push(Buffer.from(msg(2))).messages)).toEqual([msg(2)]);
  });

  it("a bad Content-Length is an error and the framer stays failed", () => {
    const f = new StreamFramer();
    const bad = msg(1).replace("Content-Length: 0", "Content-Length: abc");
    const r = f.push(Buffer.from(msg(9) + bad));
    expect(texts(r.messages)).toEqual([msg(9)]); // what came before is still delivered
    expect(r.error).toMatch(/invalid Content-Length/);
    expect(f.push(Buffer.from(msg(2))).error).not.toBeNull();
    expect(f.push(Buffer.from(msg(2))).messages).toEqual([]);
  });

  it("missing, negative, conflicting and oversized Content-Length are errors; the compact form l counts", () => {
    const noCl = msg(1).replace("Content-Length: 0\r\n", "");
    expect(new StreamFramer().push(Buffer.from(noCl)).error).toMatch(/no Content-Length/);
    expect(new StreamFramer().push(Buffer.from(msg(1).replace("Content-Length: 0", "Content-Length: -5"))).error).toMatch(/invalid/);
    expect(new StreamFramer().push(Buffer.from(msg(1).replace("Content-Length: 0", "Content-Length: 0\r\nl: 4"))).error).toMatch(/conflicting/);
    const big = new StreamFramer({ maxHeaderBytes: 4096, maxBodyBytes: 100 });
    expect(big.push(Buffer.from(msg(1).replace("Content-Length: 0", "Content-Length: 101"))).error).toMatch(/exceeds/);
    const compact = msg(1, "abcd").replace("Content-Length: 4", "l: 4");
    expect(texts(new StreamFramer().push(Buffer.from(compact)).messages)).toEqual([compact]);
    expect(contentLength("X\r\ncontent-LENGTH :  12 ")).toBe(12);
  });

  it("a header block without an end beyond the limit is an error (no unbounded buffering)", () => {
    const f = new StreamFramer({ maxHeaderBytes: 256, maxBodyBytes: 1000 });
    expect(f.push(Buffer.from("INVITE sip:x SIP/2.0\r\n")).error).toBeNull();
    expect(f.push(Buffer.from(`X-Junk: ${"a".repeat(300)}\r\n`)).error).toMatch(/header block exceeds/);
  });
});
