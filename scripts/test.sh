#!/usr/bin/env bash
# `npm test`: every test — unit (vitest), Worker + Durable Objects in workerd, integration with real
# sqld + wrangler dev + agent + Kamailio, and the dashboard in Debian's chromium.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$RINGFLEET_ROOT"
bash scripts/setup-system.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
echo "▶ typecheck (tsc --noEmit, strict)"
npx tsc -p tsconfig.json --noEmit
echo "▶ building the dashboard"
npx vite build --config web/vite.config.ts --logLevel warn
if [ $# -gt 0 ]; then exec npx vitest run "$@"; fi
# Two phases: the integration tests (real processes, media timing, a browser) run alone, so the
# unit suites' CPU load cannot skew what they measure on a 2-core machine.
echo "▶ unit, web and workers tests"
npx vitest run --project unit --project web --project workers
echo "▶ integration tests (real sqld, wrangler dev, agents, Kamailio, SIPp, chromium)"
npx vitest run --project integration
