import { describe, expect, it } from "vitest";
import { DtmfDetector, DtmfSender, readTelephoneEvent, writeTelephoneEvent, type TelephoneEvent } from "./dtmf.js";

const payload = (e: Partial<TelephoneEvent> & { event: number }) => {
  const b = new Uint8Array(4);
  writeTelephoneEvent(b, 0, { end: false, volume: 10, duration: 0, ...e });
  return b;
};

describe("telephone-event payload (RFC 4733 §2.3)", () => {
  it("writes and reads E, volume, duration", () => {
    const b = payload({ event: 11, end: true, volume: 10, duration: 800 });
    expect([...b]).toEqual([11, 0x8a, 0x03, 0x20]);
    expect(readTelephoneEvent(b, 0, 4)).toEqual({ event: 11, end: true, volume: 10, duration: 800 });
    expect(readTelephoneEvent(b, 0, 3)).toBeNull();
    expect(readTelephoneEvent(b, 2, 4)).toBeNull(); // runs past the buffer
  });
});

describe("DtmfSender (§2.5.1)", () => {
  it("100 ms digit at 20 ms: 5 packets with growing duration, the last sent 3×, then the gap", () => {
    const s = new DtmfSender(160, 8000);
    expect(s.enqueue("5", { toneMs: 100, gapMs: 40 })).toBe(1);
    const frames = [];
    for (let i = 0; i < 10; i++) frames.push(s.next());
    expect(frames.slice(0, 7).map((f) => [f!.marker, f!.event.event, f!.event.duration, f!.event.end])).toEqual([
      [true, 5, 160, false],
      [false, 5, 320, false],
      [false, 5, 480, false],
      [false, 5, 640, false],
      [false, 5, 800, true],
      [false, 5, 800, true],
      [false, 5, 800, true],
    ]);
    expect(frames[0]!.start).toBe(true);
    expect(frames.slice(1, 7).every((f) => !f!.start)).toBe(true);
    expect(frames.slice(7)).toEqual([null, null, null]); // 40 ms gap = 2 packets, then idle audio
    expect(s.digitsSent).toBe(1);
    expect(s.busy).toBe(false);
  });

  it("maps * # A–D to codes 10–15, skips unknown characters, clamps tone length", () => {
    const s = new DtmfSender();
    expect(s.enqueue("*#aD x", { toneMs: 1, gapMs: 0 })).toBe(4);
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) {
      const f = s.next();
      if (f?.start) codes.push(f.event.event);
    }
    expect(codes).toEqual([10, 11, 12, 15]);
    expect(s.digitsSent).toBe(4);
  });
});

describe("DtmfSender at Opus's 48 kHz (RFC 4733 §2.1: the event clock is the audio's)", () => {
  it("100 ms digit: durations in 960-unit steps up to 4800", () => {
    const s = new DtmfSender(960, 48000);
    s.enqueue("1", { toneMs: 100, gapMs: 0 });
    const d: number[] = [];
    for (let i = 0; i < 7; i++) d.push(s.next()!.event.duration);
    expect(d).toEqual([960, 1920, 2880, 3840, 4800, 4800, 4800]);
  });

  it("a long tone stops where the 16-bit duration ends (1360 ms in whole packets), with no wrap", () => {
    const s = new DtmfSender(960, 48000);
    s.enqueue("9", { toneMs: 5000, gapMs: 0 });
    let last = 0;
    let packets = 0;
    for (let f = s.next(); f; f = s.next()) {
      expect(f.event.duration).toBeGreaterThanOrEqual(last);
      last = f.event.duration;
      packets++;
    }
    expect(last).toBe(68 * 960);
    expect(packets).toBe(68 + 2);
  });

  it("setClock applies to the next event: queued at 8 kHz, sent at 48 kHz after negotiation", () => {
    const s = new DtmfSender();
    s.enqueue("2", { toneMs: 40, gapMs: 40 });
    s.setClock(960, 48000);
    expect([s.next()!.event.duration, s.next()!.event.duration]).toEqual([960, 1920]);
  });
});

describe("DtmfDetector (§2.5.2)", () => {
  it("counts each event once by timestamp: updates and end retransmissions are not digits", () => {
    const d = new DtmfDetector();
    const seq: [number, Partial<TelephoneEvent> & { event: number }][] = [
      [1000, { event: 1, duration: 160 }],
      [1000, { event: 1, duration: 320 }],
      [1000, { event: 1, duration: 480, end: true }],
      [1000, { event: 1, duration: 480, end: true }],
      [1000, { event: 1, duration: 480, end: true }],
      [2600, { event: 1, duration: 160 }], // same digit again: new timestamp, new event
      [2600, { event: 1, duration: 320, end: true }],
      [4000, { event: 11, duration: 480, end: true }], // start packets lost, only the end arrives
      [2600, { event: 1, duration: 320, end: true }], // late retransmission of an older event
    ];
    const got = seq.map(([ts, e]) => d.onPacket(payload(e), 0, 4, ts));
    expect(got).toEqual(["1", null, null, null, null, "1", null, "#", null]);
    expect(d.digits).toBe("11#");
    expect(d.digitsReceived).toBe(3);
  });

  it("handles 32-bit timestamp wraparound and malformed payloads without throwing", () => {
    const d = new DtmfDetector();
    expect(d.onPacket(payload({ event: 9 }), 0, 4, 0xffffff00)).toBe("9");
    expect(d.onPacket(payload({ event: 0 }), 0, 4, 0x00000100)).toBe("0"); // after the wrap: newer
    expect(d.onPacket(new Uint8Array([1, 2]), 0, 2, 0x200)).toBeNull();
    expect(d.onPacket(payload({ event: 16 }), 0, 4, 0x300)).toBeNull(); // not a DTMF event
    expect(d.malformed).toBe(2);
    expect(d.digits).toBe("90");
  });

  it("detects what the sender sends", () => {
    const s = new DtmfSender();
    const d = new DtmfDetector();
    s.enqueue("123*#", { toneMs: 60, gapMs: 20 });
    let ts = 0;
    let eventTs = 0;
    for (let i = 0; i < 100; i++, ts += 160) {
      const f = s.next();
      if (!f) continue;
      if (f.start) eventTs = ts;
      d.onPacket(payload(f.event), 0, 4, eventTs);
    }
    expect(d.digits).toBe("123*#");
    expect(s.digitsSent).toBe(5);
  });
});
