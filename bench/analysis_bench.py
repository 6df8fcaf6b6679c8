"""Benchmarks (a) and (b) of issue #3, side by side on the Lauf extract:

(a) the whole `isek analyze` run (all indicators, maps off) against `osmium cat -f opl` decoding
    the same file to /dev/null (the floor); bar: at most 30×;
(b) an OSMnx script computing the six indicators OSMnx can (bench/osmnx_peer.py) from the same
    data as .osm XML; bar: it takes at least 7× as long as isek's full run.

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

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402
from _extracts import extract  # noqa: E402

from isek.analysis import cli  # noqa: E402
from isek.analysis.osm import write_complete_xml as complete_xml  # noqa: E402

LAUF = extract("lauf_an_der_pegnitz_2020-01-15.osm.pbf")
BOX = (11.2474, 49.4995, 11.3079, 49.5304)


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
        xml = Path(tmp) / "lauf.osm"
        complete_xml(LAUF, xml)
        t = time.perf_counter()
        peer = subprocess.run([sys.executable, str(ROOT / "bench" / "osmnx_peer.py"), str(xml), *map(str, BOX)],
                              check=True, capture_output=True, text=True)
        t_peer = time.perf_counter() - t
    f, r = statistics.median(floor), statistics.median(runs)
    s = summaries[-1]
    print(f"extract: {LAUF.name} ({LAUF.stat().st_size / 1e6:.2f} MB), areas: Stadt (whole extract) and Altstadt")
    print(f"osmium cat -f opl: median {f * 1000:.0f} ms (5 runs)")
    print(f"isek analyze (35 indicators, maps off): median {r:.2f} s (3 runs; read {s['seconds_read']:.2f} s, "
          f"indicators {s['seconds_compute']:.2f} s in the last run)")
    ratio = r / f
    print(f"(a) ratio: {ratio:.1f}× the osmium decode (bar: at most 30×)")
    print(f"(b) OSMnx script (6 indicators, 1 area): {t_peer:.1f} s = {t_peer / r:.1f}× isek's full run (bar: at least 7×)")
    print(f"    OSMnx figures: {peer.stdout.strip()}")
    return 0 if ratio <= 30 and t_peer / r >= 7 else 1


if __name__ == "__main__":
    sys.exit(main())
