"""The access policy table, one case per cell: every (resource, action) is tried by every role
through a real request to a page that declares it (isek.access.routes), on a public and on a
non-public concept, and the answer must be what the table says: allowed, or refused with the exact status (302 to the login for anonymous people on
pages that need an account, 404 where the concept may not even be seen – its moderators aside, who
get a 403 page leading to the moderation (decision 0077) –, 403 otherwise)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from isek import access
from isek.access.policy import PUBLIC, SUBMITTED, YES, Role
from isek.access.routes import routes, url_kwargs, url_table
from isek.concepts.models import Measure
from isek.finance.models import Fund
from isek.geodata.models import ReferenceLayer
from isek.monitoring.models import Report
from isek.participation import services as participation
from isek.participation.models import Idea, Status
from tests.conftest import _SHARED, client_for, client_with, shared_world
from tests.factories import (
    ConceptFactory,
    MeasureFactory,
    UserFactory,
    authority_staff,
    city_admin,
    legal_texts_filled,
    member,
)

# Values for what a URL captures besides the concept and the ids the test makes
FORMATS = {"concepts:concept-export": "geojson", "finance:kuf-export": "xlsx", "participation:export": "csv",
           "open-data": "gpkg"}  # the funding area's XPlanGML has a URL of its own (open-data-xplan, decision 0094)


def _request_for(cell) -> tuple[str, str, object]:
    """(method, URL name, its Route): a request of the web pages that follows ``cell`` – found in
    the views' declarations, never written here. The URL with the fewest ids; a write where the
    cell is one (a refused write must change nothing)."""
    candidates = []
    for name, route in routes().items():
        kwargs = url_kwargs(url_table()[name][0])
        if route.api or "slug" not in kwargs:
            continue
        for method, rule in route.methods.items():
            if rule == cell and method in ("GET", "POST"):
                candidates.append((len(kwargs), method != "POST", name, method, route))
    assert candidates, f"no page follows {cell}"
    _n, _get, name, method, route = min(candidates, key=lambda c: c[:3])
    return method.lower(), name, route


REQUESTS = {cell: _request_for(cell) for cell in access.ACTIONS}

CASES = [(cell, role, public) for cell in REQUESTS for role in Role
         for public in (True, False) if public or any(rule == PUBLIC for rule in access.POLICY[cell].values())]


def test_every_cell_has_a_page():
    assert set(REQUESTS) == set(access.POLICY)


def _published_idea(concept):
    """A published idea in an open phase; on an internal concept as if it was made internal after
    the phase was opened (an internal concept gets no open phase: participation.services.save_phase)."""
    now = timezone.now()
    public, concept.is_public = concept.is_public, True
    concept.save()
    legal_texts_filled(concept.city)
    phase = participation.save_phase(access.Operator("test"), concept, title_de="Beteiligung", start=now - timedelta(days=1),
                                     end=now + timedelta(days=1), themes=[("Mobilität", "", "#1565c0")])
    concept.is_public = public
    concept.save()
    return Idea.objects.create(phase=phase, theme=phase.themes.get(), title="Bänke", text="Mehr Bänke",
                               geometry=concept.area.point_on_surface, status=Status.PUBLISHED)


def _user(role, concept):
    if role is Role.ANONYMOUS:
        return None
    if role is Role.CITIZEN:
        return UserFactory()
    if role is Role.ADMIN:
        return UserFactory(is_superuser=True, is_staff=True)
    if role is Role.CITY_ADMIN:
        return city_admin(concept.city)
    if role is Role.AUTHORITY:
        return authority_staff(concept.city.ags[:5])
    return member(concept, role.value)


def _side(public: bool) -> dict:
    """A concept with one of everything a page of the table names, and a user per role."""
    concept = ConceptFactory(is_public=public)
    idea = _published_idea(concept)
    return {
        "concept": concept,
        "ids": {
            "measure": MeasureFactory(concept=concept).pk,
            "layer": ReferenceLayer.objects.create(city=concept.city, name="schulen", label_de="Schulen", kind="point",
                                                   licence="CC0-1.0", attribution="Test", path="none.geojson",
                                                   sha256="").pk,
            "fund": Fund.objects.create(concept=concept, kind="disposition", name="Verfügungsfonds", budget=10000).pk,
            "report": Report.objects.create(concept=concept, kind="isek").pk,
            "idea": idea.pk,
            "phase": idea.phase_id,  # the import of contributions into a phase
            "application": (draft := _draft_application(concept)).pk,  # the authority's review: refused on a draft
            "payment_request": _draft_request(draft).number,  # its release: refused on a draft (decision 0059; by number, 0072)
        },
        "users": (users := {role: _user(role, concept) for role in Role}),
        # each role signed in once with the world; a test's client copies the cookies (decision 0038)
        "cookies": {role: client_for(user).cookies for role, user in users.items()},
    }


def _draft_application(concept):
    """A draft of a funding application (issue #23): a cell whose rule is SUBMITTED is refused on it
    (its submitted twin: tests/access/test_matrix.py)."""
    import datetime

    from isek.finance import services as finance
    from isek.procedure.models import Application

    version = finance.freeze_version(access.Operator("test"), concept, "Anmeldung", "first_application")
    return Application.objects.create(concept=concept, year=concept.start_year, finance_version=version,
                                      council_decision=datetime.date(2026, 1, 15))


def _draft_request(application):
    from isek.procedure.models import PaymentRequest

    return PaymentRequest.objects.create(application=application, number=1)


@shared_world("policy_world")
def _load_policy_world() -> dict:
    """A public and an internal concept: loaded once for the cells' tests (tests/conftest.py,
    _SharedWorld); each test's changes are rolled back."""
    return {public: _side(public) for public in (True, False)}


