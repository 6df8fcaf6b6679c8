"""Issue 22 (Land scale): the installation's start page listed every concept one may see – 1,200
for a Land's administrator, p99 1.9 s uncached. Where the concepts lie in more than one city it
lists the cities (their numbers, a link to each city's start page) and one's own drafts; a
single city's installation looks as before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.factories import CityFactory, ConceptFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_one_city_lists_its_concepts_as_before():
    city = CityFactory(name="Altstadt")
    ConceptFactory(city=city, name="Öffentlich Altstadt")
    ConceptFactory(city=city, is_public=False, name="Entwurf Altstadt")
    for client in (Client(), client_for(UserFactory(is_superuser=True))):
        page = text(client.get("/"))
        assert "Öffentlich Altstadt" in page and 'id="cities"' not in page and "Öffentliche Konzepte" in page
    assert "Entwurf Altstadt" in text(client_for(UserFactory(is_superuser=True)).get("/"))


def test_several_cities_are_listed_with_their_numbers_and_own_drafts_stay():
    a, b = CityFactory(name="Altstadt"), CityFactory(name="Bergdorf")
    ConceptFactory(city=a, name="Öffentlich Altstadt")
    ConceptFactory(city=a, name="Noch eins in Altstadt")
    draft = ConceptFactory(city=a, is_public=False, name="Entwurf Altstadt")
    ConceptFactory(city=b, name="Öffentlich Bergdorf")
    anonymous = text(Client(HTTP_ACCEPT_LANGUAGE="de").get("/"))
    assert 'id="cities"' in anonymous and "Öffentlich Altstadt" not in anonymous
    assert '<a class="kern-link" href="/altstadt/">Altstadt</a>: 2 öffentliche Konzepte</li>' in anonymous
    assert '<a class="kern-link" href="/bergdorf/">Bergdorf</a>: 1 öffentliches Konzept</li>' in anonymous
    assert "Entwurf" not in anonymous and "nicht öffentlich" not in anonymous
    root = text(client_for(UserFactory(is_superuser=True)).get("/"))
    assert "2 öffentliche Konzepte, 1 nicht öffentliches</li>" in root and "Entwurf Altstadt" not in root
    assert 'id="administered"' not in root  # every city: the list above, not a second one
    planner = text(client_for(member(draft, "planner")).get("/"))
    assert 'id="cities"' in planner and "Ihre nicht öffentlichen Konzepte" in planner and "Entwurf Altstadt" in planner
    assert "1 nicht öffentliches" in planner  # the draft counted in its city, too
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "2 public concepts" in text(english.get("/")) and "Cities and municipalities" in text(english.get("/"))


def test_the_start_page_of_a_land_asks_as_much_for_many_concepts_as_for_few():
    root = client_for(UserFactory(is_superuser=True))
    counted = []
    for cities in (2, 12):
        while len({c for c in CityFactory._meta.model.objects.all()}) < cities:
            city = CityFactory()
            for n in range(3):
                ConceptFactory(city=city, is_public=n != 2)
        with CaptureQueriesContext(connection) as queries:
            assert text(root.get("/")).count('href="/') > cities
        counted.append(len(queries))
    assert counted[0] == counted[1], counted
