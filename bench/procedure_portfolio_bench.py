"""Benchmark: a funding authority's portfolio of 400 submitted applications renders uncached in
under 1 s on PostGIS (issue #23 point 3).

Generates, in bulk rows (no PDFs are written: the portfolio reads the applications' snapshots),
one district (AGS prefix 059) with 200 cities × 2 concepts, each concept with its funding area
(an irregular 40-corner polygon), a frozen KuF version and one submitted application for 2027
whose snapshot holds 8 measures × 5 years × 4 figures and a readiness of 7 parts; a few cities
of another district (053) that must not show. Then the portfolio page
(/authorities/<id>/portfolio/) is asked as the authority's signed-in reviewer through Django's
test client (no cache in front): the first request, then 7 more; wall clock of each.

Run:  DATABASE_URL=postgis://…/your_own_db .venv/bin/python bench/procedure_portfolio_bench.py
That database is emptied and used. Without DATABASE_URL a temporary SpatiaLite database is used
(the bar is PostGIS's).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def snapshot(n: int, measures: int) -> dict:
    figures = []
    for m in range(measures):
        for year in range(2026, 2031):
            cost = 50_000 + 1_000 * ((n * 7 + m * 13 + year) % 97)
            for what, amount in (("cost", cost), ("eligible", cost), ("bund", cost / 3), ("land", cost / 3)):
                figures.append({"measure": str(m + 1), "year": year, "what": what, "amount": f"{amount:.2f}"})
    items = [{"key": f"p{i}", "label": f"Teil {i}", "status": "complete" if (n + i) % 3 else "incomplete", "missing": []}
             for i in range(7)]
    from isek.procedure import difference, services

    kept = {"kuf_version": "Programmanmeldung 2027", "council_decision": "2026-11-01",
            "measures": [{"key": str(m + 1), "number": f"{m // 3 + 1}.{m % 3 + 1}", "title": f"Maßnahme {m + 1}"}
                         for m in range(measures)],
            "figures": figures, "readiness": {"items": items, "done": sum(i["status"] == "complete" for i in items),
                                              "total": 7, "ready": False}, "current_plan_differs": False}
    kept["sums"] = difference.totals(kept, services.FIGURES)  # as services.snapshot keeps them
    return kept


def area(lon: float, lat: float, n: int):
    import shapely

    from isek.core import geo

    ring = [(lon + 0.01 * (1 + 0.3 * math.sin(3 * a + n)) * math.cos(a), lat + 0.006 * (1 + 0.3 * math.cos(5 * a)) * math.sin(a))
            for a in (2 * math.pi * k / 40 for k in range(40))]
    return geo.to_django(shapely.MultiPolygon([shapely.Polygon(ring)]))


def generate(cities: int, per_city: int, measures: int):
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from isek.concepts.models import AuthorityPrefix, AuthorityRole, City, Concept, FundingAuthority
    from isek.finance.models import FinanceVersion
    from isek.procedure.models import Application

    authority = FundingAuthority.objects.create(name="Bezirksregierung Arnsberg (Benchmark)", land="05")
    AuthorityPrefix.objects.create(authority=authority, prefix="059")
    staff = get_user_model().objects.create_user("pruefung", password="pw-bench-123")
    AuthorityRole.objects.create(authority=authority, user=staff)
    made = City.objects.bulk_create([City(name=f"Stadt {i}", ags=f"059{i:05d}", slug=f"stadt-{i}") for i in range(cities)]
                                    + [City(name=f"Köln {i}", ags=f"053{i:05d}", slug=f"koeln-{i}") for i in range(5)])
    concepts = Concept.objects.bulk_create([
        Concept(city=city, name=f"ISEK {city.name} {k + 1}", slug=f"{city.slug}-{k + 1}", programme="lebendige_zentren"
                if k % 2 == 0 else "sozialer_zusammenhalt", legal_basis="baugb_142", start_year=2026, end_year=2030,
                area=area(7.0 + (i % 20) * 0.08, 51.2 + (i // 20) * 0.05 + k * 0.02, i))
        for i, city in enumerate(made) for k in range(per_city)])
    versions = FinanceVersion.objects.bulk_create([
        FinanceVersion(concept=c, name="Programmanmeldung 2027", kind="first_application", snapshot={}, figures={})
        for c in concepts])
    now = timezone.now()
    Application.objects.bulk_create([
        Application(concept=c, year=2027, version=1, state="submitted", finance_version=v,
                    council_decision=datetime.date(2026, 11, 1), submitted_at=now, snapshot=snapshot(n, measures))
        for n, (c, v) in enumerate(zip(concepts, versions, strict=True))])
    return authority, staff


def arguments(runs: int) -> argparse.Namespace:
    """The size of the district and the number of timed requests (shared with procedure_export_bench)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cities", type=int, default=200)
    ap.add_argument("--concepts", type=int, default=2, help="per city")
    ap.add_argument("--measures", type=int, default=8)
    ap.add_argument("--runs", type=int, default=runs)
    return ap.parse_args()


def database(name: str) -> tuple[str, Path]:
    """(the engine, a scratch var directory): DATABASE_URL's PostGIS emptied, or a new SpatiaLite,
    migrated; Django set up."""
    tmp = Path(tempfile.mkdtemp(prefix=f"isek-{name}-bench-"))
    engine = "PostGIS" if os.environ.get("DATABASE_URL", "").startswith("postgis://") else "SpatiaLite"
    os.environ.update(ISEK_MODE="demo", ISEK_VAR_DIR=str(tmp), DJANGO_SETTINGS_MODULE="isek.config.settings")
    sys.path.insert(0, str(ROOT))
    if engine == "PostGIS":  # empty it, bring it to the current schema
        subprocess.run([sys.executable, "-m", "isek.cli", "flush", "--noinput", "-v0"], env=os.environ, check=False)
    subprocess.run([sys.executable, "-m", "isek.cli", "migrate", "-v0"], env=os.environ, check=True)
    import django

    django.setup()
    return engine, tmp


def main() -> int:
    args = arguments(runs=7)
    engine, tmp = database("portfolio")
    from django.test import Client

    t0 = time.monotonic()
    authority, staff = generate(args.cities, args.concepts, args.measures)
    generated = time.monotonic() - t0
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(staff)
    url = f"/authorities/{authority.pk}/portfolio/"
    times = []
    for _ in range(args.runs + 1):
        t = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    html = response.content.decode()
    shown = html.count('data-application="')
    assert shown == args.cities * args.concepts, shown  # the other district's 10 stay out
    load = os.getloadavg()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {engine}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"portfolio: {shown} applications ({args.measures} measures × 5 years × 4 figures each), "
          f"{len(response.content) / 1e6:.1f} MB HTML; generated in {generated:.1f} s")
    print(f"first request {times[0] * 1000:.0f} ms; then {args.runs} runs: median {statistics.median(times[1:]) * 1000:.0f} ms, "
          f"min {min(times[1:]) * 1000:.0f} ms, max {max(times[1:]) * 1000:.0f} ms (bar: < 1000 ms)")
    return 0 if statistics.median(times[1:]) < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
