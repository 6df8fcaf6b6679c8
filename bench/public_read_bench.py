"""Benchmark: the public read path under a crowd, against nginx serving the same bytes as files.

Sets up PostgreSQL + PostGIS on loopback (tools/pg.sh, own port and directory), the Bochum demo
and 5,000 published (illustrative) ideas, and serves isek as production would: gunicorn
(2 workers × 4 threads) behind nginx with isek's public cache (src/isek/web/nginx/). The same
bytes of each URL (gzip, as isek sends them) are also written as files and served by a second
nginx server with gzip_static. wrk (64 connections, 2 threads, keep-alive, Accept-Encoding: gzip)
fetches each URL from both for DURATION seconds; the figures are requests per second and the
99th percentile latency. gunicorn alone (without nginx) is measured too, for what the cache buys.

Run:  .venv/bin/python bench/public_read_bench.py   (or `make bench`; needs wrk and nginx-light)
"""

from __future__ import annotations

import gzip
import http.client
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

DURATION, CONNECTIONS, IDEAS = 10, 64, 5000
SLUG = "bochum-innenstadt"
URLS = {
    "concept page": f"/concepts/{SLUG}/",
    "measures GeoJSON": f"/concepts/{SLUG}/measures.geojson",
    "ideas GeoJSON (5,000)": f"/concepts/{SLUG}/ideas.geojson",
    "routes layer GeoJSON": f"/concepts/{SLUG}/context/routes.geojson",
}


def get(port: int, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip", "Accept-Language": "de"})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def wrk(port: int, path: str) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) of wrk against ``path``; errors are a failure."""
    got = run_wrk(f"http://127.0.0.1:{port}{path}", DURATION, CONNECTIONS)
    if got["errors"]:
        raise RuntimeError(f"{path}: errors\n{got['raw']}")
    return got["rps"], got["p99"]


SETUP = textwrap.dedent(f"""
    import django; django.setup()
    from django.utils import timezone
    from isek.demo import loader
    from isek.participation import services
    from isek.participation.models import Contributor, Idea, Status
    concept = loader.load(analyse_layers=False)
    phase = services.current_phase(concept)
    themes = list(phase.themes.all())
    area = phase.area()
    x0, y0, x1, y1 = area.extent
    from django.contrib.gis.geos import Point
    import random
    random.seed(1)
    ideas = []
    who = Contributor.objects.create(delete_token_hash="bench")
    first = Idea.objects.filter(concept=concept).count() + 1  # bulk_create skips Idea.save, which numbers them
    while len(ideas) < {IDEAS}:
        p = Point(random.uniform(x0, x1), random.uniform(y0, y1), srid=4326)
        if area.contains(p):
            n = len(ideas)
            ideas.append(Idea(phase=phase, concept=concept, number=first + n, theme=themes[n % len(themes)],
                              contributor=who, title=f"Beispielidee {{n}}",
                              text="Illustrative Idee für den Lasttest.", geometry=p, status=Status.PUBLISHED,
                              reviewed=True, illustrative=True))
    Idea.objects.bulk_create(ideas, batch_size=1000)
    from isek.core import versions
    versions.bump(concept.pk)
""")


def main() -> int:
    for tool in ("wrk", "nginx"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            print(f"{tool} missing: `make setup` installs it", file=sys.stderr)
            return 1
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    tmp = Path(tempfile.mkdtemp(prefix="isek-read-"))
    start_postgis()
    env = postgis_env(tmp / "var")
    os.chdir(ROOT)
    procs = []
    try:
        fresh_database(env)
        subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, stdout=subprocess.DEVNULL)
        app, cached, static = free_port(), free_port(), free_port()
        procs.append(serve_isek(app, env))
        wait_port(app)
        files = tmp / "files"
        sizes = {}
        for name, path in URLS.items():  # the bytes isek sends, as files for nginx (gzip_static)
            status, headers, body = get(app, path)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
            plain = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            target = files / path.strip("/").replace("/", "_")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(plain)
            Path(str(target) + ".gz").write_bytes(body if headers.get("content-encoding") == "gzip" else gzip.compress(plain))
            sizes[name] = (len(plain), len(body))
        for d in (tmp, files, *files.iterdir()):
            d.chmod(0o755 if d.is_dir() else 0o644)
        web = ROOT / "src/isek/web/nginx"
        conf = nginx_conf(tmp, f"""
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
        """, connections=1024)
        procs.append(start_nginx(nginx, conf))
        wait_port(cached)
        wait_port(static)
        rows = []
        for name, path in URLS.items():
            file_path = "/" + path.strip("/").replace("/", "_")
            status, headers, body = get(cached, path)
            want = (files / file_path.lstrip("/")).read_bytes()
            got = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            if status != 200 or got != want:
                import difflib
                diff = "".join(list(difflib.unified_diff(want.decode(errors="replace").splitlines(True),
                                                         got.decode(errors="replace").splitlines(True)))[:40])
                raise RuntimeError(f"{path}: nginx cache gives {status}, {len(got)} B, not the {len(want)} B of isek:\n{diff}")
            rows.append((name, sizes[name], wrk(static, file_path), wrk(cached, path), wrk(app, path)))
        # Freshness: a change through the services shows behind the cache within its max-age.
        change = ("import django; django.setup(); from isek import access; from isek.concepts import services as s; "
                  f"c = s.concept_by_slug({SLUG!r}); c.summary = 'Geändert für den Lasttest'; "
                  "s.save_concept(access.Operator('bench'), c)")
        subprocess.run([sys.executable, "-c", change], env=env, check=True)
        t0, fresh = time.time(), None
        while time.time() - t0 < 30:
            _s, headers, body = get(cached, URLS["concept page"])
            text = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            if "Geändert für den Lasttest".encode() in text:
                fresh = time.time() - t0
                break
            time.sleep(0.25)
    finally:
        stop(procs)
        stop_postgis()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"wrk -t2 -c{CONNECTIONS} -d{DURATION}s, Accept-Encoding: gzip; PostGIS, gunicorn 2×4")
    print("| URL | bytes (gzip) | nginx file req/s, p99 | isek behind nginx req/s, p99 | ÷ nginx | gunicorn alone req/s, p99 |")
    print("|---|---|---|---|---|---|")
    for name, (plain, zipped), (n_rps, n_p99), (c_rps, c_p99), (a_rps, a_p99) in rows:
        print(f"| {name} | {plain:,} ({zipped:,}) | {n_rps:,.0f}, {n_p99:.1f} ms | {c_rps:,.0f}, {c_p99:.1f} ms | "
              f"{c_rps / n_rps:.2f} | {a_rps:,.0f}, {a_p99:.1f} ms |")
    print(f"a change to the concept was visible behind the cache after {fresh:.1f} s (max-age 10 s)"
          if fresh is not None else "a change to the concept was NOT visible behind the cache within 30 s")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if fresh is not None else 1


if __name__ == "__main__":
    sys.exit(main())
