import { describe, expect, it } from "vitest";
import { endpointHref, href, parseRoute, runHref } from "./router.js";

describe("hash router", () => {
  it("parses the three pages", () => {
    expect(parseRoute("")).toEqual({ name: "home" });
    expect(parseRoute("#/")).toEqual({ name: "home" });
    expect(parseRoute("#/projects/p1/runs/r1")).toEqual({ name: "run", pid: "p1", rid: "r1" });
    expect(parseRoute("#/projects/p1/runs/r1/")).toEqual({ name: "run", pid: "p1", rid: "r1" });
    expect(parseRoute("#/projects/p1/runs/r1/endpoints/e1")).toEqual({ name: "endpoint", pid: "p1", rid: "r1", eid: "e1" });
  });
  it("reports unknown paths", () => {
    expect(parseRoute("#/projects/p1")).toEqual({ name: "notFound", path: "/projects/p1" });
    expect(parseRoute("#/nope/x")).toEqual({ name: "notFound", path: "/nope/x" });
    expect(parseRoute("#/projects/p1/runs/r1/endpoints")).toMatchObject({ name: "notFound" });
  });
  it("builds hrefs that parse back (with escaping)", () => {
    expect(runHref("p1", "r1")).toBe("#/projects/p1/runs/r1");
    const h = endpointHref("p/1", "r 1", "e#1");
    expect(parseRoute(h)).toEqual({ name: "endpoint", pid: "p/1", rid: "r 1", eid: "e#1" });
    expect(href({ name: "home" })).toBe("#/");
  });
  it("parses the management pages", () => {
    expect(parseRoute("#/agents")).toEqual({ name: "agents" });
    expect(parseRoute("#/tokens")).toEqual({ name: "tokens" });
    expect(parseRoute("#/projects/p1/registrars")).toEqual({ name: "registrars", pid: "p1" });
    expect(parseRoute("#/projects/p1/tests/new")).toEqual({ name: "newTest", pid: "p1" });
    expect(parseRoute("#/projects/p1/tests/t1")).toEqual({ name: "test", pid: "p1", tid: "t1" });
    for (const r of [{ name: "agents" }, { name: "tokens" }, { name: "registrars", pid: "p 1" }, { name: "newTest", pid: "p" }, { name: "test", pid: "p", tid: "t/1" }] as const)
      expect(parseRoute(href(r))).toEqual(r);
  });
  it("parses and builds the run comparison", () => {
    expect(parseRoute("#/projects/p1/tests/t1/compare/r1/r2")).toEqual({ name: "compare", pid: "p1", tid: "t1", base: "r1", other: "r2" });
    const r = { name: "compare", pid: "p", tid: "t/1", base: "r 1", other: "r#2" } as const;
    expect(parseRoute(href(r))).toEqual(r);
    expect(parseRoute("#/projects/p1/tests/t1/compare/r1")).toMatchObject({ name: "notFound" });
  });
  it("ignores a query after the hash path", () => {
    expect(parseRoute("#/projects/p1/runs/r1?x=1")).toEqual({ name: "run", pid: "p1", rid: "r1" });
  });
});
