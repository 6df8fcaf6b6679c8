import datetime
import math

import pytest
import shapely
from django.core.exceptions import ValidationError

from isek.concepts.models import Measure, number_sort_key
from isek.core import geo
from isek.core.audit import acting_as
from isek.core.models import ChangeRecord
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, QuarterFactory, UserFactory, multipolygon, square

LON, LAT = 7.21, 51.48  # a concept of 1 km × 1 km with a west and an east quarter side by side
HALF = 500 / (111_320 * math.cos(math.radians(LAT)))  # 500 m in degrees of longitude


@pytest.fixture
def concept(db):
    concept = ConceptFactory(area=multipolygon(square(LON, LAT, 1000)))
    QuarterFactory(concept=concept, name="West", geometry=multipolygon(square(LON, LAT, 500)))
    QuarterFactory(concept=concept, name="Ost", geometry=multipolygon(square(LON + HALF, LAT, 500)))
    return concept


def _point_in(quarter):
    return geo.to_django(geo.from_django(quarter.geometry).representative_point())


def test_areas_are_computed_in_utm32_not_degrees():
    # A 1 km × 1 km square drawn in EPSG:25832, stored in WGS84.
    square = geo.transform(shapely.box(370000, 5700000, 371000, 5701000), "EPSG:25832", "EPSG:4326")
    assert geo.area_m2(square) == pytest.approx(1_000_000, rel=1e-6)
    line = geo.transform(shapely.LineString([(370000, 5700000), (370000, 5700500)]), "EPSG:25832", "EPSG:4326")
    assert geo.length_m(line) == pytest.approx(500, rel=1e-6)


def test_measure_quarters_are_derived_by_intersection(concept):
    west, east = concept.quarters.get(name="West"), concept.quarters.get(name="Ost")
    m = MeasureFactory(concept=concept, geometry=_point_in(west))
    assert {q.name for q in m.quarters} == {"West"}
    # Move the measure into the other quarter: its quarters follow.
    m.geometry = _point_in(east)
    m.save()
    assert {q.name for q in m.quarters} == {"Ost"}
    # A line across both lies in both.
    m.geometry = geo.to_django(shapely.LineString([geo.from_django(_point_in(west)), geo.from_django(_point_in(east))]))
    m.save()
    assert {q.name for q in m.quarters} == {"West", "Ost"}


def test_measure_without_geometry_has_no_quarters(concept):
    m = MeasureFactory(concept=concept, geometry=None)
    assert m.geometry is None and list(m.quarters) == []


def test_number_sort_key_orders_numerically():
    numbers = ["2.10", "2.9", "10.1", "1.1", "2.1a"]
    assert sorted(numbers, key=number_sort_key) == ["1.1", "2.1a", "2.9", "2.10", "10.1"]


def test_measures_are_ordered_by_number(concept):
    field = FieldFactory(concept=concept)
    for n in ("1.10", "1.9", "1.2", "1.1"):
        Measure.objects.create(concept=concept, number=n, title=n, primary_field=field)
    numbers = list(concept.measures.filter(number__startswith="1.").values_list("number", flat=True))
    assert numbers == ["1.1", "1.2", "1.9", "1.10"]


def test_every_change_is_recorded_with_who_and_what(concept):
    planner = UserFactory(username="planerin")
    m = MeasureFactory(concept=concept, status="preparation")
    with acting_as(planner, "test"):
        m.status = "construction"
        m.save()
    rec = ChangeRecord.objects.filter(model="concepts.Measure", object_id=str(m.pk)).first()
    assert rec.action == "update" and rec.actor == "planerin" and rec.user == planner
    assert rec.changes == {"status": ["preparation", "construction"]}
    assert rec.concept_pk == concept.pk
    pk = m.pk
    with acting_as(None, "isek import"):
        m.delete()
    assert ChangeRecord.objects.filter(action="delete", object_id=str(pk), actor="isek import").exists()


def test_saving_unchanged_records_nothing(concept):
    m = MeasureFactory(concept=concept)
    n = ChangeRecord.objects.count()
    m.save()
    assert ChangeRecord.objects.count() == n


def test_invalid_measure_is_rejected_by_validation(concept):
    m = MeasureFactory(concept=concept, start=datetime.date(2025, 1, 1), end=datetime.date(2026, 12, 31))
    m.geometry = geo.to_django(shapely.Polygon([(7.214, 51.481), (7.216, 51.482), (7.216, 51.481), (7.214, 51.482)]))
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert "geometry" in exc.value.message_dict
    m.refresh_from_db()
    m.start, m.end = m.end, m.start
    with pytest.raises(ValidationError):
        m.full_clean()


def test_concept_end_before_start_is_rejected(concept):
    concept.full_clean()
    concept.end_year = concept.start_year - 1
    with pytest.raises(ValidationError):
        concept.full_clean()
