"""Issue 22 point 5 (Land scale), decision 0103: the signed-in pages a Land's staff open all day –
the start page, a city's start page, the city's administration, a concept's team and its
moderation list – ask the database as often for 12 rows as for 3. Before, each draft on a start
page asked for its role and its open setup (three queries a row), so a city administrator's start
page grew with the city's drafts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from isek import access
from isek.accounts.models import ExternalIdentity, IdentityProvider
from isek.concepts import services as concepts
from isek.concepts.models import CityRole, Concept, ConceptRole
from isek.participation import services as participation
from tests.conftest import client_for
from tests.factories import (
    CityFactory,
    ConceptFactory,
    FieldFactory,
    MeasureFactory,
    UserFactory,
    authority_staff,
    city_admin,
    legal_texts_filled,
    member,
)

pytestmark = pytest.mark.django_db
OPERATOR = access.Operator("test")


def asked(client, url: str, *shown: str) -> int:
    """The number of queries of ``url``'s page, which must show each of ``shown``."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    for text in shown:
        assert text in page, text
    return len(queries)


def grown(client, url: str, add, rows: str) -> None:
    """``url`` asks as often after ``add(n)`` made 12 rows as with 3; ``rows(i)``: row i's text."""
    counted = []
    for n in (3, 12):
        add(n)
        counted.append(asked(client, url, *(rows(i) for i in range(n))))
    assert counted[0] == counted[1], counted


def test_the_start_page_asks_once_for_the_roles_and_setups_of_ones_drafts():
    planner = UserFactory()
    made = []

    def add(n):
        while len(made) < n:  # a draft in a city of its own: the page lists the cities and the drafts
            draft = ConceptFactory(city=CityFactory(name=f"Stadt {len(made):02d}"), is_public=False,
                                   name=f"Entwurf {len(made):02d}")
            if len(made) % 2:
                MeasureFactory(concept=draft)  # fields and measures: its setup is done
            ConceptRole.objects.create(concept=draft, user=planner, role="planner")
            made.append(draft)

    grown(client_for(planner), "/", add, lambda i: f"Entwurf {i:02d}</a> (Stadt {i:02d})")
    page = client_for(planner).get("/").content.decode()
    assert page.count("Einrichtung fortsetzen") == 6  # the six without measures, as before


def test_a_city_administrators_city_page_asks_once_for_all_drafts():
    city = CityFactory(name="Altstadt")
    admin = city_admin(city)
    ConceptFactory(city=city, name="Öffentlich Altstadt")

    def add(n):
        while Concept.objects.filter(city=city, is_public=False).count() < n:
            ConceptFactory(city=city, is_public=False, name=f"Entwurf {Concept.objects.filter(city=city).count():02d}")

    grown(client_for(admin), f"/{city.slug}/", add, lambda i: f"Entwurf {i + 1:02d}")


def test_the_city_administration_asks_as_much_for_many_concepts_and_people_as_for_few():
    city = CityFactory(name="Altstadt")
    provider = IdentityProvider.objects.create(name="Keycloak Altstadt", city=city, issuer="https://login.altstadt.example",
                                               client_id="isek")

    def add(n):
        while CityRole.objects.filter(city=city, role=CityRole.Role.STARTER).count() < n:
            i = CityRole.objects.filter(city=city, role=CityRole.Role.STARTER).count()
            person = UserFactory(username=f"starter{i:02d}")
            CityRole.objects.create(city=city, user=person, role=CityRole.Role.STARTER)
            if i % 3 == 0:  # the right given by the provider's group mapping
                ExternalIdentity.objects.create(provider=provider, subject=str(i), user=person, granted={"starter": True})
            ConceptFactory(city=city, name=f"Konzept {i:02d}", is_public=bool(i % 2))

    client = client_for(UserFactory(is_superuser=True))
    grown(client, f"/cities/{city.ags}/settings/", add, lambda i: f"Konzept {i:02d}")
    page = client.get(f"/cities/{city.ags}/settings/").content.decode()
    assert page.count("isek-provider-right") == 4 and "starter11" in page  # 0, 3, 6, 9: each its own row's


