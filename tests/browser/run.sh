#!/usr/bin/env bash
# The page's end-to-end tests: starts the real server on the demo data (in a scratch data
# directory, on a free port), then drives Debian's headless Chromium through the coach's,
# the job matcher's and the employer's flows with Playwright, and checks accessibility with
# axe-core. Screenshots land in tests/browser/artifacts/.
#
#   bash tests/browser/run.sh [path/to/jobmatch]    (default target/debug/jobmatch)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/jobmatch}"
[ -x "$bin" ] || { echo "no jobmatch binary at $bin; run cargo build first" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "Debian's chromium is required (apt-get install chromium)" >&2; exit 1; }

(cd "$here" && npm ci --no-audit --no-fund --silent)

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" serve --demo --data-dir "$data" --addr "127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

for _ in $(seq 1 600); do
  if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && [ -s "$data/demo-tokens.jsonl" ]; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$data/server.log" >&2; exit 1; fi
  sleep 0.2
done

mkdir -p "$here/artifacts"
# localhost, not 127.0.0.1: browsers keep Secure cookies for localhost over plain HTTP.
JOBMATCH_URL="http://localhost:$port" JOBMATCH_TOKENS="$data/demo-tokens.jsonl" \
  ARTIFACTS="$here/artifacts" node --test --test-concurrency=1 "$here/flows.test.mjs" \
  || { echo "--- server log (last 40 lines)" >&2; tail -40 "$data/server.log" >&2; exit 1; }
