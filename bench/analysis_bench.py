"""Benchmark (a) of issue #3: the whole `isek analyze` run on the Lauf extract (all indicators,
maps off) against `osmium cat -f opl` decoding the same file to /dev/null (the floor).

Quality bar (PRODUCT.md): at most 30× the osmium time.
Run:  .venv/bin/python bench/analysis_bench.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

from isek.analysis import cli  # noqa: E402

DATA_DIRS = [ROOT.parent / "shared" / "data", ROOT / "var" / "data"]
LAUF = next((d / "osm" / "lauf_an_der_pegnitz_2020-01-15.osm.pbf" for d in DATA_DIRS
             if (d / "osm" / "lauf_an_der_pegnitz_2020-01-15.osm.pbf").exists()), None)


def main() -> int:
    if LAUF is None:
        print("Lauf extract missing: run `isek data fetch`", file=sys.stderr)
        return 1
    floor = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(["osmium", "cat", "-f", "opl", "-o", "/dev/null", "--overwrite", str(LAUF)], check=True)
        floor.append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        areas = Path(tmp) / "areas.geojson"
        gpd.GeoDataFrame({"area_id": ["Stadt", "Altstadt"]},
                         geometry=[shapely.box(11.2474, 49.4995, 11.3079, 49.5304), shapely.box(11.2735, 49.5055, 11.2815, 49.5095)],
                         crs="EPSG:4326").to_file(areas)
        runs, summaries = [], []
        for i in range(3):
            t = time.perf_counter()
            summaries.append(cli.analyze(str(LAUF), str(areas), os.path.join(tmp, f"out{i}"), maps=False, progress=None))
            runs.append(time.perf_counter() - t)
    f, r = statistics.median(floor), statistics.median(runs)
    s = summaries[-1]
    print(f"extract: {LAUF.name} ({LAUF.stat().st_size / 1e6:.2f} MB), areas: Stadt (whole extract) and Altstadt")
    print(f"osmium cat -f opl: median {f * 1000:.0f} ms (5 runs)")
    print(f"isek analyze (35 indicators, maps off): median {r:.2f} s (3 runs; read {s['seconds_read']:.2f} s, "
          f"indicators {s['seconds_compute']:.2f} s in the last run)")
    ratio = r / f
    print(f"ratio: {ratio:.1f}× the osmium decode (bar: at most 30×)")
    return 0 if ratio <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
