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
});
