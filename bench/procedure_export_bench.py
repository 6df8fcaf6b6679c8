"""Benchmark: a funding authority's district-wide exports of 400 approved concepts (issue #23 point 6):
the federal monitoring CSV in under 10 s on PostGIS; the totals per programme and year as XLSX beside it.

The data are bench/procedure_portfolio_bench.py's (its ``generate``: 200 cities × 2 concepts of
district 059 with a funding area, a frozen KuF version and a submitted application for 2027 whose
snapshot holds 8 measures × 5 years × 4 figures; 10 concepts of another district, 053), and per
application of district 059 an approval as requested (bulk rows: one line per measure, year from
2027 and grant source), the application "bewilligt"; the other district's applications stay
submitted and must not show. Then /authorities/<id>/export/monitoring.csv and
/authorities/<id>/export/totals.xlsx are asked as the authority's signed-in reviewer through
Django's test client: the first request, then a few more; wall clock of each. Reference, measured
in the same run: the same CSV rows (as the export wrote them, held in memory) written with
Python's csv module alone – what the export costs beyond writing the file.

Run:  DATABASE_URL=postgis://…/your_own_db .venv/bin/python bench/procedure_export_bench.py
That database is emptied and used. Without DATABASE_URL a temporary SpatiaLite database is used
(the bar is PostGIS's).
"""

from __future__ import annotations

import csv
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from procedure_portfolio_bench import arguments, database, generate  # noqa: E402  (the portfolio's data, reused)


def approve_all(prefix: str) -> int:
    """Every application of the district approved as requested, in bulk rows."""
    import datetime

    from isek.procedure.models import Application, Approval

    apps = list(Application.objects.filter(concept__city__ags__startswith=prefix))
    Approval.objects.bulk_create([
        Approval(application=app, decided_on=datetime.date(2027, 3, 1), file_number=f"34.1-2027/{app.pk}",
                 lines=[{"measure": f["measure"], "year": f["year"], "source": f["what"], "requested": f["amount"],
                         "approved": f["amount"], "reason": ""}
                        for f in app.snapshot["figures"] if f["what"] in ("bund", "land") and int(f["year"]) >= app.year])
        for app in apps])
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(state="approved")
    return len(apps)


def timed(client, url: str, runs: int):
    times = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    return times, response.content


def main() -> int:
    args = arguments(runs=3)
    engine, tmp = database("export")
    from django.test import Client

    t0 = time.monotonic()
    authority, staff = generate(args.cities, args.concepts, args.measures)
    approved = approve_all("059")
    generated = time.monotonic() - t0
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(staff)
    csv_times, data = timed(client, f"/authorities/{authority.pk}/export/monitoring.csv", args.runs)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) - 1 == approved == args.cities * args.concepts, (len(rows), approved)  # 053 stays out
    assert all(r[1].startswith("059") for r in rows[1:])
    xlsx_times, book = timed(client, f"/authorities/{authority.pk}/export/totals.xlsx", args.runs)
    reference = []
    for _ in range(args.runs + 1):  # the same rows, written with the csv module from memory
        t = time.perf_counter()
        with open(tmp / "reference.csv", "w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh, delimiter=";").writerows(rows)
        reference.append(time.perf_counter() - t)
    load = os.getloadavg()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {engine}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"district: {approved} approved concepts ({args.measures} measures × 5 years × 4 figures each in the snapshot), "
          f"generated in {generated:.1f} s")

    def line(name, times, size):
        return (f"{name}: first request {times[0] * 1000:.0f} ms; then {args.runs} runs: median "
                f"{statistics.median(times[1:]) * 1000:.0f} ms, min {min(times[1:]) * 1000:.0f} ms, "
                f"max {max(times[1:]) * 1000:.0f} ms ({size / 1e3:.0f} kB)")

    print(line("monitoring.csv", csv_times, len(data)) + " (bar: < 10000 ms)")
    print(line("totals.xlsx", xlsx_times, len(book)))
    print(f"reference, the same {len(rows) - 1} CSV rows written with the csv module from memory: "
          f"median {statistics.median(reference[1:]) * 1000:.1f} ms")
    return 0 if max(csv_times) < 10.0 else 1


if __name__ == "__main__":
    sys.exit(main())
