"""A Land-sized installation, illustrative, for load tests and the Land-scale benchmark (issue #22):
``cities`` towns with fake municipality keys in North Rhine-Westphalia (``0599NNNN``: no district
05 99x exists), each with ``concepts`` public concepts (a square funding area drawn in the Land's
CRS, EPSG:25832), ``measures`` located measures per concept with a cost item and a financing line
each, a current participation phase with themes, and ``ideas`` published ideas spread over all
concepts. Every name, summary and record says it is illustrative.

The rows go in with ``bulk_create`` and not through the services: the services check the acting
user, write the change log and count numbers one record at a time, about 10 ms per record, which
for 200,000 ideas is over half an hour; ``bulk_create`` writes them in batches in a few minutes.
What the services would add and the pages need is set here: measures' sort keys, ideas' numbers
and concepts, cost group of the Land's catalogue. Nothing here is for real data."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

import shapely
from django.db import transaction
from django.utils import timezone
from pyproj import Transformer

from isek.concepts import services as concepts
from isek.core import geo, versions
from isek.core.numbering import number_sort_key
from isek.finance import services as finance
from isek.participation import services as participation

LAND_PREFIX = "0599"  # NRW (05), no district 99x: the keys cannot be a real town's
# NRW's extent in EPSG:25832 (easting, northing), inset so that every square stays inside
BOX = (300_000, 5_600_000, 500_000, 5_800_000)
LABEL = "illustrativ, generiert"
THEMES = [("Verkehr", "Transport", "#005ca9"), ("Grün", "Green", "#2e7d32"), ("Wohnen", "Housing", "#8e24aa")]
BATCH = 2000


@dataclass
class Generated:
    cities: int
    concepts: int
    measures: int
    ideas: int


def slug_of(city: int, concept: int) -> str:
    return f"land-{city:04d}-{concept}"


@transaction.atomic
def generate(cities: int, concepts_per_city: int, measures_per_concept: int, ideas: int, seed: int = 1) -> Generated:
    """Create the installation's illustrative cities, concepts, measures and ideas next to what
    is there (the keys ``0599NNNN`` and slugs ``land-NNNN-K`` must be free)."""
    for name, value, low, high in (("--cities", cities, 1, 9999), ("--concepts", concepts_per_city, 1, 9),
                                   ("--measures", measures_per_concept, 0, 999), ("--ideas", ideas, 0, 10_000_000)):
        if not low <= value <= high:
            raise ValueError(f"{name} muss zwischen {low} und {high} liegen, nicht {value}.")
    if concepts.City.objects.filter(ags__startswith=LAND_PREFIX).exists():
        raise ValueError(f"Es gibt schon generierte Städte (Gemeindeschlüssel {LAND_PREFIX}…); "
                         "die Installation hat ihre Landesdaten schon.")
    rnd = random.Random(seed)
    to_wgs84 = Transformer.from_crs("EPSG:25832", "OGC:CRS84", always_xy=True)

    def wgs84(geom):
        return geo.to_django(shapely.transform(geom, to_wgs84.transform, interleaved=False))

    City, Concept, FieldOfAction, Measure = concepts.City, concepts.Concept, concepts.FieldOfAction, concepts.Measure
    city_rows = City.objects.bulk_create([
        City(name=f"Musterstadt {n:04d} ({LABEL})", ags=f"{LAND_PREFIX}{n:04d}", slug=f"musterstadt-{n:04d}-generiert")
        for n in range(1, cities + 1)])  # bulk_create skips City.save, which would form the short name
    squares, concept_rows = [], []
    for n, city in enumerate(city_rows, start=1):
        cx, cy = rnd.uniform(BOX[0], BOX[2]), rnd.uniform(BOX[1], BOX[3])
        for k in range(1, concepts_per_city + 1):
            side = rnd.uniform(600, 1500)
            square = shapely.box(cx + (k - 1) * 2000, cy, cx + (k - 1) * 2000 + side, cy + side)
            squares.append(square)
            concept_rows.append(Concept(
                city=city, slug=slug_of(n, k), name=f"Innenstadt {k} – {city.name}",
                programme=Concept.Programme.LEBENDIGE_ZENTREN, legal_basis=Concept.LegalBasis.SANIERUNGSGEBIET,
                start_year=2024, end_year=2032, status=Concept.Status.ADOPTED, is_public=True,
                summary=f"Illustrative Daten ({LABEL}) für den Lasttest einer Landesinstallation; keine echte Stadt.",
                area=wgs84(shapely.MultiPolygon([square])), area_name=f"Fördergebiet {k}", area_approximated=True,
                area_source=f"Quadrat, {LABEL}"))
    concept_rows = Concept.objects.bulk_create(concept_rows, batch_size=BATCH)
    fields = FieldOfAction.objects.bulk_create([
        FieldOfAction(concept=c, number=1, name="Öffentlicher Raum", colour="#005ca9",
                      source=LABEL) for c in concept_rows], batch_size=BATCH)
    group = finance.CostGroup.objects.filter(catalogue="nrw-frl-2023", parent__isnull=False).order_by("sort_key").first()
    measure_rows = []
    for c, field, square in zip(concept_rows, fields, squares, strict=True):
        x0, y0, x1, y1 = square.bounds
        for m in range(1, measures_per_concept + 1):
            number = f"1.{m}"
            point = shapely.Point(rnd.uniform(x0, x1), rnd.uniform(y0, y1))
            measure_rows.append(Measure(
                concept=c, number=number, sort_key=number_sort_key(number), title=f"Maßnahme {number} ({LABEL})",
                description="Illustrative Maßnahme für den Lasttest.", geometry=wgs84(point),
                geometry_approximated=True, geometry_source=LABEL, primary_field=field,
                start=datetime.date(2025, 1, 1), end=datetime.date(2028, 12, 31),
                estimated_cost=Decimal(rnd.randrange(50, 5000) * 1000), figures_approximated=True,
                figures_source=LABEL))
    measure_rows = Measure.objects.bulk_create(measure_rows, batch_size=BATCH)
    if group is not None:
        finance.CostItem.objects.bulk_create([
            finance.CostItem(measure=m, year=2026, cost_group=group, amount=m.estimated_cost,
                             eligible=(m.estimated_cost * Decimal("0.8")).quantize(Decimal("0.01")), illustrative=True,
                             note=LABEL) for m in measure_rows], batch_size=BATCH)
    finance.Financing.objects.bulk_create([
        finance.Financing(measure=m, year=2026, source=finance.Financing.Source.MUNICIPALITY,
                          status=finance.Financing.Status.PLANNED, reason=f"Eigenanteil ({LABEL})", illustrative=True)
        for m in measure_rows], batch_size=BATCH)
    now = timezone.now()
    phases = participation.Phase.objects.bulk_create([
        participation.Phase(concept=c, title_de=f"Beteiligung ({LABEL})", title_en=f"Participation ({LABEL})",
                            start=now - datetime.timedelta(days=30), end=now + datetime.timedelta(days=365),
                            moderation=participation.Phase.Moderation.BEFORE, illustrative=True)
        for c in concept_rows], batch_size=BATCH)
    themes = participation.Theme.objects.bulk_create([
        participation.Theme(phase=p, name_de=de, name_en=en, colour=colour, order=i)
        for p in phases for i, (de, en, colour) in enumerate(THEMES)], batch_size=BATCH)
    idea_rows, made = [], 0
    for i in range(ideas):
        n = i % len(concept_rows)
        x0, y0, x1, y1 = squares[n].bounds
        point = shapely.Point(rnd.uniform(x0, x1), rnd.uniform(y0, y1))
        idea_rows.append(participation.Idea(
            concept=concept_rows[n], number=i // len(concept_rows) + 1, phase=phases[n],
            theme=themes[n * len(THEMES) + i % len(THEMES)], title=f"Idee {i + 1} ({LABEL})",
            text="Illustrative Idee für den Lasttest einer Landesinstallation.", geometry=wgs84(point),
            status=participation.Status.PUBLISHED, reviewed=True, illustrative=True))
        if len(idea_rows) >= BATCH:
            participation.Idea.objects.bulk_create(idea_rows)
            made, idea_rows = made + len(idea_rows), []
    participation.Idea.objects.bulk_create(idea_rows)
    versions.bump(versions.SITE)  # the start page lists the new concepts
    return Generated(len(city_rows), len(concept_rows), len(measure_rows), made + len(idea_rows))
