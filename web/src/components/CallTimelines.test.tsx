import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@solidjs/testing-library";
import type { EndpointDetail, RunEndpoint } from "../../../protocol/index.js";
import { setToken } from "../lib/auth.js";
import { fakeFetch, ok } from "../test/fakes.js";
import { CallTimelines } from "./CallTimelines.js";

const T = Date.parse("2026-01-01T10:00:00.000Z");
const base = { runId: "r1", agentId: null, phase: "CLOSED" as const, outcome: "SUCCESS" as const, statusCode: 200, statusText: "OK", timings: {}, metrics: {} };
const caller: EndpointDetail = {
  ...base, id: "c0", group: "A", index: 0, username: "1001", role: "CALLER", series: [],
  trace: [
    { t: T + 100, dir: "out", remote: "UDP r", text: "INVITE sip:1006@127.0.0.1 SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n" },
    { t: T + 112, dir: "in", remote: "UDP r", text: "SIP/2.0 100 Trying\r\nCSeq: 1 INVITE\r\n\r\n" },
    { t: T + 130, dir: "in", remote: "UDP r", text: "SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n\r\n" },
    { t: T + 150, dir: "in", remote: "UDP r", text: "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n" },
    { t: T + 151, dir: "out", remote: "UDP r", text: "ACK sip:1006@127.0.0.1 SIP/2.0\r\nCSeq: 1 ACK\r\n\r\n" },
  ],
};
const receiver: EndpointDetail = {
  ...base, id: "r0", group: "B", index: 0, username: "1006", role: "RECEIVER", series: [],
  trace: [
    { t: T + 120, dir: "in", remote: "UDP r", text: "INVITE sip:1006@127.0.0.1:4000 SIP/2.0\r\nFrom: <sip:1001@127.0.0.1>;tag=1\r\nCSeq: 1 INVITE\r\n\r\n" },
    { t: T + 121, dir: "out", remote: "UDP r", text: "SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n\r\n" },
    { t: T + 140, dir: "out", remote: "UDP r", text: "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n" },
  ],
};
const strip = ({ series: _s, trace: _t, ...e }: EndpointDetail): RunEndpoint => e;

let list: RunEndpoint[];
beforeEach(() => {
  setToken("rf_test");
  list = [strip(caller), strip(receiver)];
  vi.stubGlobal("fetch", fakeFetch((_m, url) => {
    if (url.startsWith("/api/v1/projects/p1/test-runs/r1/endpoints?")) return { body: { data: list, meta: { requestId: "x", pagination: { page: 1, perPage: 500, total: list.length } } } };
    if (url === "/api/v1/projects/p1/test-runs/r1/endpoints/r0") return ok(receiver);
    return undefined;
  }).fn);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("call timelines", () => {
  it("shows this endpoint's INVITE → … steps beside the receiver's, with absolute times", async () => {
    render(() => <CallTimelines pid="p1" rid="r1" self={caller} />);
    const mine = screen.getByRole("list", { name: "Timeline of 1001" });
    expect(within(mine).getByRole("listitem", { name: "180 Ringing: 2026-01-01T10:00:00.130Z" })).toBeTruthy();
    expect(within(mine).getByRole("listitem", { name: "BYE: not seen" })).toBeTruthy();
    const theirs = await screen.findByRole("list", { name: "Timeline of 1006" });
    expect(within(theirs).getByRole("listitem", { name: "INVITE: 2026-01-01T10:00:00.120Z" })).toBeTruthy();
    expect(within(theirs).getByRole("listitem", { name: "200 OK (INVITE): 2026-01-01T10:00:00.140Z" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "1006 (B #0, receiver)" }).getAttribute("href")).toBe("#/projects/p1/runs/r1/endpoints/r0");
    expect(within(mine).getAllByRole("listitem")[2]!.textContent).toContain("+30 ms");
  });

  it("says so when the call has no paired endpoint", async () => {
    list = [strip(caller)];
    render(() => <CallTimelines pid="p1" rid="r1" self={{ ...caller, trace: [] }} />);
    expect(await screen.findByText(/No paired endpoint/)).toBeTruthy();
  });
});
