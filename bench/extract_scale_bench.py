"""Benchmark (issue #10): base map and analysis of one area from a large extract cost about what
they cost from an area-sized file, because isek cuts the area out first.

The Lauf extract (0.99 MB, real OSM data) enlarged to COPIES² copies shifted in space (ids offset)
stands for the download of a Regierungsbezirk (at least 200 MB). The area is Lauf's Altstadt in
the middle copy. Each run, in a fresh process: check the extract (osmium), cut the area plus 500 m
(osmium extract), make the vector tiles (tilemaker), analyse the cut for the area (35 indicators,
maps off). (a) from the plain Lauf extract, (b) from the large file. Bar: (b) at most 2 × ((a) +
the cut of (b)), peak memory (the Python process and the tools it ran) under 2 GiB.

Run:  .venv/bin/python bench/extract_scale_bench.py
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from _extracts import enlarged, extract  # noqa: E402

LAUF = extract("lauf_an_der_pegnitz_2020-01-15.osm.pbf")
ALTSTADT = (11.2735, 49.5055, 11.2815, 49.5095)
DLON, DLAT = 0.065, 0.035
COPIES = 15  # 225 copies: about 220 MB

CHILD = """
import json, resource, sys, time
import geopandas as gpd, shapely
from isek.geodata import basemaps
from isek.analysis import cli
area = {area!r}
t0 = time.perf_counter()
tileset, info = basemaps.build({pbf!r}, area, {work!r}, {work!r} + "/tiles.mbtiles", cut_to={work!r} + "/cut.osm.pbf")
t1 = time.perf_counter()
gpd.GeoDataFrame({{"name": ["Altstadt"]}}, geometry=[shapely.box(*area)], crs="EPSG:4326").to_file({work!r} + "/areas.geojson")
cli.analyze({work!r} + "/cut.osm.pbf", {work!r} + "/areas.geojson", {work!r} + "/out", maps=False, progress=None)
t2 = time.perf_counter()
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
tools = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({{"basemap": t1 - t0, "analysis": t2 - t1, "total": t2 - t0, "tiles": tileset.tiles,
                   "peak_mb": max(own, tools), "python_mb": own, "tools_mb": tools}}))
"""


def run(pbf: Path, area, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    code = CHILD.format(pbf=str(pbf), area=tuple(area), work=str(work))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"run on {pbf.name} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cut_seconds(pbf: Path, area, out: Path) -> float:
    import time

    from isek.geodata import basemaps

    t = time.perf_counter()
    basemaps.cut(pbf, basemaps.padded(area), out)
    return time.perf_counter() - t


def main() -> int:
    if LAUF is None:
        print("Lauf extract missing: run `isek data fetch`", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big = Path(tempfile.gettempdir()) / f"isek-bench-lauf-{COPIES}x{COPIES}.osm.pbf"  # kept: it takes minutes
        if not big.exists():
            enlarged(LAUF, big, COPIES, DLON, DLAT)
        mid = COPIES // 2
        shifted = (ALTSTADT[0] + mid * DLON, ALTSTADT[1] + mid * DLAT, ALTSTADT[2] + mid * DLON, ALTSTADT[3] + mid * DLAT)
        small = run(LAUF, ALTSTADT, tmp / "a")
        large = run(big, shifted, tmp / "b")
        cut = cut_seconds(big, shifted, tmp / "cut-only.osm.pbf")
        size_mb = big.stat().st_size / 1e6
    bar = 2 * (small["total"] + cut)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"(a) Lauf extract {LAUF.stat().st_size / 1e6:.2f} MB: base map {small['basemap']:.1f} s + analysis "
          f"{small['analysis']:.1f} s = {small['total']:.1f} s, peak {small['peak_mb']:.0f} MB, {small['tiles']} tiles")
    print(f"(b) {COPIES}² copies {size_mb:.0f} MB: base map {large['basemap']:.1f} s + analysis {large['analysis']:.1f} s "
          f"= {large['total']:.1f} s, peak {large['peak_mb']:.0f} MB (Python {large['python_mb']:.0f}, tools "
          f"{large['tools_mb']:.0f}), {large['tiles']} tiles")
    print(f"cut of (b) alone: {cut:.1f} s; bar 2 × ((a) + cut) = {bar:.1f} s")
    ok = large["total"] <= bar and large["peak_mb"] < 2048 and size_mb >= 200
    print("bar met" if ok else "OVER A BAR")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
