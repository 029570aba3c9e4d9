/** DTMF over SIP INFO: bodies, the one-at-a-time sender, the detector, and RtpSession's counting. */
import { describe, expect, it } from "vitest";
import { DTMF_CONTENT_TYPE, DTMF_RELAY_CONTENT_TYPE, DtmfInfoDetector, DtmfInfoSender, formatDtmfRelay, parseDtmfInfo } from "./dtmf-info.js";
import { RtpSession } from "./rtp-session.js";
import { MediaScheduler } from "./scheduler.js";

describe("application/dtmf-relay and application/dtmf bodies", () => {
  it("formats Signal and Duration lines, CRLF-terminated", () => {
    expect(formatDtmfRelay("5")).toBe("Signal=5\r\nDuration=160\r\n");
    expect(formatDtmfRelay("#", 250)).toBe("Signal=#\r\nDuration=250\r\n");
    expect(formatDtmfRelay("a")).toBe("Signal=A\r\nDuration=160\r\n");
    expect(() => formatDtmfRelay("x")).toThrow(/not a DTMF digit/);
    expect(() => formatDtmfRelay("12")).toThrow();
  });

  it("parses dtmf-relay (LF or CRLF, any case, spaces), event codes 10–15 for * # A–D", () => {
    expect(parseDtmfInfo("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n")).toEqual({ digit: "5", durationMs: 160 });
    expect(parseDtmfInfo("Application/DTMF-Relay; charset=utf-8", "signal = 9\nduration= 100\n")).toEqual({ digit: "9", durationMs: 100 });
    expect(parseDtmfInfo("application/dtmf-relay", "Signal=10\r\nDuration=160\r\n")?.digit).toBe("*");
    expect(parseDtmfInfo("application/dtmf-relay", "Signal=11\r\n")).toEqual({ digit: "#", durationMs: null });
    expect(parseDtmfInfo("application/dtmf-relay", "Signal=15\r\n")?.digit).toBe("D");
    expect(parseDtmfInfo("application/dtmf-relay", "Signal=*\r\nDuration=-4\r\n")).toEqual({ digit: "*", durationMs: null });
  });

  it("parses application/dtmf: the digit alone, or the same lines", () => {
    expect(parseDtmfInfo("application/dtmf", "7")).toEqual({ digit: "7", durationMs: null });
    expect(parseDtmfInfo("application/dtmf", "#\r\n")).toEqual({ digit: "#", durationMs: null });
    expect(parseDtmfInfo("application/dtmf", "Signal=3\r\nDuration=80\r\n")).toEqual({ digit: "3", durationMs: 80 });
  });

  it("returns null for other content types and bodies naming no digit; never throws", () => {
    expect(parseDtmfInfo("application/media_control+xml", "Signal=5")).toBeNull();
    expect(parseDtmfInfo(undefined, "Signal=5")).toBeNull();
    expect(parseDtmfInfo("application/dtmf-relay", "")).toBeNull();
    expect(parseDtmfInfo("application/dtmf-relay", "Signal=16\r\n")).toBeNull();
    expect(parseDtmfInfo("application/dtmf-relay", "Signal=X\r\n")).toBeNull();
    expect(parseDtmfInfo("application/dtmf-relay", "5")).toBeNull(); // relay needs Signal=
    expect(parseDtmfInfo("application/dtmf", "55")).toBeNull();
    expect(parseDtmfInfo("application/dtmf", "\u0000\u00ff=\r\n=")).toBeNull();
  });
});

describe("DtmfInfoSender", () => {
  it("sends one INFO per digit, one at a time in order, counting those answered 2xx", async () => {
    const sent: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const sender = new DtmfInfoSender(async (body, type) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      sent.push(`${type} ${body}`);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { ok: !body.includes("Signal=9") }; // the peer refuses 9
    }, async () => {});
    const [a, b] = await Promise.all([sender.send("12x9"), sender.send("#", { durationMs: 250, contentType: DTMF_CONTENT_TYPE })]);
    expect(sent).toEqual([
      `${DTMF_RELAY_CONTENT_TYPE} Signal=1\r\nDuration=160\r\n`,
      `${DTMF_RELAY_CONTENT_TYPE} Signal=2\r\nDuration=160\r\n`,
      `${DTMF_RELAY_CONTENT_TYPE} Signal=9\r\nDuration=160\r\n`,
      `${DTMF_CONTENT_TYPE} #\r\n`,
    ]);
    expect(maxInFlight).toBe(1);
    expect([a, b]).toEqual([2, 1]);
    expect(sender.digitsSent).toBe(3);
    expect(sender.rejected).toBe(1);
  });

  it("waits the gap between digits; a send that throws counts as rejected and does not stop the queue", async () => {
    const gaps: number[] = [];
    let n = 0;
    const sender = new DtmfInfoSender(async () => {
      if (n++ === 0) throw new Error("transport closed");
      return { ok: true };
    }, async (ms) => void gaps.push(ms));
    expect(await sender.send("123", { gapMs: 70 })).toBe(2);
    expect(gaps).toEqual([70, 70]);
    expect(sender.rejected).toBe(1);
  });
});

describe("DtmfInfoDetector", () => {
  it("counts each DTMF INFO, keeps the digits, counts malformed DTMF bodies, ignores other INFOs", () => {
    const d = new DtmfInfoDetector();
    expect(d.onInfo("application/dtmf-relay", "Signal=4\r\nDuration=160\r\n")).toBe("4");
    expect(d.onInfo("application/dtmf-relay", "Signal=4\r\nDuration=160\r\n")).toBe("4"); // a second press
    expect(d.onInfo("application/dtmf", "*")).toBe("*");
    expect(d.onInfo("application/dtmf-relay", "Signal=?\r\n")).toBeNull();
    expect(d.onInfo("text/plain", "hello")).toBeNull();
    expect([d.digits, d.digitsReceived, d.malformed]).toEqual(["44*", 3, 1]);
  });
});

describe("RtpSession counts SIP INFO DTMF with RFC 4733's", () => {
  it("dtmf_digits_sent / dtmf_digits_received, receivedDigits and onDtmf", async () => {
    const heard: string[] = [];
    const s = await RtpSession.open({ codec: "PCMU", scheduler: new MediaScheduler(), onDtmf: (d) => heard.push(d) });
    try {
      const bodies: string[] = [];
      const accepted = await s.sendDtmfInfo("5#", async (body) => (bodies.push(body), { ok: true }), { gapMs: 0 });
      expect(accepted).toBe(2);
      expect(bodies).toEqual(["Signal=5\r\nDuration=160\r\n", "Signal=#\r\nDuration=160\r\n"]);
      expect(s.onSipInfo("application/dtmf-relay", "Signal=7\r\nDuration=160\r\n")).toBe("7");
      expect(s.onSipInfo("application/dtmf", "B")).toBe("B");
      expect(s.onSipInfo("application/sdp", "v=0")).toBeNull();
      const m = s.sample();
      expect(m.dtmf_digits_sent).toBe(2);
      expect(m.dtmf_digits_received).toBe(2);
      expect(s.receivedDigits).toBe("7B");
      expect(heard).toEqual(["7", "B"]);
      expect(s.summary()).toMatchObject({ dtmfDigitsSent: 2, dtmfDigitsReceived: 2 });
    } finally {
      s.stop();
    }
  });
});
