/**
 * One `vitest run` for everything (the README's test command):
 *  - unit:        pure modules of protocol, agent, edge and db (Node)
 *  - web:         SolidJS components (jsdom)
 *  - workers:     the Worker and its Durable Objects inside workerd (added in vitest.workers.ts)
 *  - integration: real sqld + wrangler dev + agent + Kamailio + chromium (test/integration)
 */
import { defineConfig } from "vitest/config";
import solid from "vite-plugin-solid";

export default defineConfig({
  test: {
    projects: [
      {
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
    ],
  },
});