@pytest.fixture
def policy_world(db):
    return _SHARED.value_for("policy_world") or _load_policy_world()


@pytest.mark.parametrize("cell, role, public", CASES, ids=lambda v: ".".join(v) if isinstance(v, tuple) else str(v))
def test_policy_cell(policy_world, cell, role, public):
    side = policy_world[public]
    concept, ids, user = side["concept"], side["ids"], side["users"][role]
    client = client_with(side["cookies"][role])
    method, name, route = REQUESTS[cell]
    needs_account = route.login
    values = {"slug": concept.slug, "fmt": FORMATS.get(name)} | {k: ids[kind] for k, kind in route.ids.items()}
    url = reverse(name, kwargs={k: values[k] for k in url_kwargs(url_table()[name][0])})
    response = getattr(client, method)(url)

    rule = access.POLICY[cell].get(role)
    allowed = rule == YES or (rule == PUBLIC and public)
    assert access.allows(user, *cell, concept) is allowed
    if rule == SUBMITTED:  # the world's application is a draft; the funding area opens on a public concept (0094)
        captured = {k: v for k, v in values.items() if k in url_kwargs(url_table()[name][0])}
        allowed = access.allows(user, *cell, concept, submitted=route.submitted_of(captured))
        assert allowed is (cell == ("funding_area", "export") and public)
    if allowed:
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        if role is Role.ANONYMOUS and needs_account:
            expected = 302 if public else 404  # an internal concept is none to anonymous (decision 0074)
        elif not access.allows(user, "concept", "view", concept):
            # its moderators know the concept: a page that says what they may do (decision 0077)
            expected = 403 if role is Role.MODERATOR else 404
        elif cell[0] in access.PROCEDURE and role is not Role.MODERATOR and not access.allows(
                user, "application", "view", concept):
            expected = 404  # the world's application is a draft: nobody's but the city's to know of (decision 0087)
        else:
            expected = 403
        assert response.status_code == expected
        if role is Role.MODERATOR and not public and not url.startswith("/api/"):  # the API answers JSON
            assert ('href="%s"' % reverse("participation:moderation", args=[concept.slug])) in response.content.decode()
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/")
        if cell == ("measure", "delete"):
            assert Measure.objects.filter(pk=ids["measure"]).exists()
        if cell == ("reference_layer", "delete"):
            assert ReferenceLayer.objects.filter(pk=ids["layer"]).exists()
        if cell == ("report", "delete"):
            assert Report.objects.filter(pk=ids["report"]).exists()
        if cell[0] in ("comment", "support", "flag", "moderation", "idea"):
            idea = Idea.objects.get(pk=ids["idea"])
            assert (idea.comments.count(), idea.supports.count(), idea.flags.count(), idea.answer) == (0, 0, 0, "")


