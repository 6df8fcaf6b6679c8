"""Walk 10 (Offenbach, English UI): the KuF page said "Kategorien der städtebaulichen Sanierung
nach BauGB (Vorbereitung § 140 …); keine Nummerierung eines Landes" in German – the general
catalogue's source is prose, not a citation, and has its English in the data."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ConceptFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, said, absent", [
    ("en", "Categories of urban redevelopment under the BauGB (preparation § 140", "Kategorien der städtebaulichen"),
    ("de", "Kategorien der städtebaulichen Sanierung nach BauGB (Vorbereitung § 140", "Categories of urban"),
])
def test_the_general_catalogues_source_is_in_the_ui_language(language, said, absent):
    concept = ConceptFactory(city__ags="06413000", city__name="Offenbach am Main")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(member(concept, "planner"))
    page = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    line = page.split('id="kuf-catalogue">')[1].split("</p>")[0]
    assert said in line and absent not in line
