#!/usr/bin/env bash
# `npm start`: install what is missing, build the dashboard, start the local stack.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$RINGFLEET_ROOT"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "▶ npm ci"; npm ci --no-audit --no-fund
fi
echo "▶ building the dashboard"; npx vite build --config web/vite.config.ts --logLevel warn
exec "$(ringfleet_bun)" scripts/start.ts "$@"
