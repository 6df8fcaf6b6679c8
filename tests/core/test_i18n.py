"""English labels of data come one way (core.i18n.pick): fields of action, catalogue indicators,
reference layers and the analysis indicators all show their English name in the English UI and
fall back to German where there is none."""

from __future__ import annotations

import pytest
from django.utils import translation

from isek.core.i18n import pick
from isek.geodata.models import ReferenceLayer
from isek.monitoring.models import Indicator
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def test_pick_follows_the_active_language():
    with translation.override("en"):
        assert pick("Schulen", "Schools") == "Schools"
        assert pick("Schulen", "") == "Schulen"
    with translation.override("de"):
        assert pick("Schulen", "Schools") == "Schulen"


def test_records_label_in_the_active_language():
    concept = ConceptFactory()
    field = FieldFactory(concept=concept, name="Wohnen", name_en="Housing")
    ind = Indicator(concept=concept, code="a", name="Spielplätze", name_en="Playgrounds", kind="output", unit="count")
    layer = ReferenceLayer(city=concept.city, name="s", label_de="Schulen", label_en="Schools")
    with translation.override("en"):
        assert (field.label, ind.label, layer.label) == ("Housing", "Playgrounds", "Schools")
    with translation.override("de"):
        assert (field.label, ind.label, layer.label) == ("Wohnen", "Spielplätze", "Schulen")


def test_concept_and_measure_pages_in_english_name_the_fields_in_english(client):
    concept = ConceptFactory(is_public=True)
    field = FieldFactory(concept=concept, name="Wohnen und Quartier", name_en="Housing and neighbourhood")
    measure = MeasureFactory(concept=concept, primary_field=field)
    for url in (concept.get_absolute_url(), measure.get_absolute_url()):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Housing and neighbourhood" in html and "Wohnen und Quartier" not in html, url
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert "Wohnen und Quartier" in html and "Housing and neighbourhood" not in html, url
