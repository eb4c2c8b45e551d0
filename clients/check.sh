#!/usr/bin/env bash
# `make client-check` and `make contract-fuzz`: start a live server on a free
# loopback port (clients/live_server.py), then
#   client: install the pinned TypeScript tool chain (npm ci, from the lock
#           file), generate the types from docs/openapi.snapshot.json, compile
#           with tsc --strict (no `any`, no casts), run the four flows;
#           build the hall pages' scripts (screens/build.sh) into a temporary
#           directory and fail if they differ from the committed screens/static;
#   python: generate the Python client with openapi-python-client (pinned in
#           requirements.txt), pip install it offline into a temporary
#           directory, run clients/python/flow.py (also a test of the suite:
#           tests/api/platform/test_python_client.py);
#   fuzz:   run schemathesis over the whole document with a citizen, a clerk
#           and an admin token (clients/fuzz.py); session-ending operations
#           last, with throw-away principals; fails above 5 % of 401s. The
#           server's access tokens last an hour (ACCESS_TOKEN_TTL_SECONDS) so
#           that a long run is not logged out by the clock.
# Only the server this script started is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:?usage: clients/check.sh client|python|fuzz}"
PYTHON="${PYTHON:-.venv/bin/python}"
work="$(mktemp -d)"
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

port="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

if [ "$what" = client ]; then
  (cd clients/ts && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
  (cd clients/ts && npx openapi-typescript ../../docs/openapi.snapshot.json -o src/api.d.ts --silent)
  # The flows are typed by the document alone: no `any`, no type assertions.
  cast='(\bany\b|[])a-zA-Z0-9_] as (string|number|boolean|unknown|never|const|object|[A-Z{[])|(^|[=(,:]|return)\s*<[A-Za-z]+>|!\.|!\))'
  if grep -nE "$cast" clients/ts/src/*.ts screens/ts/*.ts | grep -v 'api.d.ts' | grep -vE '^[^:]+:[0-9]+:\s*(//|/?\*)'; then
    echo "client-check: the flows or the hall pages use \`any\`, a cast or a non-null assertion" >&2; exit 1
  fi
  (cd clients/ts && npx tsc -p tsconfig.json --strict)
  # The pages' committed scripts must be what their TypeScript compiles to
  # (screens.css is written by hand): a stale or hand-edited file fails here.
  screens/build.sh "$work/screens-static"
  if ! diff -r -x screens.css screens/static "$work/screens-static"; then
    echo "client-check: screens/static differs from a fresh build of screens/ts: run \`make screens\` and commit" >&2; exit 1
  fi
fi

if [ "$what" = python ]; then
  bin="$(cd "$(dirname "$PYTHON")" && pwd)"  # absolute: the generator runs ruff in its output directory
  # ruff (installed with the generator) formats the generated code when on PATH.
  PATH="$bin:$PATH" "$bin/openapi-python-client" generate --path docs/openapi.snapshot.json \
    --output-path "$work/python-client"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-index --no-deps --no-build-isolation \
    --target "$work/site" "$work/python-client"
fi

if [ "$what" = fuzz ]; then export ACCESS_TOKEN_TTL_SECONDS="${ACCESS_TOKEN_TTL_SECONDS:-3600}"; fi
"$PYTHON" clients/live_server.py --port "$port" --credentials "$work/demo-credentials.json" >"$work/server.log" 2>&1 &
server_pid=$!
healthy() { "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$base/api/v1/health" >/dev/null 2>&1; }
for _ in $(seq 1 120); do
  healthy && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
healthy || { echo "live server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

case "$what" in
  client)
    (cd clients/ts && API_BASE="$base" DEMO_CREDENTIALS="$work/demo-credentials.json" node dist/flows.js) ;;
  python)
    PYTHONPATH="$work/site" "$PYTHON" clients/python/flow.py --base "$base" ;;
  fuzz)
    "$PYTHON" clients/fuzz.py --base "$base" --credentials "$work/demo-credentials.json" ;;
  *) echo "unknown: $what" >&2; exit 2 ;;
esac
