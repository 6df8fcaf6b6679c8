#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL 15 + PostGIS server on loopback for the tests.
#   tools/pg.sh start | stop
# Runs initdb/pg_ctl as the postgres user when called as root (PostgreSQL refuses root).
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
PORT=${ISEK_PG_PORT:-54329}
# Outside the checkout: the postgres user must reach it (a checkout under /root is mode 700).
BASE=${ISEK_PG_DIR:-${TMPDIR:-/tmp}/isek-pg}
DATA=$BASE/data
SOCK=$BASE/sock
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
  start)
    mkdir -p "$BASE" "$SOCK"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$BASE"
    if [ ! -f "$DATA/PG_VERSION" ]; then
      as_pg "$PGBIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      echo "PostgreSQL already running on 127.0.0.1:$PORT"
    else
      as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$BASE/log" -w -t 60 \
        -o "-p $PORT -c listen_addresses=127.0.0.1 -k $SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
      echo "PostgreSQL started on 127.0.0.1:$PORT (pid $(head -1 "$DATA/postmaster.pid"))"
    fi
    as_pg psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='isek'" | grep -q 1 \
      || as_pg psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE isek"
    as_pg psql -h 127.0.0.1 -p "$PORT" -U postgres -d isek -qc "CREATE EXTENSION IF NOT EXISTS postgis"
    ;;
  stop)
    if [ -f "$DATA/postmaster.pid" ]; then
      # the server's CPU seconds, its finished backends included (they are the postmaster's
      # children): `time make test` does not count them, the suite's time budget does
      pid=$(head -1 "$DATA/postmaster.pid")
      cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15 + $16 + $17) / hz}' "/proc/$pid/stat" 2>/dev/null || echo "?")
      as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null && echo "PostgreSQL stopped (CPU ${cpu} s)"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
