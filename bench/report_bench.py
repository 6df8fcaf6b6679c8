"""Benchmark: the ISEK PDF of the Bochum demo (bar: under 10 s), and its Sachbericht.

Sets up a fresh SpatiaLite database in a temporary directory, loads the demo as `isek demo` does,
then times (a) `isek report bochum-innenstadt isek OUT.pdf` as a user runs it – a new process each
time, Django start, imports and all – and (b) the same report built in a running worker process
(what a report job costs once the worker is up), plus the Sachbericht 2025.

Run:  .venv/bin/python bench/report_bench.py   (or `make bench`)
"""

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS_CLI, RUNS_WARM = 5, 5


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="isek-bench-"))
    env = {**os.environ, "ISEK_VAR_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "isek.config.settings"}
    env.pop("DATABASE_URL", None)
    isek = [sys.executable, "-m", "isek.cli"]
    os.chdir(ROOT)
    subprocess.run([*isek, "migrate", "-v0"], env=env, check=True)
    subprocess.run([sys.executable, "-c", "import django; django.setup(); from isek.demo import loader; loader.load()"],
                   env=env, check=True)
    cli = []
    for i in range(RUNS_CLI):
        out = tmp / f"isek-{i}.pdf"
        t = time.perf_counter()
        subprocess.run([*isek, "report", "bochum-innenstadt", "isek", str(out)], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli.append(time.perf_counter() - t)
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    pages = next(int(line.split()[-1]) for line in pages.splitlines() if line.startswith("Pages:"))

    os.environ.update(env)
    import django

    django.setup()
    from isek.concepts.models import Concept
    from isek.monitoring import reports

    concept = Concept.objects.get(slug="bochum-innenstadt")
    reports.build(concept, "isek", tmp / "first.pdf")  # imports and caches of the worker process
    warm, sach = [], []
    for i in range(RUNS_WARM):
        t = time.perf_counter()
        reports.build(concept, "isek", tmp / f"w{i}.pdf")
        warm.append(time.perf_counter() - t)
        t = time.perf_counter()
        reports.build(concept, "sachbericht", tmp / f"s{i}.pdf", year=2025)
        sach.append(time.perf_counter() - t)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"ISEK PDF of the demo: {pages} pages (bar: at most 25)")
    print(f"(a) isek report … isek (new process, {RUNS_CLI} runs): median {statistics.median(cli):.2f} s, "
          f"max {max(cli):.2f} s (bar: under 10 s)")
    print(f"(b) ISEK PDF in a running worker ({RUNS_WARM} runs): median {statistics.median(warm):.2f} s, max {max(warm):.2f} s")
    print(f"    Sachbericht 2025 in a running worker: median {statistics.median(sach):.2f} s, max {max(sach):.2f} s")
    ok = max(cli) < 10 and pages <= 25
    print("bar met" if ok else "BAR MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
