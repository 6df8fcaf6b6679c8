"""Benchmark: vector tiles of a city's base map served by isek, against nginx serving the same bytes.

Sets up a fresh SpatiaLite database in a temporary directory, starts a concept for Hoyerswerda,
builds its base map from the real Altstadt extract, writes every tile also as a plain file
(z/x/y.pbf, the same gzip bytes) and serves both on loopback: isek as `isek demo` serves it
(gunicorn, 2 workers × 4 threads, the access policy asked per tile) and nginx (Debian's
nginx-light) from the files. A client with 8 threads and keep-alive fetches every tile
ROUNDS times from each; the figure is tiles per second.

Run:  .venv/bin/python bench/tiles_bench.py   (or `make bench`)
"""

from __future__ import annotations

import http.client
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from _servers import free_port, nginx_conf, serve_isek, start_nginx, stop, wait_port  # noqa: E402

EXTRACT = "osm/hoyerswerda_altstadt.osm.pbf"
ROUNDS, THREADS = 200, 8


def fetch_all(port: int, paths: list[str]) -> tuple[float, int]:
    """(seconds, bytes) to fetch ``paths`` ROUNDS times with THREADS keep-alive clients."""
    work = [p for _ in range(ROUNDS) for p in paths]
    chunks = [work[i::THREADS] for i in range(THREADS)]
    total = [0] * THREADS

    def run(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path in chunks[i]:
            conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"{path}: {r.status}")
            total[i] += len(body)
        conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t, sum(total)


def main() -> int:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx missing: `make setup` installs nginx-light", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="isek-tiles-"))
    env = {**os.environ, "ISEK_VAR_DIR": str(tmp / "var"), "DJANGO_SETTINGS_MODULE": "isek.config.settings",
           "ISEK_MODE": "demo"}
    env.pop("DATABASE_URL", None)
    os.chdir(ROOT)
    isek = [sys.executable, "-m", "isek.cli"]
    subprocess.run([*isek, "migrate", "-v0"], env=env, check=True)
    setup = textwrap.dedent(f"""
        import django; django.setup()
        import shapely
        from isek import access
        from isek.concepts import services as concepts
        from isek.core import geo
        from isek.core.files import find_data_file
        from isek.geodata import services as geodata
        op = access.Operator("bench")
        c = concepts.start_concept(op, ags="14625240", city_name="Hoyerswerda", slug="hy", name="Bench",
                                   programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026, end_year=2030)
        c.area = geo.to_django(shapely.MultiPolygon([shapely.box(14.2433, 51.4336, 14.2598, 51.4400)]))
        c.is_public = True
        concepts.save_concept(op, c)
        path = find_data_file({EXTRACT!r})
        assert path, "extract missing: isek data fetch"
        bm = geodata.start_basemap(op, c, path, now=True)
        print(geodata.basemap_file(bm))
    """)
    mbtiles = Path(subprocess.run([sys.executable, "-c", setup], env=env, check=True, capture_output=True,
                                  text=True).stdout.strip().splitlines()[-1])
    files = tmp / "tiles"
    paths = []
    with sqlite3.connect(mbtiles) as db:
        for z, x, row, data in db.execute("select zoom_level, tile_column, tile_row, tile_data from tiles"):
            y = (1 << z) - 1 - row
            out = files / str(z) / str(x) / f"{y}.pbf"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            paths.append(f"{z}/{x}/{y}.pbf")

    # nginx's workers run as another user: let them read the tiles (the temporary directory is 0700).
    for d in (tmp, *[q for q in files.rglob("*")], files):
        d.chmod(0o755 if d.is_dir() else 0o644)
    isek_port, nginx_port = free_port(), free_port()
    conf = nginx_conf(tmp, f"""
        server {{
          listen 127.0.0.1:{nginx_port};
          location /tiles/ {{
            alias {files}/;
            default_type application/vnd.mapbox-vector-tile;
            add_header Content-Encoding gzip;
          }}
        }}
    """)
    procs = []
    try:
        procs.append(start_nginx(nginx, conf))
        procs.append(serve_isek(isek_port, env))
        wait_port(nginx_port)
        wait_port(isek_port)
        isek_paths = [f"/concepts/hy/basemap/{p}" for p in paths]
        nginx_paths = [f"/tiles/{p}" for p in paths]
        for a, b in zip(isek_paths, nginx_paths):  # the same bytes from both, checked once per tile
            got = []
            for port, path in ((isek_port, a), (nginx_port, b)):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path)
                r = conn.getresponse()
                got.append((r.status, r.getheader("Content-Encoding"), r.read()))
                conn.close()
            if got[0] != got[1]:
                raise RuntimeError(f"{a}: isek {got[0][:2]} {len(got[0][2])} B, nginx {got[1][:2]} {len(got[1][2])} B")
        isek_runs, nginx_runs = [], []
        for _ in range(3):
            s, _n = fetch_all(isek_port, isek_paths)
            isek_runs.append(len(isek_paths) * ROUNDS / s)
            s, _n = fetch_all(nginx_port, nginx_paths)
            nginx_runs.append(len(nginx_paths) * ROUNDS / s)
    finally:
        stop(procs)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"tiles: {len(paths)} ({sum((files / p).stat().st_size for p in paths)} bytes, gzip MVT), "
          f"{ROUNDS} rounds × {THREADS} keep-alive clients")
    i, n = statistics.median(isek_runs), statistics.median(nginx_runs)
    print(f"isek (gunicorn 2×4, policy per tile): median {i:.0f} tiles/s (runs {', '.join(f'{v:.0f}' for v in isek_runs)})")
    print(f"nginx, same bytes from files:        median {n:.0f} tiles/s (runs {', '.join(f'{v:.0f}' for v in nginx_runs)})")
    print(f"isek ÷ nginx: {i / n:.2f}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
