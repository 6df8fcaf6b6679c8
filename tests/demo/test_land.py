"""The Land-scale generator (isek generate-land): the counts it reports are in the database, all
labelled illustrative, and the public pages, the API and the OGC API work on what it made."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from isek.concepts.models import City, Concept, Measure
from isek.finance.models import CostItem, Financing
from isek.participation.models import Idea, Status

SIZE = {"cities": 3, "concepts": 2, "measures": 5, "ideas": 50, "seed": 7}


@pytest.fixture
def land(db):
    out = io.StringIO()
    call_command("generate_land", stdout=out, **SIZE)
    return out.getvalue()


def test_generator_makes_what_it_reports_all_illustrative(land):
    assert "3 Städte, 6 Konzepte, 30 Maßnahmen, 50 Ideen (illustrativ)" in land
    cities = City.objects.filter(ags__startswith="0599")
    assert cities.count() == 3 and all("illustrativ" in c.name for c in cities)
    concepts = Concept.objects.filter(city__in=cities)
    assert concepts.count() == 6 and all(c.is_public and "Illustrative" in c.summary for c in concepts)
    assert all(c.area is not None and c.area.valid for c in concepts)
    measures = Measure.objects.filter(concept__in=concepts)
    assert measures.count() == 30 and not measures.filter(geometry=None).exists()
    assert CostItem.objects.filter(measure__in=measures, illustrative=True).count() == 30
    assert Financing.objects.filter(measure__in=measures, illustrative=True).count() == 30
    ideas = Idea.objects.filter(concept__in=concepts)
    assert ideas.count() == 50 and ideas.filter(status=Status.PUBLISHED, illustrative=True).count() == 50
    for idea in ideas[:10]:
        assert concepts.get(pk=idea.concept_id).area.contains(idea.geometry)


def test_pages_api_and_ogc_work_on_the_generated_land(land):
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    concept = Concept.objects.get(slug="land-0002-2")
    assert c.get("/").status_code == 200
    page = c.get(f"/concepts/{concept.slug}/")
    assert page.status_code == 200 and concept.name in page.content.decode()
    measures = c.get(f"/api/v1/concepts/{concept.slug}/measures/")
    assert measures.status_code == 200 and "Maßnahme 1.5" in measures.content.decode()
    first = c.get("/ogc/collections?limit=4").json()
    assert first["numberReturned"] == 4 and any(link["rel"] == "next" for link in first["links"])
    ideas = c.get(f"/ogc/collections/{concept.slug}.ideas/items")
    body = b"".join(ideas.streaming_content)
    import json
    assert json.loads(body)["numberMatched"] == Idea.objects.filter(concept=concept).count() > 0


@pytest.mark.parametrize("change, message", [
    ({"cities": 0}, "--cities muss zwischen 1 und 9999 liegen, nicht 0."),
    ({"ideas": -1}, "--ideas muss zwischen 0 und 10000000 liegen, nicht -1."),
])
def test_bad_sizes_are_refused_and_change_nothing(db, change, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_land", **{**SIZE, **change})
    assert not City.objects.filter(ags__startswith="0599").exists()


def test_a_second_run_is_refused_and_changes_nothing(land):
    with pytest.raises(CommandError, match="schon generierte Städte"):
        call_command("generate_land", **SIZE)
    assert City.objects.filter(ags__startswith="0599").count() == 3
