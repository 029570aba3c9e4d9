#!/usr/bin/env bash
# `npm run bench`: performance measurements against SIPp on the same machine (not part of npm test).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$RINGFLEET_ROOT"
echo "No benchmarks yet: the SIP engine and media benchmarks arrive with their issues." >&2
exit 0
