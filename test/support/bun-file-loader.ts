/**
 * Bun's `file` loader for vitest: `import path from "x.wasm" with { type: "file" }` gives the file's
 * path (under Bun: its path on disk, or inside a compiled binary the embedded copy's /$bunfs/ path).
 * Node cannot import a .wasm that way, so in tests the import becomes a module whose default export
 * is the resolved path on disk. Used by agent/src/media/opus.ts, which reads libopus's wasm so that
 * `bun build --compile` embeds it.
 *
 * The resolved id is encoded (no "node_modules" left in it) or vitest would externalise it to Node.
 */
import type { Plugin } from "vite";

const PREFIX = "\0bun-file:";

export function bunFileLoader(): Plugin {
  return {
    name: "ringfleet:bun-file-loader",
    enforce: "pre",
    async resolveId(source, importer) {
      if (!source.endsWith(".wasm")) return null;
      const r = await this.resolve(source, importer, { skipSelf: true });
      return r ? PREFIX + Buffer.from(r.id).toString("base64url") : null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      return `export default ${JSON.stringify(Buffer.from(id.slice(PREFIX.length), "base64url").toString())};`;
    },
  };
}
