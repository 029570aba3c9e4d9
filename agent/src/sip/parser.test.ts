import { describe, expect, it } from "vitest";
import { parseMessage } from "./parser.js";
import { serialize } from "./serializer.js";
import { SipHeaders, SipRequest } from "./message.js";
import { parseAuth, parseCSeq, parseNameAddr, parseVia, splitList } from "./header-values.js";

const INVITE =
  "INVITE sip:bob@example.com SIP/2.0\r\n" +
  "v: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK0;received=1.2.3.4\r\n" +
  "Max-Forwards: 70\r\n" +
  'f: "Alice, A." <sip:alice@example.com>;tag=xyz\r\n' +
  "t: sip:bob@example.com\r\n" +
  "i: abc@10.0.0.1\r\n" +
  "CSeq: 7\r\n INVITE\r\n" +
  'm: <sip:alice@10.0.0.1:5070>;expires=60, "B" <sip:a2@h;lr>;q=0.5\r\n' +
  "Subject: folded\r\n\tline\r\n" +
  "c: application/sdp\r\n" +
  "l: 4\r\n\r\nv=0\r\nEXTRA";

describe("parseMessage", () => {
  it("parses a request with compact forms, folding, lists and Content-Length framing", () => {
    const r = parseMessage(Buffer.from(INVITE));
    expect(r.ok).toBe(true);
    if (!r.ok || r.message.type !== "request") return;
    const m = r.message;
    expect(m.method).toBe("INVITE");
    expect(m.uri).toBe("sip:bob@example.com");
    expect(m.callId).toBe("abc@10.0.0.1");
    expect(m.cseq).toEqual({ seq: 7, method: "INVITE" });
    expect(m.headers.get("subject")).toBe("folded line");
    expect(m.headers.get("Content-Type")).toBe("application/sdp");
    expect(m.body).toBe("v=0\r");
    expect(m.vias?.map((v) => [v.host, v.port, v.branch, v.rport, v.received])).toEqual([
      ["10.0.0.1", 5070, "z9hG4bK1", null, null],
      ["10.0.0.2", null, "z9hG4bK0", undefined, "1.2.3.4"],
    ]);
    expect(m.from).toMatchObject({ displayName: "Alice, A.", uri: "sip:alice@example.com", tag: "xyz" });
    expect(m.to).toMatchObject({ displayName: null, uri: "sip:bob@example.com", tag: null });
    expect(m.contacts).toEqual([
      expect.objectContaining({ uri: "sip:alice@10.0.0.1:5070", expires: 60 }),
      expect.objectContaining({ displayName: "B", uri: "sip:a2@h;lr", q: 0.5, expires: null }),
    ]);
  });

  it("parses responses, including an empty reason phrase", () => {
    const r = parseMessage("SIP/2.0 180 \r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    expect(r.ok && r.message.type === "response" && [r.message.status, r.message.reason]).toEqual([180, ""]);
  });

  it("returns typed errors and never throws on garbage", () => {
    const bad = ["", "\r\n\r\n", "garbage", "INVITE sip:x SIP/2.0\r\n\r\n", "SIP/2.0 1000 X\r\n\r\n", "SIP/3.0 200 OK\r\n\r\n", "\u0000\u0001"];
    for (const b of bad) {
      const r = parseMessage(b);
      expect(r.ok, JSON.stringify(b)).toBe(false);
    }
    const v = parseMessage("OPTIONS sip:x SIP/3.0\r\nVia: SIP/2.0/UDP h\r\n\r\n");
    expect(!v.ok && v.error).toMatchObject({ code: "bad-version", statusCode: 505 });
    // random bytes and truncations of a valid message
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const buf = Buffer.from(INVITE);
      const cut = buf.subarray(0, Math.floor(rnd() * buf.length));
      for (let k = 0; k < 3; k++) cut[Math.floor(rnd() * cut.length)] = Math.floor(rnd() * 256);
      expect(() => parseMessage(cut)).not.toThrow();
    }
  });

  it("rejects a Content-Length larger than the datagram", () => {
    const r = parseMessage(INVITE.replace("l: 4", "l: 400"));
    expect(!r.ok && r.error.code).toBe("truncated-body");
  });
});

describe("header value parsers", () => {
  it("splits lists outside quotes and <>", () => {
    expect(splitList('"a,b" <sip:x,y@h>, <sip:z@h>')).toEqual(['"a,b" <sip:x,y@h>', "<sip:z@h>"]);
  });
  it("parses Via with LWS around the slashes", () => {
    expect(parseVia("SIP / 2.0 / UDP  host:5060 ; branch = z9hG4bKx ; rport")).toMatchObject({ transport: "UDP", host: "host", port: 5060, branch: "z9hG4bKx", rport: null });
    expect(parseVia("SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKx")).toMatchObject({ host: "[2001:db8::1]", port: 5060 });
    expect(parseVia("SIP/2.0/UDP h;;")).toBeNull();
  });
  it("parses name-addr and rejects bad display names", () => {
    expect(parseNameAddr("caller<sip:c@h>;tag=1")).toMatchObject({ displayName: "caller", tag: "1" });
    expect(parseNameAddr("Bell, Alexander <sip:a@h>")).toBeNull();
    expect(parseNameAddr('"unterminated <sip:a@h>')).toBeNull();
  });
  it("parses CSeq bounds", () => {
    expect(parseCSeq("2147483647 BYE")).toEqual({ seq: 2147483647, method: "BYE" });
    expect(parseCSeq("2147483648 BYE")).toBeNull();
  });
  it("parses digest challenges", () => {
    expect(parseAuth('Digest realm="r, x", nonce="n", qop="auth,auth-int", algorithm=MD5, stale=TRUE')).toEqual({
      scheme: "Digest", params: { realm: "r, x", nonce: "n", qop: "auth,auth-int", algorithm: "MD5", stale: "TRUE" },
    });
  });
});

describe("serialize", () => {
  it("computes Content-Length in bytes and round-trips", () => {
    const h = new SipHeaders()
      .append("Via", "SIP/2.0/UDP h;branch=z9hG4bK1")
      .append("From", "<sip:a@h>;tag=1")
      .append("To", "<sip:b@h>")
      .append("Call-ID", "x")
      .append("CSeq", "1 MESSAGE")
      .append("Content-Length", "999");
    const text = serialize(new SipRequest("MESSAGE", "sip:b@h", h, "héllo"));
    expect(text).toContain("Content-Length: 6\r\n\r\nhéllo");
    expect(text.match(/Content-Length/g)).toHaveLength(1);
    const r = parseMessage(text);
    expect(r.ok && r.message.body).toBe("héllo");
  });
});