def test_moderators_do_not_see_internal_concepts(db):
    concept = ConceptFactory(is_public=False)
    moderator = member(concept, "moderator")
    reviewer = member(concept, "reviewer")
    assert list(access.visible_concepts(moderator)) == []
    assert list(access.visible_concepts(reviewer)) == [concept]


def test_a_moderator_on_the_draft_concepts_page_is_told_what_they_can_do_not_404(db):
    """Walk 22 (Schwäbisch Gmünd): a moderator, listed on the team page as "Moderation", got "page
    does not exist" on the draft concept's page. They still do not see the plan of an internal
    concept; the page says so and leads to the moderation, which opens (decision 0077)."""
    concept = ConceptFactory(is_public=False)
    c = client_for(member(concept, "moderator"))
    r = c.get(f"/concepts/{concept.slug}/")
    page = r.content.decode()
    moderation = reverse("participation:moderation", args=[concept.slug])
    assert r.status_code == 403 and "Nur die Moderation" in page and f'href="{moderation}"' in page
    assert "noch nicht öffentlich" in page and "Seite nicht gefunden" not in page
    assert c.get(moderation).status_code == 200
    assert client_for(member(ConceptFactory(is_public=False), "moderator")).get(f"/concepts/{concept.slug}/").status_code == 404


def test_unknown_policy_pair_is_a_programming_error(db):
    concept = ConceptFactory()
    with pytest.raises(KeyError, match="concept.fly"):
        access.require(None, "concept", "fly", concept)
    # not a silent False: a misspelt cell would hide a button without anyone noticing
    with pytest.raises(KeyError, match="concept.fly"):
        access.allows(member(concept, "planner"), "concept", "fly", concept)


def _role_queries(queries) -> int:
    return sum('"concepts_conceptrole"' in q["sql"] and "user_id" in q["sql"] and "concept_id" in q["sql"]
               for q in queries)


def test_a_request_works_out_the_users_role_once(db, settings):
    """The view's declaration checks the cell; the service it calls checks again (for the API and
    commands) on the same concept object, without asking the database a second time."""
    settings.ISEK_REQUIRE_SECOND_FACTOR = False
    concept = ConceptFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(member(concept, "planner"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/concepts/{concept.slug}/kuf/freeze/", {"name": "Stand 1", "kind": "other", "note": ""})
    assert response.status_code == 302
    assert concept.finance_versions.filter(name="Stand 1").exists()
    assert _role_queries(queries.captured_queries) == 1


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_application_is_seen_by_the_district_only_once_submitted(policy_world, role):
    """The funding application's cell asked directly (its pages with a submitted application and a
    draft: tests/access/test_matrix.py): the city's people always; the staff of the district's
    funding authority only what the city has submitted, also of an internal concept; everyone else
    never (decision 0050)."""
    for public in (True, False):
        side = policy_world[public]
        user, concept = side["users"][role], side["concept"]
        rule = access.POLICY[("application", "view")].get(role)
        for submitted in (False, True):
            assert access.allows(user, "application", "view", concept, submitted=submitted) is (
                rule == YES or (rule == SUBMITTED and submitted)), (public, submitted)
    assert (access.POLICY[("application", "view")].get(role) == SUBMITTED) is (role is Role.AUTHORITY)
