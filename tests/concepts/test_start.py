"""A new city starts a concept without an administrator's code: `isek concept create` and the
service behind the wizard (city by AGS, draft concept, starter as planner, structure template or
copy of another concept); bad input changes nothing."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from isek import access
from isek.concepts import services
from isek.concepts.models import City, Concept, ConceptRole, FieldOfAction, Goal
from isek.monitoring import services as monitoring
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, UserFactory, square

pytestmark = pytest.mark.django_db

HOYERSWERDA = dict(ags="14625240", city_name="Hoyerswerda", slug="hy-altstadt", name="Altstadt Hoyerswerda",
                   programme="lebendige_zentren", legal_basis="baugb_141", start_year=2026, end_year=2034)


def starter():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_concept", content_type__app_label="concepts"))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def test_starter_gets_a_draft_concept_with_a_template_and_becomes_its_planner():
    user = starter()
    concept = services.start_concept(user, template="isek-allgemein", **HOYERSWERDA)
    assert concept.status == "draft" and not concept.is_public
    assert concept.city.land == "Sachsen" and concept.working_srid == 25833
    assert access.role_of(user, concept) == access.Role.PLANNER
    assert concept.fields_of_action.count() == 8 and concept.goals.count() == 8
    assert all(g.illustrative for g in concept.goals.all())
    assert "Städtebauförderung" in concept.fields_of_action.first().source


def test_people_without_the_right_cannot_start_concepts():
    with pytest.raises(PermissionDenied):
        services.start_concept(UserFactory(), **HOYERSWERDA)
    assert not Concept.objects.exists() and not City.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"ags": "1462524"}, "ags"),  # seven digits
    ({"ags": "17625240"}, "ags"),  # no Land 17
    ({"template": "gibt-es-nicht"}, "template"),
    ({"end_year": 2020}, "end_year"),
])
def test_bad_input_is_refused_and_stores_nothing(change, field):
    with pytest.raises(ValidationError) as exc:
        services.start_concept(starter(), **{**HOYERSWERDA, **change})
    assert field in exc.value.message_dict
    assert not Concept.objects.exists() and not City.objects.exists()


def test_a_slug_in_use_is_refused():
    ConceptFactory(slug="hy-altstadt")
    with pytest.raises(ValidationError) as exc:
        services.start_concept(starter(), **HOYERSWERDA)
    assert exc.value.error_dict["slug"][0].code == "duplicate_slug"
    assert Concept.objects.count() == 1


def test_the_same_step_twice_makes_no_second_concept():
    user = starter()
    services.start_concept(user, **HOYERSWERDA)
    with pytest.raises(ValidationError):
        services.start_concept(user, **HOYERSWERDA)
    assert Concept.objects.filter(city__ags="14625240").count() == 1


def test_structure_and_catalogue_are_copied_without_measures_or_money():
    source = ConceptFactory(is_public=True)
    f = FieldFactory(concept=source, number=3, name="Mobilität", name_en="Mobility")
    top = Goal.objects.create(concept=source, field_of_action=f, number="3.1", title="Oben")
    Goal.objects.create(concept=source, field_of_action=f, number="3.1.1", title="Unten", parent=top)
    MeasureFactory(concept=source, primary_field=f)
    ind = monitoring.save_indicator(access.Operator("t"), source, monitoring.Indicator(
        code="wege", name="Wege", kind="output", unit="km", baseline_value=1, baseline_year=2024,
        target_value=5, target_year=2030), goals=[top])
    user = starter()
    target = services.start_concept(user, **HOYERSWERDA)
    services.copy_structure(user, target, source)
    assert monitoring.copy_catalogue(user, target, source) == 1
    child = target.goals.get(number="3.1.1")
    assert child.parent.number == "3.1" and child.field_of_action.name_en == "Mobility"
    copied = target.indicators.get(code="wege")
    assert copied.pk != ind.pk and [g.number for g in copied.goals.all()] == ["3.1"]
    assert target.measures.count() == 0
    with pytest.raises(ValidationError):  # only into an empty concept
        services.copy_structure(user, target, source)
    assert target.fields_of_action.count() == 1


def test_command_creates_concept_with_area_and_template(tmp_path, capsys):
    area = tmp_path / "gebiet.geojson"
    area.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                    "geometry": json.loads(__import__("shapely").to_geojson(square(14.2465, 51.4345, 600)))}]}))
    call_command("concept", "create", "hy-altstadt", "--city", "Hoyerswerda", "--ags", "14625240",
                 "--name", "Altstadt Hoyerswerda", "--template", "bochum-2018", "--area", str(area))
    out = capsys.readouterr().out
    assert "Sachsen" in out and "EPSG:25833" in out
    concept = Concept.objects.get(slug="hy-altstadt")
    assert concept.area is not None and 0.3 < concept.area_km2 < 0.4
    assert FieldOfAction.objects.filter(concept=concept).count() == 6
    assert not ConceptRole.objects.filter(concept=concept).exists()  # the operator is nobody's planner


def test_command_with_a_broken_area_creates_nothing(tmp_path):
    area = tmp_path / "gebiet.geojson"
    area.write_text("{kaputt")
    with pytest.raises(CommandError) as exc:
        call_command("concept", "create", "hy-altstadt", "--city", "Hoyerswerda", "--ags", "14625240",
                     "--name", "Altstadt", "--area", str(area))
    assert "Kein Konzept angelegt" in str(exc.value)
    assert not Concept.objects.exists() and not City.objects.exists()


def test_command_lists_templates(capsys):
    call_command("concept", "templates")
    out = capsys.readouterr().out
    assert "bochum-2018" in out and "isek-allgemein" in out and "Quelle:" in out
