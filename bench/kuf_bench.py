"""Benchmark: the KuF of 1,000 measures × 10 years × 6 sources, and its Excel export.

Quality bars (PRODUCT.md): engine under 200 ms, Excel export under 2 s.
Run:  .venv/bin/python bench/kuf_bench.py   (or `make bench`)
"""

import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal as D
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isek.config.settings")

from isek.finance import engine, excel  # noqa: E402

N_MEASURES, YEARS = 1000, list(range(2020, 2030))
EXTRA_SOURCES = ("eu", "private", "other")  # with bund, land and the own share: 6 sources


def data():
    measures = [engine.MeasureRef(str(i), f"{i // 100 + 1}.{i % 100 + 1}", f"Maßnahme {i}") for i in range(N_MEASURES)]
    costs, fin = [], []
    for i in range(N_MEASURES):
        for y in YEARS:
            amount = D(100000 + (i * 7919 + y * 104729) % 900000) + D("0.37")
            costs.append(engine.CostLine(str(i), y, str(7 + i % 5), amount, (amount * D("0.8")).quantize(D("0.01"))))
            for k, s in enumerate(EXTRA_SOURCES):
                fin.append(engine.FinancingLine(str(i), y, s, (amount * D("0.05") * (k + 1)).quantize(D("0.01")), "planned", "Benchmark"))
    rules = engine.Rules(rates={y: D("0.6") for y in YEARS}, federal_share=D("0.33333333"), start_year=2020, end_year=2029)
    return measures, costs, fin, rules


def timed(fn, runs):
    times = []
    out = None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, times


def main():
    measures, costs, fin, rules = data()
    result, t_engine = timed(lambda: engine.compute(measures, costs, fin, rules), 7)
    assert len(result.cells) == N_MEASURES * len(YEARS)
    assert all(sum(c.sources.values()) == c.cost for c in result.cells.values())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kuf.xlsx"
        _, t_xlsx = timed(lambda: excel.write(result, path, "Benchmark"), 3)
        size = path.stat().st_size
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"input: {N_MEASURES} measures × {len(YEARS)} years, {len(costs)} cost lines, {len(fin)} financing lines, 6 sources")
    print(f"engine.compute: median {statistics.median(t_engine) * 1000:.0f} ms, min {min(t_engine) * 1000:.0f} ms (7 runs; bar: 200 ms)")
    print(f"excel.write:    median {statistics.median(t_xlsx):.2f} s, min {min(t_xlsx):.2f} s (3 runs; bar: 2 s), {size / 1e6:.1f} MB")
    ok = statistics.median(t_engine) < 0.2 and statistics.median(t_xlsx) < 2
    print("within the bars" if ok else "OVER A BAR")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
