import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeWebSocket } from "../test/fakes.js";
import { backoffDelay, connectLive, liveUrl } from "./live-socket.js";

const run = (status = "RUNNING") => ({
  runId: "r1", status, reasonCode: null, reason: null, durationSec: 20, startedAt: 1, endedAt: null, phaseCounts: {}, outcomeCounts: {},
});
const snapshot = (status = "RUNNING") => ({ v: 1, type: "snapshot", run: run(status), series: [], endpoints: [] });

describe("live socket", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.reset();
  });
  afterEach(() => vi.useRealTimers());

  const open = (onMessage = vi.fn(), onConnection = vi.fn()) =>
    connectLive("r 1", "rf_t", { onMessage, onConnection }, { WebSocketImpl: FakeWebSocket as unknown as typeof WebSocket, location: { protocol: "https:", host: "h.example" } });

  it("builds the URL with the token", () => {
    expect(liveUrl("r1", "a b", { protocol: "http:", host: "127.0.0.1:8787" })).toBe("ws://127.0.0.1:8787/live/runs/r1?token=a%20b");
    open();
    expect(FakeWebSocket.last.url).toBe("wss://h.example/live/runs/r%201?token=rf_t");
  });

  it("leaves the token out when signed in with a session cookie", () => {
    expect(liveUrl("r1", null, { protocol: "https:", host: "h.example" })).toBe("wss://h.example/live/runs/r1");
  });

  it("passes valid messages and drops (and logs) invalid ones", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const onMessage = vi.fn();
    open(onMessage);
    const ws = FakeWebSocket.last;
    ws.open();
    ws.receive(snapshot());
    ws.receive("not json");
    ws.receive({ v: 1, type: "tick", run: { nope: 1 } });
    expect(onMessage).toHaveBeenCalledTimes(1);
    expect(onMessage.mock.calls[0]![0].type).toBe("snapshot");
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });

  it("reconnects with back-off while the run is live, and stops once it is terminal", () => {
    const onConnection = vi.fn();
    const c = open(vi.fn(), onConnection);
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive(snapshot());
    FakeWebSocket.last.drop();
    expect(onConnection).toHaveBeenLastCalledWith("reconnecting", expect.stringContaining("retrying in 1 s"));
    vi.advanceTimersByTime(999);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.drop(); // never opened: next delay doubles
    vi.advanceTimersByTime(1999);
    expect(FakeWebSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.instances).toHaveLength(3);
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive(snapshot("COMPLETED"));
    FakeWebSocket.last.drop(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(onConnection).toHaveBeenLastCalledWith("closed", "run finished");
    c.close();
  });

  it("close() stops reconnecting", () => {
    const c = open();
    FakeWebSocket.last.drop();
    c.close();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("reconnects for a fresh snapshot when the run was not ready", () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    open();
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive({ v: 1, type: "error", code: "NOT_READY", message: "run is not initialised yet" });
    expect(FakeWebSocket.instances[0]!.closed).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it("does not reconnect when the caller knows the run is over", () => {
    connectLive("r1", "t", { onMessage: vi.fn() }, { WebSocketImpl: FakeWebSocket as unknown as typeof WebSocket, location: { protocol: "http:", host: "h" }, isOver: () => true });
    FakeWebSocket.last.drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("caps the back-off", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a))).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });
});
