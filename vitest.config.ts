/**
 * One `vitest run` for everything (the README's test command):
 *  - unit:        pure modules of protocol, agent, edge and db (Node)
 *  - web:         SolidJS components (jsdom)
 *  - workers:     the Worker and its Durable Objects inside workerd (@cloudflare/vitest-pool-workers)
 *  - integration: real sqld + wrangler dev + agent + Kamailio + chromium (test/integration)
 */
import { defineConfig } from "vitest/config";
import solid from "vite-plugin-solid";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { bunFileLoader } from "./test/support/bun-file-loader.js";

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        // The agent's media engine imports libopus's wasm the Bun way (test/support/bun-file-loader.ts).
        plugins: [bunFileLoader()],
        test: {
          name: "unit",
          environment: "node",
          include: ["protocol/**/*.test.ts", "agent/**/*.test.ts", "edge/src/**/*.test.ts", "db/**/*.test.ts", "scripts/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [solid()],
        resolve: { conditions: ["development", "browser"] },
        test: {
          name: "web",
          environment: "jsdom",
          globals: true,
          include: ["web/src/**/*.test.{ts,tsx}"],
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { DB_URL: inject("dbUrl"), AGENT_OFFLINE_AFTER_SEC: "60" } },
          })),
        ],
        test: {
          name: "workers",
          include: ["edge/test/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [bunFileLoader()],
        test: {
          name: "integration",
          environment: "node",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/stack-setup.ts"],
          // One shared stack; files run one after another so runs do not compete for agent capacity.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
