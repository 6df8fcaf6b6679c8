"""Benchmark: the open-data interfaces on PostGIS (issue #12).

A concept with 10,000 located measures (illustrative, bulk-created) on a throw-away PostgreSQL +
PostGIS, isek under gunicorn (2 workers × 4 threads) on loopback.

(a) OGC API – Features: one items request of all 10,000 features (limit=10000), five times:
    time to the first byte and to the last. Bars: first byte under 100 ms, complete under 1 s.
(b) API v1: the measures list (limit=1000, 1,000 GeoJSON features) with wrk (64 connections,
    2 threads, 10 s), against nginx serving the same bytes as a static file, same (no) compression.

Run:  .venv/bin/python bench/api_ogc_bench.py   (or `make bench`; needs wrk and nginx-light)
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
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
    public_concept_code,
    serve_isek,
    start_nginx,
    start_postgis,
    stop,
    stop_postgis,
    wait_port,
)
from public_read_bench import wrk  # noqa: E402

MEASURES, RUNS, SLUG = 10_000, 5, "lasttest"

SETUP = public_concept_code(SLUG, "Lasttest (Beispiel)", (7.15, 51.42, 7.30, 51.53)) + textwrap.dedent(f"""
    import random
    from django.contrib.gis.geos import Point
    from isek.concepts.models import FieldOfAction, Measure
    from isek.core import versions
    field = FieldOfAction.objects.create(concept=c, number=1, name="Öffentlicher Raum", colour="#1565c0")
    random.seed(1)
    Measure.objects.bulk_create([Measure(concept=c, number=f"{{n // 100 + 1}}.{{n % 100 + 1}}",
                                         sort_key=f"{{n:06d}}", title=f"Beispielmaßnahme {{n}} (illustrativ)",
                                         primary_field=field, geometry_approximated=True,
                                         geometry=Point(random.uniform(7.16, 7.29), random.uniform(51.43, 51.52), srid=4326))
                                 for n in range({MEASURES})], batch_size=2000)
    versions.bump(c.pk)
""")


def timed_get(port: int, path: str) -> tuple[float, float, bytes]:
    """(seconds to the first byte of the answer, seconds to its last byte, body) of one GET."""
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.perf_counter()
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    first = s.recv(65536)
    t1 = time.perf_counter()
    chunks = [first]
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        chunks.append(b)
    t2 = time.perf_counter()
    s.close()
    raw = b"".join(chunks)
    head, body = raw.split(b"\r\n\r\n", 1)
    if b"chunked" in head.lower():
        out, rest = b"", body
        while rest:
            size, rest = rest.split(b"\r\n", 1)
            n = int(size, 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2:]
        body = out
    return t1 - t0, t2 - t0, body


def main() -> int:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    for tool in ("wrk", nginx):
        if not shutil.which(tool) and not Path(tool).exists():
            print(f"{tool} missing: run `make bench` (it installs wrk and nginx-light)")
            return 2
    tmp = Path(tempfile.mkdtemp(prefix="isek-api-"))
    start_postgis()
    env = postgis_env(tmp / "var")
    os.chdir(ROOT)
    procs = []
    try:
        fresh_database(env)
        subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True)
        port = free_port()
        procs.append(serve_isek(port, env, 2))
        wait_port(port)
        items = f"/ogc/collections/{SLUG}.measures/items?limit={MEASURES}"
        for _ in range(4):  # warm both workers
            timed_get(port, items)
        runs = [timed_get(port, items) for _ in range(RUNS)]
        data = json.loads(runs[-1][2])
        assert data["numberReturned"] == MEASURES == len(data["features"]), data.get("numberReturned")
        ttfb = [r[0] * 1000 for r in runs]
        total = [r[1] * 1000 for r in runs]
        size = len(runs[-1][2])

        api = f"/api/v1/concepts/{SLUG}/measures/?limit=1000"
        _t, _u, body = timed_get(port, api)
        assert json.loads(body)["numberReturned"] == 1000
        static = tmp / "static"
        static.mkdir()
        (static / "measures.json").write_bytes(body)
        for d in (tmp, static, static / "measures.json"):  # nginx's workers run as nobody
            d.chmod(0o755 if d.is_dir() else 0o644)
        nport = free_port()
        conf = nginx_conf(tmp, f"""
            server {{
              listen 127.0.0.1:{nport};
              root {static};
              location / {{ default_type application/json; }}
            }}""")
        procs.append(start_nginx(nginx, conf))
        wait_port(nport)
        app_rps, app_p99 = wrk(port, api)
        ngx_rps, ngx_p99 = wrk(nport, "/measures.json")
    finally:
        stop(procs)
        stop_postgis()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; PostGIS, gunicorn 2×4")
    print(f"(a) OGC items, {MEASURES:,} features, {size / 1e6:.1f} MB, {RUNS} runs: first byte median "
          f"{statistics.median(ttfb):.0f} ms (max {max(ttfb):.0f}), complete median {statistics.median(total):.0f} ms "
          f"(max {max(total):.0f})")
    ok = max(ttfb) < 100 and max(total) < 1000
    print(f"    bars: first byte < 100 ms, complete < 1 s — {'met' if ok else 'NOT met'}")
    print(f"(b) API measures list (1,000 features, {len(body) / 1e3:.0f} kB): isek {app_rps:.0f} req/s (p99 {app_p99:.0f} ms), "
          f"nginx same bytes {ngx_rps:.0f} req/s (p99 {ngx_p99:.1f} ms): {app_rps / ngx_rps:.3f} × nginx")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
