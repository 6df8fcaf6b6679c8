#!/usr/bin/env bash
# The whole test suite, on SpatiaLite and then on PostGIS (started here on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${VENV:-.venv}/bin/python
export ISEK_MODE=demo ISEK_VAR_DIR="$(pwd)/var/test" DJANGO_ALLOW_ASYNC_UNSAFE=true
mkdir -p "$ISEK_VAR_DIR"
# Real data: ../shared/data where it exists, else downloaded and verified into var/data.
export ISEK_DATA_DIRS="$(pwd)/../shared/data:$(pwd)/var/data"
ISEK_VAR_DIR="$(pwd)/var" "$PY" -m isek data fetch
echo "== lint (ruff) =="
"$(dirname "$PY")/ruff" check src tests bench tools
echo "== architecture contracts (import-linter) =="
"$(dirname "$PY")/lint-imports"
tools/pg.sh start
trap 'tools/pg.sh stop' EXIT
# The two runs go side by side (each mostly waits on one core: Python, the database, Chromium),
# each with its own var directory; the PostGIS run's output follows the SpatiaLite run's.
mkdir -p "$ISEK_VAR_DIR/pg"
pg_log="$ISEK_VAR_DIR/pg/pytest.log"
( DATABASE_URL="postgis://postgres@127.0.0.1:${ISEK_PG_PORT:-54329}/isek" ISEK_MODE=demo ISEK_VAR_DIR="$ISEK_VAR_DIR/pg" \
  "$PY" -m pytest -p no:cacheprovider -m "not database_independent" "$@" >"$pg_log" 2>&1 ) &
pg_pid=$!
echo "== tests on SpatiaLite =="
status=0
env -u DATABASE_URL "$PY" -m pytest -p no:cacheprovider "$@" || status=$?
echo "== tests on PostGIS (the database-independent ones ran above) =="
pg_status=0
wait "$pg_pid" || pg_status=$?
cat "$pg_log"
[ "$status" -eq 0 ] && [ "$pg_status" -eq 0 ]
