import { describe, expect, it } from "vitest";
import { agentConfig, ConfigError, parseAgentArgs } from "./config.js";

describe("agent configuration", () => {
  it("defaults the command to run and reads flags before environment", () => {
    const { command, values } = parseAgentArgs(["--server", "http://127.0.0.1:8787", "--token", "rfa_x"], {});
    expect(command).toBe("run");
    const c = agentConfig(values, { RINGFLEET_REGION: "eu", RINGFLEET_TOKEN: "ignored" });
    expect(c).toMatchObject({ server: "http://127.0.0.1:8787", token: "rfa_x", region: "eu", capacity: 500, sipAddress: "127.0.0.1" });
  });
  it("names the offending option", () => {
    expect(() => agentConfig({}, {})).toThrow(/--server/);
    expect(() => agentConfig({ server: "ftp://x", token: "t" }, {})).toThrow(/--server must start with http/);
    expect(() => agentConfig({ server: "http://x", token: "t", capacity: "-3" }, {})).toThrow(ConfigError);
    expect(() => parseAgentArgs(["bogus"], {})).toThrow(/unknown command "bogus"/);
  });
});
