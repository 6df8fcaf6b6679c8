import pytest
import shapely
from django.core.exceptions import ValidationError

from isek.concepts.models import Measure, Quarter, number_sort_key
from isek.core import geo
from isek.core.audit import acting_as
from isek.core.models import ChangeRecord


def test_areas_are_computed_in_utm32_not_degrees():
    # A 1 km × 1 km square drawn in EPSG:25832, stored in WGS84.
    square = geo.transform(shapely.box(370000, 5700000, 371000, 5701000), "EPSG:25832", "EPSG:4326")
    assert geo.area_m2(square) == pytest.approx(1_000_000, rel=1e-6)
    line = geo.transform(shapely.LineString([(370000, 5700000), (370000, 5700500)]), "EPSG:25832", "EPSG:4326")
    assert geo.length_m(line) == pytest.approx(500, rel=1e-6)


def test_measure_quarters_are_derived_by_intersection(bochum):
    husemann = Measure.objects.get(concept=bochum, number="2.1")
    derived = {q.name for q in husemann.quarters}
    assert derived, "the Husemannplatz lies in at least one quarter"
    expected = {q.name for q in bochum.quarters.all() if geo.from_django(q.geometry).intersects(geo.from_django(husemann.geometry))}
    assert derived == expected
    # Move the measure into another quarter: its quarters follow.
    target = Quarter.objects.filter(concept=bochum).exclude(name__in=derived).first()
    husemann.geometry = geo.to_django(geo.from_django(target.geometry).representative_point())
    husemann.save()
    assert {q.name for q in husemann.quarters} == {target.name}


def test_measure_without_geometry_has_no_quarters(bochum):
    m = Measure.objects.get(concept=bochum, number="1.2")
    assert m.geometry is None and list(m.quarters) == []


def test_number_sort_key_orders_numerically():
    numbers = ["2.10", "2.9", "10.1", "1.1", "2.1a"]
    assert sorted(numbers, key=number_sort_key) == ["1.1", "2.1a", "2.9", "2.10", "10.1"]


def test_measures_are_ordered_by_number(bochum):
    field = bochum.fields_of_action.get(number=1)
    for n in ("1.10", "1.9"):
        Measure.objects.create(concept=bochum, number=n, title=n, primary_field=field)
    numbers = list(bochum.measures.filter(number__startswith="1.").values_list("number", flat=True))
    assert numbers == ["1.1", "1.2", "1.9", "1.10"]


def test_every_change_is_recorded_with_who_and_what(bochum, users):
    m = Measure.objects.get(concept=bochum, number="2.1")
    with acting_as(users["planner"], "test"):
        m.status = "construction"
        m.save()
    rec = ChangeRecord.objects.filter(model="concepts.Measure", object_id=str(m.pk)).first()
    assert rec.action == "update" and rec.actor == "planerin" and rec.user == users["planner"]
    assert rec.changes == {"status": ["preparation", "construction"]}
    assert rec.concept_pk == bochum.pk
    pk = m.pk
    with acting_as(None, "isek import"):
        m.delete()
    assert ChangeRecord.objects.filter(action="delete", object_id=str(pk), actor="isek import").exists()


def test_saving_unchanged_records_nothing(bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    n = ChangeRecord.objects.count()
    m.save()
    assert ChangeRecord.objects.count() == n


def test_invalid_measure_is_rejected_by_validation(bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    m.geometry = geo.to_django(shapely.Polygon([(7.214, 51.481), (7.216, 51.482), (7.216, 51.481), (7.214, 51.482)]))
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert "geometry" in exc.value.message_dict
    m.refresh_from_db()
    m.start, m.end = m.end, m.start
    with pytest.raises(ValidationError):
        m.full_clean()


def test_concept_end_before_start_is_rejected(bochum):
    bochum.end_year = 2010
    with pytest.raises(ValidationError):
        bochum.full_clean()
