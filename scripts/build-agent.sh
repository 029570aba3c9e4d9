#!/usr/bin/env bash
# Compiles the agent into one binary (default dist/ringfleet-agent; the first argument overrides).
# The media worker is the build's second entry point: worker threads load it from inside the
# binary (agent/src/media/media-pool.ts mediaWorkerEntry).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist/ringfleet-agent}"
BUN="$(pwd)/node_modules/.bin/bun"
[ -x "$BUN" ] || BUN=bun
exec "$BUN" build --compile agent/src/main.ts agent/src/media/media-worker.ts --outfile "$out"
