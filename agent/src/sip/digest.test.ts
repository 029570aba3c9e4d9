import { describe, expect, it } from "vitest";
import { digestAuthorization, nonceIssuer, parseChallenge, parseCredentials, pickChallenge, verifyDigest } from "./digest.js";

describe("digest", () => {
  it("matches the RFC 2617 §3.5 example (MD5, qop=auth)", () => {
    const ch = parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')!;
    const v = digestAuthorization(ch, { username: "Mufasa", password: "Circle Of Life" }, { method: "GET", uri: "/dir/index.html" }, 1, "0a4f113b");
    expect(v).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(v).toContain("nc=00000001");
    expect(v).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it("matches the RFC 7616 §3.9.1 example (SHA-256)", () => {
    const ch = parseChallenge('Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"')!;
    const v = digestAuthorization(ch, { username: "Mufasa", password: "Circle of Life" }, { method: "GET", uri: "/dir/index.html" }, 1, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
    expect(v).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
  });

  it("computes the RFC 2069 form without qop", () => {
    const ch = parseChallenge('Digest realm="r", nonce="n"')!;
    expect(ch.qop).toBeNull();
    const v = digestAuthorization(ch, { username: "u", password: "p" }, { method: "REGISTER", uri: "sip:r" });
    expect(v).not.toContain("qop");
    expect(verifyDigest(parseCredentials(v)!, "REGISTER", "p")).toBe(true);
  });

  it("prefers SHA-256 among several challenges (RFC 8760 §2.4)", () => {
    expect(pickChallenge(['Digest realm="r", nonce="1"', 'Digest realm="r", nonce="2", algorithm=SHA-256'], null)?.algorithm).toBe("SHA-256");
  });

  it("server side: verifies good credentials, rejects a wrong password, detects stale nonces", () => {
    let now = 1_000_000;
    const nonces = nonceIssuer(1000, undefined, () => now);
    const nonce = nonces.issue();
    const ch = parseChallenge(`Digest realm="r", nonce="${nonce}", qop="auth"`)!;
    const creds = parseCredentials(digestAuthorization(ch, { username: "u", password: "p" }, { method: "INVITE", uri: "sip:b@r" }, 1))!;
    expect(verifyDigest(creds, "INVITE", "p")).toBe(true);
    expect(verifyDigest(creds, "INVITE", "wrong")).toBe(false);
    expect(verifyDigest(creds, "BYE", "p")).toBe(false);
    expect(nonces.check(nonce)).toBe("ok");
    expect(nonces.check(nonce.slice(0, -2) + "xx")).toBe("bad");
    now += 2000;
    expect(nonces.check(nonce)).toBe("stale");
  });
});
