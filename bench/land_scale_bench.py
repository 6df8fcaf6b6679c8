"""Benchmark: a Land-sized installation (issue #22 point 5) on PostGIS behind nginx.

Generates the Land with `isek generate-land` (default 400 cities × 3 concepts × 30 measures,
200,000 ideas; illustrative) and serves isek as production would: gunicorn (2 workers × 4 threads)
behind nginx with isek's public cache (src/isek/web/nginx/). For anonymous callers - the
installation's start page (its cities), a city's start page, a concept page, the OGC API's
/collections (first and last page) and the API's measure list - wrk (64 connections, 2 threads,
keep-alive, gzip) measures requests/s and p99 behind the cache against a second nginx serving the
same bytes as files (gzip_static). Signed-in pages (an installation administrator with a second
factor: the start page, a city's start page and its administration with the city's concepts and
people, a concept's team and its moderation list) pass the cache; their uncached p99 is measured
with SIGNED_IN connections. Each figure carries the load average of the minute it was measured in
(os.getloadavg: the machine may be shared). Last, the resident memory (RSS) of gunicorn and its workers.

Run:  .venv/bin/python bench/land_scale_bench.py [--cities 400 --concepts 3 --measures 30 --ideas 200000]
With DATABASE_URL set (a PostGIS database of your own) that database is emptied and used; without
it a throw-away PostgreSQL is started as the other benchmarks do (tools/pg.sh).
Bars (issue #22): ≥ 0.5× nginx and p99 < 50 ms behind the cache; uncached p99 < 300 ms.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from _servers import (  # noqa: E402
    free_port,
    fresh_database,
    nginx_conf,
    postgis_env,
    run_wrk,
    serve_isek,
    start_nginx,
    start_postgis,
    stop,
    stop_postgis,
    wait_port,
)
from production_load_bench import SESSION, descendants, rss_mb  # noqa: E402
from public_read_bench import CONNECTIONS, DURATION, get, wrk  # noqa: E402

SIGNED_IN = 8  # staff of a Land's towns working at the same moment, each request uncached
SLUG = "land-0001-1"
ADMIN = textwrap.dedent(f"""
    import django; django.setup()
    from django.contrib.auth import get_user_model
    from isek.concepts.services import concept_by_slug
    get_user_model().objects.create_superuser("planerin", "planerin@example.invalid", "pw-bench-123")
    city = concept_by_slug("{SLUG}").city
    print(city.slug, city.ags)
