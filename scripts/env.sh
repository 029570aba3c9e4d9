# Sourced by the project's scripts: keep wrangler and every tool local, quiet and offline.
export WRANGLER_SEND_METRICS=false
export WRANGLER_SEND_ERROR_REPORTS=false
export WRANGLER_HIDE_BANNER=true
export CLOUDFLARE_CF_FETCH_ENABLED=false
export DO_NOT_TRACK=1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RINGFLEET_ROOT="$ROOT"
export XDG_CONFIG_HOME="$ROOT/.ringfleet/config"
export WRANGLER_LOG_PATH="$ROOT/.ringfleet/logs"
export PATH="$ROOT/node_modules/.bin:$PATH"
mkdir -p "$XDG_CONFIG_HOME" "$WRANGLER_LOG_PATH"

# The real Bun binary (npm's bun package moves it into bun/bin/bun.exe when its postinstall runs).
ringfleet_bun() {
  for b in "$ROOT/node_modules/bun/bin/bun.exe" "$ROOT/node_modules/@oven/bun-linux-x64/bin/bun"; do
    if [ -x "$b" ] && [ "$(stat -c %s "$b")" -gt 1000000 ]; then echo "$b"; return 0; fi
  done
  echo "bun binary not found: run npm ci" >&2
  return 1
}
