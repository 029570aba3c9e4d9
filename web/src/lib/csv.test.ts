import { describe, expect, it } from "vitest";
import { applyServerIssues, parseAccountsCsv, splitCsvLine, toAccount } from "./csv.js";

describe("accounts CSV", () => {
  it("splits quoted cells", () => {
    expect(splitCsvLine('a, "b,c" ,"d""e",')).toEqual(["a", "b,c", 'd"e', ""]);
  });
  it("parses with and without a header, optional columns", () => {
    const a = parseAccountsCsv("2001,pw1\n2002,pw2,auth2,example.com\n");
    expect(a.map(toAccount)).toEqual([
      { username: "2001", password: "pw1" },
      { username: "2002", password: "pw2", authUsername: "auth2", realm: "example.com" },
    ]);
    expect(a.every((r) => Object.keys(r.errors).length === 0)).toBe(true);
    const b = parseAccountsCsv("username,realm,password\r\n\r\n3001,r.example,s3cret\n");
    expect(b).toHaveLength(1);
    expect(toAccount(b[0]!)).toEqual({ username: "3001", password: "s3cret", realm: "r.example" });
    expect(b[0]!.line).toBe(3);
  });
  it("reports per-row errors: empty password, bad user, duplicates, existing, extra columns", () => {
    const rows = parseAccountsCsv("2001,pw\n2002,\nbad user,pw\n2001,x\n1001,y\n2003,a,b,c,d", new Set(["1001"]));
    expect(rows.map((r) => r.errors)).toEqual([
      {},
      { password: "must not be empty" },
      { username: expect.stringMatching(/SIP user characters/) },
      { username: "duplicate of line 1" },
      { username: "already exists on this registrar" },
      { row: expect.stringMatching(/5 columns/) },
    ]);
  });
  it("maps the server's accounts.N.field issues back to rows", () => {
    const rows = parseAccountsCsv("a,1\nb,2");
    const r = applyServerIssues(rows, [{ path: "accounts.1.username", message: "already exists on this registrar" }, { path: "(root)", message: "x" }]);
    expect(r.rows[1]!.errors).toEqual({ username: "already exists on this registrar" });
    expect(r.rows[0]!.errors).toEqual({});
    expect(r.unmatched).toEqual([{ path: "(root)", message: "x" }]);
  });
});
