"""The shared world of the review and the approval (tests/procedure/test_review.py, test_approval.py)."""

import pytest

from isek.procedure.models import Application
from tests.conftest import _SHARED, make_new_city, shared_world
from tests.factories import authority_staff
from tests.procedure import submit


@shared_world("review_world")
def _load() -> dict:
    """Hoyerswerda's five-measure concept with its application for 2027 submitted, the staff of its
    district's funding authority (Sachsen, 146) and of another district's (Arnsberg, 059)."""
    concept = make_new_city()
    planner = concept.roles.get(user__username="planer-neu").user
    app = submit(planner, concept)
    return {"concept": concept.pk, "planner": planner.pk, "app": app.pk,
            "authority": authority_staff("146", name="Landesdirektion Sachsen").pk,
            "authority_b": authority_staff("059", name="Bezirksregierung Arnsberg").pk}


@pytest.fixture
def world(db):
    from django.contrib.auth import get_user_model

    from isek.concepts.models import Concept

    ids = _SHARED.value_for("review_world") or _load()
    users = get_user_model().objects
    return {"concept": Concept.objects.select_related("city").get(pk=ids["concept"]),
            "planner": users.get(pk=ids["planner"]), "app": Application.objects.get(pk=ids["app"]),
            "authority": users.get(pk=ids["authority"]), "authority_b": users.get(pk=ids["authority_b"])}
