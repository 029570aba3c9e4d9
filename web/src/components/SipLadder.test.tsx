import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import type { SipTraceEntry } from "../../../protocol/index.js";
import { SipLadder } from "./SipLadder.js";

const trace: SipTraceEntry[] = JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/sip-trace/call.json"), "utf8"));

afterEach(cleanup);

describe("SIP ladder", () => {
  it("draws the parties and one button per message", () => {
    render(() => <SipLadder trace={trace} endpointLabel="1000" />);
    const svg = screen.getByRole("group", { name: "SIP ladder" });
    expect(within(svg).getAllByRole("button")).toHaveLength(12);
    expect(svg.textContent).toContain("127.0.0.1:5070");
    expect(svg.textContent).toContain("1000");
    expect(screen.getByTestId("sip-ladder").getAttribute("data-parties")).toBe("3");
    expect(screen.getByText(/1 retransmitted/)).toBeTruthy();
    const retrans = screen.getByRole("button", { name: "INVITE → 127.0.0.1:5070 at +1.500 s, with SDP, retransmission" });
    expect(retrans.getAttribute("class")).toContain("retrans");
  });
  it("opens the full message, SDP included, on click and on Enter; closes again", () => {
    render(() => <SipLadder trace={trace} />);
    expect(screen.queryByRole("region", { name: "SIP message" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "200 OK ← 127.0.0.1:5070 at +1.700 s, with SDP" }));
    const panel = screen.getByRole("region", { name: "SIP message" });
    expect(panel.querySelector("pre")!.textContent).toContain("m=audio 40002 RTP/AVP 0");
    expect(panel.textContent).toContain("received from 127.0.0.1:5070");
    expect(screen.getByRole("button", { name: /^200 OK ← 127.0.0.1:5070 at \+1.700 s/ }).getAttribute("aria-pressed")).toBe("true");
    fireEvent.keyDown(screen.getByRole("button", { name: "BYE → 127.0.0.1:5070 at +9.702 s" }), { key: "Enter" });
    expect(screen.getByRole("region", { name: "SIP message" }).querySelector("pre")!.textContent).toMatch(/^BYE sip:2000@127.0.0.1:5071 SIP\/2.0/);
    fireEvent.click(screen.getByRole("button", { name: "Close message" }));
    expect(screen.queryByRole("region", { name: "SIP message" })).toBeNull();
  });
  it("is as wide as its columns (the wrapper scrolls on a phone)", () => {
    render(() => <SipLadder trace={trace} />);
    const svg = screen.getByRole("group", { name: "SIP ladder" });
    expect(Number(svg.getAttribute("width"))).toBe(64 + 3 * 150);
    expect(svg.parentElement!.classList.contains("ladder-scroll")).toBe(true);
  });
});
