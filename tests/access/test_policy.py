"""The access policy table, one case per cell: every (resource, action) is tried by every role
through a real request, on a public and on a non-public concept, and the answer must be what the
table says: allowed, or refused with the exact status (302 to the login for anonymous people on
pages that need an account, 404 where the concept may not even be seen, 403 otherwise)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from isek import access
from isek.access.policy import PUBLIC, YES, Role
from isek.concepts.models import Measure
from isek.finance.models import Fund
from isek.geodata.models import ReferenceLayer
from isek.monitoring.models import Report
from isek.participation import services as participation
from isek.participation.models import Idea, Status
from tests.factories import ConceptFactory, MeasureFactory, UserFactory, member

# (resource, action) → (method, URL under /concepts/<slug>/, needs an account)
REQUESTS = {
    ("concept", "view"): ("get", "", False),
    ("concept", "edit"): ("get", "edit/", True),
    ("concept", "export"): ("get", "export.geojson", False),
    ("concept", "history"): ("get", "changes/", True),
    ("measure", "view"): ("get", "measures/{measure}/", False),
    ("measure", "edit"): ("get", "measures/{measure}/edit/", True),
    ("measure", "delete"): ("post", "measures/{measure}/delete/", True),
    ("quarter", "edit"): ("get", "quarters/new/", True),
    ("structure", "edit"): ("get", "structure/", True),
    ("geodata", "import"): ("get", "import/", True),
    ("reference_layer", "view"): ("get", "layers/", False),
    ("reference_layer", "upload"): ("post", "layers/", False),
    ("reference_layer", "delete"): ("post", "layers/{layer}/delete/", True),
    ("basemap", "view"): ("get", "basemap/", False),
    ("readiness", "view"): ("get", "readiness/", True),
    ("member", "view"): ("get", "members/", True),
    ("member", "edit"): ("post", "members/", True),
    ("basemap", "build"): ("post", "basemap/", False),
    ("kuf", "view"): ("get", "kuf/", True),
    ("kuf", "export"): ("get", "kuf.xlsx", True),
    ("kuf", "edit"): ("get", "kuf/rates/", True),
    ("kuf", "freeze"): ("post", "kuf/freeze/", True),
    ("fund", "view"): ("get", "funds/", True),
    ("fund", "edit"): ("get", "funds/{fund}/applications/new/", True),
    ("analysis", "view"): ("get", "analysis/", True),
    ("analysis", "run"): ("post", "analysis/", True),
    ("dashboard", "view"): ("get", "dashboard/", True),
    ("indicator", "view"): ("get", "indicators/", True),
    ("indicator", "edit"): ("get", "indicators/new/", True),
    ("payment", "view"): ("get", "payments/", True),
    ("payment", "edit"): ("post", "payments/", True),
    ("report", "view"): ("get", "reports/", True),
    ("report", "create"): ("post", "reports/", True),
    ("report", "delete"): ("post", "reports/{report}/delete/", True),
    ("report_text", "edit"): ("get", "reports/texts/", True),
    ("participation", "view"): ("get", "participation/", False),
    ("phase", "edit"): ("get", "participation/phases/new/", True),
    ("idea", "create"): ("post", "participation/ideas/new/", False),
    ("comment", "create"): ("post", "participation/ideas/{idea}/comment/", False),
    ("support", "create"): ("post", "participation/ideas/{idea}/support/", False),
    ("flag", "create"): ("post", "participation/ideas/{idea}/flag/", False),
    ("moderation", "view"): ("get", "moderation/", True),
    ("moderation", "decide"): ("post", "participation/ideas/{idea}/answer/", False),
    ("idea", "link"): ("post", "participation/ideas/{idea}/link/", True),
    ("participation", "statistics"): ("get", "participation/statistics/", True),
    ("participation", "export"): ("get", "participation/export.csv", True),
}

CASES = [(cell, role, public) for cell in access.ACTIONS for role in Role
         for public in (True, False) if public or any(rule == PUBLIC for rule in access.POLICY[cell].values())]


def test_every_cell_has_a_request():
    assert set(REQUESTS) == set(access.POLICY)


def _published_idea(concept):
    """A published idea in an open phase; on an internal concept as if it was made internal after
    the phase was opened (an internal concept gets no open phase: participation.services.save_phase)."""
    now = timezone.now()
    public, concept.is_public = concept.is_public, True
    concept.save()
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
    return member(concept, role.value)


@pytest.mark.parametrize("cell, role, public", CASES, ids=lambda v: ".".join(v) if isinstance(v, tuple) else str(v))
def test_policy_cell(db, cell, role, public):
    concept = ConceptFactory(is_public=public)
    measure = MeasureFactory(concept=concept)
    ids = {
        "measure": measure.pk,
        "layer": ReferenceLayer.objects.create(city=concept.city, name="schulen", label_de="Schulen", kind="point",
                                               licence="CC0-1.0", attribution="Test", path="none.geojson", sha256="").pk,
        "fund": Fund.objects.create(concept=concept, kind="disposition", name="Verfügungsfonds", budget=10000).pk,
        "report": Report.objects.create(concept=concept, kind="isek").pk,
        "idea": _published_idea(concept).pk,
    }
    user = _user(role, concept)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    if user is not None:
        client.force_login(user)
    method, url, needs_account = REQUESTS[cell]
    response = getattr(client, method)(f"/concepts/{concept.slug}/" + url.format(**ids))

    rule = access.POLICY[cell].get(role)
    allowed = rule == YES or (rule == PUBLIC and public)
    assert access.allows(user, *cell, concept) is allowed
    if allowed:
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
    else:
        if role is Role.ANONYMOUS and needs_account:
            expected = 302
        elif not access.allows(user, "concept", "view", concept):
            expected = 404
        else:
            expected = 403
        assert response.status_code == expected
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/")
        if cell == ("measure", "delete"):
            assert Measure.objects.filter(pk=measure.pk).exists()
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


def test_unknown_policy_pair_is_a_programming_error(db):
    concept = ConceptFactory()
    with pytest.raises(KeyError):
        access.require(None, "concept", "fly", concept)
    assert access.allows(None, "concept", "fly", concept) is False
