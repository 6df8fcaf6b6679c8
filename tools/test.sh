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
echo "== architecture contracts (import-linter) =="
"$(dirname "$PY")/lint-imports"
tools/pg.sh start
trap 'tools/pg.sh stop' EXIT
echo "== tests on SpatiaLite =="
env -u DATABASE_URL "$PY" -m pytest -p no:cacheprovider "$@"
echo "== tests on PostGIS (the database-independent ones ran above) =="
DATABASE_URL="postgis://postgres@127.0.0.1:${ISEK_PG_PORT:-54329}/isek" ISEK_MODE=demo "$PY" -m pytest -p no:cacheprovider \
  -m "not database_independent" "$@"