def test_a_concepts_team_asks_as_much_for_many_members_as_for_few():
    concept = ConceptFactory()
    provider = IdentityProvider.objects.create(name="Keycloak", city=concept.city, issuer="https://login.example",
                                               client_id="isek")

    def add(n):
        while ConceptRole.objects.filter(concept=concept).count() < n:
            i = ConceptRole.objects.filter(concept=concept).count()
            person = member(concept, "reviewer", f"kollegin{i:02d}")
            if i % 3 == 0:
                ExternalIdentity.objects.create(provider=provider, subject=str(i), user=person,
                                                granted={"concepts": {str(concept.pk): "reviewer"}})

    client = client_for(UserFactory(is_superuser=True))
    grown(client, f"/concepts/{concept.slug}/members/", add, lambda i: f'data-user="kollegin{i:02d}"')
    page = client.get(f"/concepts/{concept.slug}/members/").content.decode()
    assert page.count("isek-provider-right") == 4 and page.count("isek-via") == 4


def test_the_moderation_list_asks_as_much_for_many_ideas_as_for_few():
    legal_texts_filled()
    concept = ConceptFactory()
    now = timezone.now()
    phase = participation.save_phase(OPERATOR, concept, title_de="Beteiligung", start=now - datetime.timedelta(days=1),
                                     end=now + datetime.timedelta(days=30),
                                     themes=[("Plätze", "Squares", "#2e7d32")])
    contributor, _token = participation.contributor_for(None)

    def add(n):
        while phase.ideas.count() < n:
            participation.submit_idea(None, phase, contributor, theme=phase.themes.first(),
                                      title=f"Idee {phase.ideas.count():02d}", text="Mehr Bänke.",
                                      geometry="POINT(7.2125 51.4815)")

    grown(client_for(member(concept, "moderator")), f"/concepts/{concept.slug}/moderation/", add,
          lambda i: f"Idee {i:02d}")


def test_know_roles_gives_each_concept_the_role_role_of_gives_in_three_queries():
    a, b = CityFactory(name="Altstadt"), CityFactory(name="Bergdorf")
    in_a = [ConceptFactory(city=a), ConceptFactory(city=a, is_public=False)]
    in_b = [ConceptFactory(city=b, is_public=False)]
    people = [member(in_a[0], "planner"), member(in_a[1], "reviewer"), member(in_b[0], "moderator"), city_admin(a),
              authority_staff(a.ags[:3]), authority_staff(b.ags[:5]), UserFactory(), UserFactory(is_superuser=True)]
    ConceptRole.objects.create(concept=in_b[0], user=people[3], role="planner")  # an administrator of A, planner in B
    ConceptRole.objects.create(concept=in_a[0], user=people[4], role="reviewer")  # district staff on the team too
    for person in people:
        expected = [access.role_of(person, Concept.objects.get(pk=c.pk)) for c in in_a + in_b]
        fresh = list(Concept.objects.select_related("city").filter(pk__in=[c.pk for c in in_a + in_b]).order_by("pk"))
        with CaptureQueriesContext(connection) as queries:
            known = access.know_roles(person, fresh)
            got = [access.role_of(person, c) for c in known]
        assert got == expected, person
        assert len(queries) <= 3
    assert access.know_roles(None, in_b) == in_b  # anonymous: nothing to read


def test_setups_open_names_the_drafts_setup_open_names():
    done = ConceptFactory(is_public=False)
    MeasureFactory(concept=done)
    no_area = ConceptFactory(is_public=False, area=None)
    MeasureFactory(concept=no_area)
    no_measures = ConceptFactory(is_public=False)
    FieldFactory(concept=no_measures)
    nothing = ConceptFactory(is_public=False)
    drafts = [done, no_area, no_measures, nothing]
    assert concepts.setups_open(drafts) == {c.pk for c in drafts if concepts.setup_open(c)} == {
        no_area.pk, no_measures.pk, nothing.pk}
    assert concepts.setups_open([]) == set()
