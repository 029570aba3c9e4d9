import { describe, expect, it } from "vitest";
import { formatUri, parseSipUri, parseUri } from "./uri.js";

describe("SIP URIs", () => {
  it("parses user, password, host, port, params and headers", () => {
    expect(parseSipUri("sips:alice:secret@example.com:5061;transport=tcp;lr?subject=hi&x=1")).toEqual({
      scheme: "sips", user: "alice", password: "secret", host: "example.com", port: 5061,
      params: { transport: "tcp", lr: null }, headers: { subject: "hi", x: "1" },
    });
    expect(parseSipUri("sip:[2001:db8::1]:5060")).toMatchObject({ host: "[2001:db8::1]", port: 5060, user: null });
  });
  it("keeps ';' and '?' of the user part (RFC 4475 §3.1.1.9)", () => {
    expect(parseSipUri("sip:user;par=u%40example.net@example.com")).toMatchObject({ user: "user;par=u%40example.net", host: "example.com" });
  });
  it("rejects malformed ones and keeps other schemes opaque", () => {
    for (const bad of ["sip:", "sip:a@", "sip:h:99999", "sip:a b@h", "nope", "sip:h;;x"]) expect(parseSipUri(bad), bad).toBeNull();
    expect(parseUri("tel:+1234")).toEqual({ scheme: "tel", opaque: "+1234" });
  });
  it("formats what it parses", () => {
    const s = "sip:bob@127.0.0.1:5080;lr;transport=udp";
    expect(formatUri(parseSipUri(s)!)).toBe(s);
  });
});
