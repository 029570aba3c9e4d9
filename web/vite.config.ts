import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  plugins: [solid()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // ECharts (and zrender) in their own chunk, loaded only when a chart first renders.
        codeSplitting: {
          groups: [{ name: "echarts", test: /node_modules[\\/](echarts|zrender)[\\/]/ }],
        },
      },
    },
  },
  server: {
    // `vite --config web/vite.config.ts` against a running `wrangler dev` on :8787.
    proxy: { "/api": "http://127.0.0.1:8787", "/live": { target: "ws://127.0.0.1:8787", ws: true } },
  },
});
