"""The cost-group catalogues and their groups in English (walk 4): the English UI read
"Kostengruppen: allgemeine Gliederung (isek)" and "Vorbereitung". Their English names are data
beside the German ones; German pages and the German documents keep the German names."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client

from isek.finance import land_rules
from isek.finance import services as finance
from isek.finance.models import CostItem
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ags, group, german, english", [
    ("11000000", "1", "Vorbereitung", "Preparation"),  # Berlin: the general catalogue
    ("05911000", "9.1", "Straßen, Wege und Plätze", "Streets, paths and squares"),  # NRW's FRL 2023
])
def test_english_pages_name_the_catalogue_and_its_groups_in_english(ags, group, german, english, tmp_path):
    concept = ConceptFactory(city__ags=ags, start_year=2026, end_year=2026)
    m = MeasureFactory(concept=concept, primary_field=FieldFactory(concept=concept))
    CostItem.objects.create(measure=m, year=2026, cost_group=finance.CostGroup.of(concept).get(number=group),
                            amount=D("1000"), eligible=D("1000"))
    catalogue = land_rules.catalogue_for_ags(ags)
    user = member(concept, "planner")
    pages = {}
    for lang in ("de", "en"):
        c = Client(HTTP_ACCEPT_LANGUAGE=lang)
        c.force_login(user)
        pages[lang] = (c.get(f"/concepts/{concept.slug}/kuf/").content.decode()
                       + c.get(f"/concepts/{concept.slug}/kuf/measures/{m.pk}/").content.decode())
    assert f"Cost groups: {catalogue.name_en}." in pages["en"] and catalogue.name not in pages["en"]
    assert f"{group} {english}" in pages["en"] and f"{group} {german}" not in pages["en"]
    assert f"Kostengruppen: {catalogue.name}." in pages["de"] and f"{group} {german}" in pages["de"]
    assert english not in pages["de"]


def test_every_catalogue_and_group_has_its_english_name():
    for key in ("general", "nrw-frl-2023"):
        cat = land_rules.catalogue(key)
        assert cat.name_en and cat.name_en != cat.name
    for g in finance.CostGroup.objects.all():
        assert g.name_in("en") != g.name, (g.catalogue, g.number)
