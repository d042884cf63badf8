#!/usr/bin/env bash
# Property-based API test: runs Schemathesis against the real server, started
# here on a fresh demo data set, with an admin token.
#
#   bash .ci/schemathesis.sh target/debug/jobmatch
#
# Fails (non-zero exit) on any 5xx, any status code or content type the OpenAPI
# document does not list, any response body that breaks its documented schema,
# or any run error. Only 127.0.0.1 is contacted (besides PyPI, to install
# Schemathesis when it is missing).
#
# Knobs (environment):
#   ST_MAX_EXAMPLES  test cases per operation and phase (default 50)
#   ST_SEED          Hypothesis seed (default 20261201)
#   ST_WORKERS       concurrent workers (default 1: with more, the order of
#                    requests against the one server, and so the run, varies)
#   ST_REPORT_DIR    keep the JSON, JUnit and HAR reports there (by default
#                    they are removed with the temp dir)
set -euo pipefail

ST_VERSION=4.32.5
MAX_EXAMPLES=${ST_MAX_EXAMPLES:-50}
SEED=${ST_SEED:-20261201}
WORKERS=${ST_WORKERS:-1}
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

if [ $# -ne 1 ]; then
    echo "usage: $0 PATH/TO/jobmatch" >&2
    exit 2
fi
BIN=$1
[ -x "$BIN" ] || { echo "schemathesis.sh: $BIN is not an executable" >&2; exit 2; }
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

log() { echo "schemathesis.sh: $*" >&2; }

# --- Schemathesis -----------------------------------------------------------
# `schemathesis` first: `st` is also the name of another program (a terminal).
if command -v schemathesis >/dev/null 2>&1; then
    ST=(schemathesis)
elif command -v st >/dev/null 2>&1 && st --version 2>/dev/null | grep -q '^st, version'; then
    ST=(st)
elif python3 -c 'import schemathesis.cli' 2>/dev/null; then
    ST=(python3 -m schemathesis.cli)
else
    log "installing schemathesis==$ST_VERSION"
    PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
        python3 -m pip install --quiet "schemathesis==$ST_VERSION"
    # The console scripts may not be on PATH yet (pyenv shims need a rehash);
    # the module entry point always works.
    ST=(python3 -m schemathesis.cli)
fi
log "using $("${ST[@]}" --version 2>&1 | tail -n 1)"

# --- Server -----------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jobmatch-st.XXXXXX")
SERVER_PID=
ST_PID=
cleanup() {
    local rc=$?
    if [ -n "$ST_PID" ]; then
        kill "$ST_PID" 2>/dev/null || true
        wait "$ST_PID" 2>/dev/null || true
    fi
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir "$WORK/data"
RUST_LOG=info NO_COLOR=1 "$BIN" serve --demo --data-dir "$WORK/data" --addr 127.0.0.1:0 \
    >"$WORK/server.out" 2>"$WORK/server.err" </dev/null &
SERVER_PID=$!

server_died() {
    log "server exited before it was ready; its log:"
    tail -n 40 "$WORK/server.err" >&2
    exit 1
}

ADDR=
for _ in $(seq 1200); do  # 120 s
    kill -0 "$SERVER_PID" 2>/dev/null || server_died
    ADDR=$(grep 'serving' "$WORK/server.err" | grep -oE 'addr=127\.0\.0\.1:[0-9]+' | head -n 1 | cut -d= -f2 || true)
    [ -n "$ADDR" ] && break
    sleep 0.1
done
[ -n "$ADDR" ] || { log "no 'serving addr=' line after 120 s"; tail -n 40 "$WORK/server.err" >&2; exit 1; }
BASE=http://$ADDR

for i in $(seq 300); do  # 30 s
    kill -0 "$SERVER_PID" 2>/dev/null || server_died
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/health" || true)
    [ "$code" = 200 ] && break
    [ "$i" = 300 ] && { log "GET /health did not answer 200 (last: $code)"; exit 1; }
    sleep 0.1
done

admin_token() {  # first admin token in the JSON lines of file $1
    python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        obj = json.loads(line)
    except ValueError:
        continue
    if isinstance(obj, dict) and obj.get("role") == "admin" and obj.get("token"):
        print(obj["token"])
        break
PY
}
TOKEN=$(admin_token "$WORK/server.out")
if [ -z "$TOKEN" ]; then
    log "no admin token on the server's stdout; creating one"
    "$BIN" token create --role admin --data-dir "$WORK/data" >"$WORK/token.out"
    TOKEN=$(admin_token "$WORK/token.out")
fi
[ -n "$TOKEN" ] || { log "could not get an admin token"; exit 1; }
log "server up at $BASE (pid $SERVER_PID)"

# --- Run ----------------------------------------------------------------------
REPORT_DIR=${ST_REPORT_DIR:-$WORK/report}
mkdir -p "$REPORT_DIR"
start=$(date +%s)
# In the background, so that a signal to this script is handled at once.
(
    cd "$WORK"  # keeps any stray .hypothesis/ or report out of the checkout
    exec "${ST[@]}" run "$BASE/v1/openapi.json" \
        --url "$BASE" \
        --header "Authorization: Bearer $TOKEN" \
        --checks "$CHECKS" \
        --max-examples "$MAX_EXAMPLES" \
        --seed "$SEED" \
        --workers "$WORKERS" \
        --generation-database none \
        --request-timeout 30 \
        --report-json-path "$REPORT_DIR/schemathesis.json" \
        --report-junit-path "$REPORT_DIR/junit.xml" \
        --report-har-path "$REPORT_DIR/requests.har" \
        --no-color
) &
ST_PID=$!
st_rc=0
wait "$ST_PID" || st_rc=$?
ST_PID=
elapsed=$(( $(date +%s) - start ))

# --- Summary ------------------------------------------------------------------
kill -0 "$SERVER_PID" 2>/dev/null || { log "the server died during the run; its log:"; tail -n 40 "$WORK/server.err" >&2; st_rc=1; }
python3 - "$REPORT_DIR/schemathesis.json" "$REPORT_DIR/requests.har" "$st_rc" "$elapsed" <<'PY' || true
import json, sys
path, har, rc, elapsed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
try:
    calls = len(json.load(open(har, encoding="utf-8"))["log"]["entries"])
except (OSError, ValueError, KeyError, TypeError):
    calls = "?"
try:
    doc = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError) as exc:
    print(f"schemathesis: no JSON report ({exc}); exit {rc}, {elapsed}s")
    sys.exit(0)
ops = doc.get("operations") or {}
tc = doc.get("test_cases") or {}
failures = tc.get("unique_failures")
if failures is None:
    failures = sum(f.get("count", 0) for f in doc.get("failures", []))
errors = sum(e.get("count", 0) for e in doc.get("errors", []))
print(
    f"schemathesis {doc.get('schemathesis_version')}: "
    f"{ops.get('tested', '?')}/{ops.get('total', '?')} operations tested, "
    f"{tc.get('generated', '?')} test cases, {calls} HTTP calls, "
    f"{failures} unique failures in {tc.get('with_failures', '?')} test cases, "
    f"{errors} errors, exit {rc}, {elapsed}s"
)
for f in doc.get("failures", []):
    print(f"  FAIL {f.get('title')} x{f.get('count')}: {', '.join(f.get('operations', []))}")
for e in doc.get("errors", []):
    print(f"  ERROR {e.get('title')} x{e.get('count')}")
PY
exit "$st_rc"