""")


def urls(city_slug: str, ags: str, collections: int) -> tuple[dict, dict]:
    """(anonymous URLs, signed-in URLs) by name; ``collections``: how many /ogc/collections has."""
    public = {
        "installation start page (its cities)": "/",
        "a city's start page": f"/{city_slug}/",
        "concept page": f"/concepts/{SLUG}/",
        "OGC /collections (first page of 100)": "/ogc/collections",
        "OGC /collections (last page)": f"/ogc/collections?offset={max(0, collections - 100)}",
        "API measure list": f"/api/v1/concepts/{SLUG}/measures/",
    }
    staff = {
        "start page (its cities)": "/",
        "a city's start page": f"/{city_slug}/",
        "the city's administration (concepts, people)": f"/cities/{ags}/settings/",
        "a concept's team": f"/concepts/{SLUG}/members/",
        "a concept's moderation list": f"/concepts/{SLUG}/moderation/",
    }
    return public, staff


def file_name(path: str) -> str:
    """The file the reference nginx serves for ``path`` (its query in the name)."""
    return path.strip("/").replace("/", "_").replace("?", "_").replace("=", "_") or "index"


def load() -> float:
    return os.getloadavg()[0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cities", type=int, default=400)
    ap.add_argument("--concepts", type=int, default=3)
    ap.add_argument("--measures", type=int, default=30)
    ap.add_argument("--ideas", type=int, default=200_000)
    size = ap.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not shutil.which("wrk") or not Path(nginx).exists():
        print("wrk and nginx needed: `make setup` installs them", file=sys.stderr)
        return 1
    own_db = os.environ.get("DATABASE_URL", "").startswith("postgis://")
    tmp = Path(tempfile.mkdtemp(prefix="isek-land-"))
    if not own_db:
        start_postgis()
    env = postgis_env(tmp / "var")
    if own_db:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    os.chdir(ROOT)
    procs = []
    try:
        fresh_database(env)
        t0 = time.monotonic()
        made = subprocess.run([sys.executable, "-m", "isek.cli", "generate-land", f"--cities={size.cities}",
                               f"--concepts={size.concepts}", f"--measures={size.measures}", f"--ideas={size.ideas}"],
                              env=env, check=True, capture_output=True, text=True).stdout.strip()
        generated = time.monotonic() - t0
        city_slug, ags = subprocess.run([sys.executable, "-c", ADMIN], env=env, check=True, capture_output=True,
                                        text=True).stdout.split()[-2:]
        session = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + SESSION], env=env,
                                 check=True, capture_output=True, text=True).stdout.split()[-1]
        app, cached, static = free_port(), free_port(), free_port()
        server = serve_isek(app, env)
        procs.append(server)
        wait_port(app)
        _status, headers, body = get(app, "/ogc/collections")
        matched = json.loads(gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body)["numberMatched"]
        public_urls, staff_urls = urls(city_slug, ags, matched)
        files = tmp / "files"
        for path in public_urls.values():  # the bytes isek sends, as files for nginx (gzip_static)
            status, headers, body = get(app, path)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
            plain = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            target = files / file_name(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(plain)
            Path(str(target) + ".gz").write_bytes(gzip.compress(plain))
        for d in (tmp, files, *files.iterdir()):
            d.chmod(0o755 if d.is_dir() else 0o644)
        web = ROOT / "src/isek/web/nginx"
        procs.append(start_nginx(nginx, nginx_conf(tmp, f"""
            proxy_cache_path {tmp}/cache levels=1:2 keys_zone=isek:20m max_size=1g inactive=1h use_temp_path=off;
            upstream isek_app {{ server 127.0.0.1:{app}; keepalive 32; }}
            include {web}/public-cache.conf;
            server {{
              listen 127.0.0.1:{cached};
              set $isek_upstream http://isek_app;
              location / {{ include {web}/public-cache-location.conf; }}
            }}
            server {{
              listen 127.0.0.1:{static};
              gzip_static on;
              default_type application/octet-stream;
              location / {{ root {files}; try_files $uri =404; }}
            }}
        """, connections=1024)))
        wait_port(cached)
        wait_port(static)
        public = []
        for name, path in public_urls.items():
            file_path = "/" + file_name(path)
            reference = wrk(static, file_path)
            get(cached, path)  # the cache warm, as a site's is: not 63 of 64 first requests waiting for its lock
            public.append((name, (files / file_path.lstrip("/")).stat().st_size, reference, wrk(cached, path), load()))
        cookie = tmp / "cookie.lua"
        cookie.write_text(f'wrk.headers["Cookie"] = "sessionid={session}"\n')
        staff = []
        for name, path in staff_urls.items():
            got = run_wrk(f"http://127.0.0.1:{cached}{path}", DURATION, SIGNED_IN, cookie)
            if got["errors"]:
                raise RuntimeError(f"{path}: errors (signed in)\n{got['raw']}")
            staff.append((name, got["rps"], got["p50"], got["p99"], load()))
        workers = descendants(server.pid)
        rss = rss_mb([server.pid, *workers])
    finally:
        stop(procs)
        if not own_db:
            stop_postgis()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; PostGIS, "
          f"gunicorn 2×4 behind nginx; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"size: {made} (generated in {generated:.0f} s)")
    print(f"anonymous, wrk -t2 -c{CONNECTIONS} -d{DURATION}s, gzip:")
    print("| URL | bytes | nginx file req/s, p99 | isek behind nginx req/s, p99 | ÷ nginx | bars met | load |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for name, nbytes, (n_rps, n_p99), (c_rps, c_p99), avg in public:
        met = c_rps >= 0.5 * n_rps and c_p99 < 50
        ok &= met
        print(f"| {name} | {nbytes:,} | {n_rps:,.0f}, {n_p99:.1f} ms | {c_rps:,.0f}, {c_p99:.1f} ms | "
              f"{c_rps / n_rps:.2f} | {'yes' if met else 'NO'} | {avg:.1f} |")
    print(f"signed in (installation administrator), uncached, wrk -t2 -c{SIGNED_IN} -d{DURATION}s:")
    print("| page | req/s | p50 | p99 | p99 < 300 ms | load |")
    print("|---|---|---|---|---|---|")
    for name, rps, p50, p99, avg in staff:
        ok &= p99 < 300
        print(f"| {name} | {rps:,.0f} | {p50:.0f} ms | {p99:.0f} ms | {'yes' if p99 < 300 else 'NO'} | {avg:.1f} |")
    print(f"memory: gunicorn and its {len(workers)} workers {rss:.0f} MB RSS after the runs")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
