"""Benchmark (c) of issue #3: the Lauf extract enlarged 1×, 4×, 16× (copies shifted in space);
time and peak memory of `isek analyze` (maps off, one area covering everything) should grow
about linearly, and 16× fit in 4 GiB.

Run:  .venv/bin/python bench/analysis_growth.py
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from _extracts import enlarged, extract  # noqa: E402

LAUF = extract("lauf_an_der_pegnitz_2020-01-15.osm.pbf")
W, S, E, N = 11.2474, 49.4995, 11.3079, 49.5304
DLON, DLAT = 0.065, 0.035

CHILD = """
import json, resource, sys, time
from isek.analysis import cli
t = time.perf_counter()
s = cli.analyze({pbf!r}, {areas!r}, {out!r}, maps=False, progress=None)
print(json.dumps({{"seconds": time.perf_counter() - t, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "buildings": None}}))
"""


def main() -> int:
    import geopandas as gpd
    import shapely

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for side in (1, 2, 4):
            pbf = Path(tmp) / f"lauf_{side * side}x.osm.pbf"
            t = time.perf_counter()
            enlarged(LAUF, pbf, side, DLON, DLAT)
            build = time.perf_counter() - t
            areas = Path(tmp) / f"areas_{side}.geojson"
            gpd.GeoDataFrame({"area_id": ["all"]}, geometry=[shapely.box(W, S, W + (side - 1) * DLON + (E - W), S + (side - 1) * DLAT + (N - S))],
                             crs="EPSG:4326").to_file(areas)
            code = CHILD.format(pbf=str(pbf), areas=str(areas), out=str(Path(tmp) / f"out{side}"))
            r = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
            res = json.loads(r.stdout.strip().splitlines()[-1])
            rows.append((side * side, pbf.stat().st_size / 1e6, res["seconds"], res["maxrss_mb"], build))
    base_t, base_m = rows[0][2], rows[0][3]
    print("copies  size MB  seconds  × time  peak MB  × memory")
    for n, size, sec, mem, _b in rows:
        print(f"{n:>6}  {size:7.1f}  {sec:7.2f}  {sec / base_t:6.1f}  {mem:7.0f}  {mem / base_m:8.1f}")
    ok = rows[-1][3] < 4096
    print("16× within 4 GiB" if ok else "16× OVER 4 GiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
