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
# Per engine the suite runs in two processes side by side, four in all (decision 0038): the
# browser tests, the permission matrix, the deployment, account and demo tests in one, the rest in
# the other. A browser test mostly waits (Chromium, the live server); the other processes use the
# cores meanwhile. Each process has its own var directory and, on PostGIS, its own test database; each keeps pytest-django's order
# (transactional tests last). With arguments (a file, -k …) one process per engine runs them.
PG_URL="postgis://postgres@127.0.0.1:${ISEK_PG_PORT:-54329}"
# On PostGIS: not the tests that touch no database, nor the browser tests whose pages' server
# side the page tests already ask there (decision 0038, eighth step).
PG_ONLY="not database_independent and not browser_spatialite_only"
SPLIT=(tests/browser tests/access tests/deploy tests/accounts tests/demo)
logs=()
pids=()
start() {  # name, database URL ("" = SpatiaLite), pytest arguments …
  local name=$1 url=$2; shift 2
  mkdir -p "$ISEK_VAR_DIR/$name"
  logs+=("$ISEK_VAR_DIR/$name/pytest.log")
  ( if [ -n "$url" ]; then export DATABASE_URL="$url"; else unset DATABASE_URL; fi
    ISEK_MODE=demo ISEK_VAR_DIR="$ISEK_VAR_DIR/$name" "$PY" -m pytest -p no:cacheprovider "$@" \
      >"$ISEK_VAR_DIR/$name/pytest.log" 2>&1 ) &
  pids+=($!)
}
paths=0; for a in "$@"; do [[ $a == -* ]] || paths=1; done
if [ "$paths" -eq 0 ]; then  # the whole suite (options such as -q or --durations=30 pass through)
  ignore=(); for d in "${SPLIT[@]}"; do ignore+=(--ignore="$d"); done
  start spatialite-browser "" "$@" "${SPLIT[@]}"
  start spatialite-rest "" "$@" "${ignore[@]}"
  start postgis-browser "$PG_URL/isek" -m "$PG_ONLY" "$@" "${SPLIT[@]}"
  start postgis-rest "$PG_URL/isek_rest" -m "$PG_ONLY" "$@" "${ignore[@]}"
else
  start spatialite "" "$@"
  start postgis "$PG_URL/isek" -m "$PG_ONLY" "$@"
fi
status=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || status=1
done
for log in "${logs[@]}"; do
  echo "== $(basename "$(dirname "$log")") (database-independent tests run on SpatiaLite only) =="
  cat "$log"
done
exit "$status"
