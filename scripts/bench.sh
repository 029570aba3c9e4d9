#!/usr/bin/env bash
# `npm run bench`: performance measurements against SIPp on the same machine (not part of npm test).
#  1. SIP load generation, SIPp vs our stack against the same Kamailio (bench/sip-bench.ts)
#  2. SIP fuzz at scale, 1,000,000 mutated datagrams at a live UA + registrar (bench/fuzz.ts)
#  3. Dashboard in chromium with a synthetic 10,000-endpoint run: first paint, interactive list,
#     tick-to-screen (bench/dashboard.ts)
#  4. the edge at fleet scale: 50 synthetic agents × 200 endpoints, 20 viewers, 120 s (bench/fleet/fleet-scale.ts;
#     env FLEET_AGENTS, FLEET_ENDPOINTS_PER_AGENT, FLEET_SECONDS, FLEET_VIEWERS, FLEET_DETAIL=0, FLEET_INSPECTOR_PORT)
#  5. media scale: N bidirectional PCMU calls of our media engine against an echo, SIPp's beside
#     (bench/media/media-scale.ts; env MEDIA_CALLS (500,1000,2000), MEDIA_SECONDS (60), MEDIA_WORKERS, MEDIA_SIPP=0),
#     after the UDP floor for each N: the same datagrams with no RTP code, Bun and, if cc is there, native
#     (MEDIA_FLOOR=0 skips it, MEDIA_FLOOR_SECONDS (20))
# Env: BENCH_RATES (200,500,1000), BENCH_SECONDS (20), BENCH_SCENARIOS (register,call),
#      BENCH_GENERATORS (sipp,ours), BENCH_RUNTIME (bun|node), BENCH_PROFILE=1|bun, BENCH_PERF=<dir>, BENCH_SETTLE (6),
#      BENCH_FUZZ_COUNT (1000000), BENCH_DASHBOARD_LOADS (5), BENCH_TICKS (40),
#      BENCH_ONLY (sip|fuzz|dashboard|fleet|media). Results in bench/results/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$RINGFLEET_ROOT"
if [ "${BENCH_ONLY:-sip}" = sip ]; then
  for bin in /usr/bin/sipp /usr/sbin/kamailio; do
    [ -x "$bin" ] || { echo "missing $bin: apt-get install -y sip-tester kamailio" >&2; exit 1; }
  done
fi
rc=0
if [ "${BENCH_ONLY:-sip}" = sip ] || [ -z "${BENCH_ONLY:-}" ]; then
  echo "▶ SIP load: SIPp vs Ringfleet against Kamailio"
  node --import tsx bench/sip-bench.ts || rc=$?
fi
if [ "${BENCH_ONLY:-fuzz}" = fuzz ] || [ -z "${BENCH_ONLY:-}" ]; then
  echo "▶ SIP fuzz: ${BENCH_FUZZ_COUNT:-1000000} datagrams"
  node --import tsx bench/fuzz.ts || rc=$?
fi
if [ "${BENCH_ONLY:-dashboard}" = dashboard ] || [ -z "${BENCH_ONLY:-}" ]; then
  echo "▶ Dashboard: 10,000-endpoint run page in chromium"
  [ -x /usr/bin/chromium ] || { echo "missing /usr/bin/chromium: apt-get install -y chromium" >&2; exit 1; }
  npx vite build --config web/vite.config.ts --logLevel warn
  node --import tsx bench/dashboard.ts || rc=$?
fi
if [ "${BENCH_ONLY:-fleet}" = fleet ] || [ -z "${BENCH_ONLY:-}" ]; then
  echo "▶ fleet scale: the edge with synthetic agents"
  "$RINGFLEET_ROOT/node_modules/.bin/bun" bench/fleet/fleet-scale.ts || rc=$?
fi
if [ "${BENCH_ONLY:-media}" = media ] || [ -z "${BENCH_ONLY:-}" ]; then
  echo "▶ media scale: N PCMU calls, ours vs SIPp"
  [ -x /usr/bin/sipp ] || echo "no /usr/bin/sipp (apt-get install -y sip-tester): SIPp's figures are skipped" >&2
  "$RINGFLEET_ROOT/node_modules/.bin/bun" bench/media/media-scale.ts || rc=$?
fi
exit $rc
