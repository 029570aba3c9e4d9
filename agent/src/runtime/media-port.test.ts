import { describe, expect, it } from "vitest";
import { mediaFactory } from "./media-port.js";

describe("mediaFactory", () => {
  it("G.711 endpoints offer PCMU/PCMA as before; a G.722 endpoint prefers G.722 and accepts G.711", async () => {
    const f = mediaFactory();
    const pcmu = await f.open({ localAddress: "127.0.0.1", codec: "PCMU" });
    const g722 = await f.open({ localAddress: "127.0.0.1", codec: "G722" });
    try {
      expect(await pcmu.offer()).toMatch(/m=audio \d+ RTP\/AVP 0 8 101\r\n/);
      expect(await g722.offer()).toMatch(/m=audio \d+ RTP\/AVP 9 0 8 101\r\n/);
      expect(await g722.offer()).toContain("a=rtpmap:9 G722/8000");
    } finally {
      pcmu.stop();
      g722.stop();
    }
  });

  it("an Opus endpoint offers Opus first (then G.722, G.711) and answers with Opus whenever offered", async () => {
    const f = mediaFactory();
    const opus = await f.open({ localAddress: "127.0.0.1", codec: "OPUS" });
    const answerer = await f.open({ localAddress: "127.0.0.1", codec: "OPUS" });
    const g722 = await f.open({ localAddress: "127.0.0.1", codec: "G722" });
    try {
      const offer = await opus.offer();
      expect(offer).toMatch(/m=audio \d+ RTP\/AVP 111 9 0 8 110 101\r\n/);
      expect(offer).toContain("a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n");
      // An offer listing G.711 before Opus and G.722: each wideband endpoint takes its own codec.
      const g711First = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 40000 RTP/AVP 0 8 9 96\r\na=rtpmap:96 opus/48000/2\r\n";
      const a = await answerer.answer(g711First);
      expect(a.ok && a.sdp).toMatch(/m=audio \d+ RTP\/AVP 96 /);
      const b = await g722.answer(g711First);
      expect(b.ok && b.sdp).toMatch(/m=audio \d+ RTP\/AVP 9 /);
    } finally {
      opus.stop();
      answerer.stop();
      g722.stop();
    }
  });
});
