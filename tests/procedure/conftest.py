"""The shared world of the review and the approval (tests/procedure/test_review.py, test_approval.py)."""

import datetime

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
    staff = authority_staff("146", name="Landesdirektion Sachsen")  # before the submission (decision 0085)
    app = submit(planner, concept)
    return {"concept": concept.pk, "planner": planner.pk, "app": app.pk, "authority": staff.pk,
            "authority_b": authority_staff("059", name="Bezirksregierung Arnsberg").pk}


@pytest.fixture
def review_world(db) -> dict:
    """The review world's ids, shared by consecutive tests (the fixture's name is the world's)."""
    return _SHARED.value_for("review_world") or _load()


@pytest.fixture
def world(review_world):
    from django.contrib.auth import get_user_model

    from isek.concepts.models import Concept

    ids = review_world
    users = get_user_model().objects
    return {"concept": Concept.objects.select_related("city").get(pk=ids["concept"]),
            "planner": users.get(pk=ids["planner"]), "app": Application.objects.get(pk=ids["app"]),
            "authority": users.get(pk=ids["authority"]), "authority_b": users.get(pk=ids["authority_b"])}


LATER = datetime.date(2028, 12, 31)  # the payments world's day: its expenses of 2027 and 2028 are paid
FINAL = datetime.date(2031, 1, 15)  # past every year the concept (2026–2030) can approve: a final proof (0085)


@shared_world("payment_world")
def _load_payments() -> dict:
    """The review world's application, reviewed and approved as requested (Landesdirektion
    Sachsen), and four payments of its measure 1.1: three in years the approval grants money for
    (2027 twice, 2028), one in a year it does not (2026)."""
    from django.contrib.auth import get_user_model

    from isek import access
    from isek.concepts.models import Concept
    from isek.monitoring import services as monitoring
    from isek.procedure import services

    ids = _load()
    concept = Concept.objects.get(pk=ids["concept"])
    staff = get_user_model().objects.get(pk=ids["authority"])
    app = Application.objects.get(pk=ids["app"])
    services.start_review(staff, concept, app)
    services.approve(staff, concept, app, decided_on=app.submitted_at.date(), file_number="34.1-2027/07")
    measure = concept.measures.get(number="1.1")
    op = access.Operator("test")
    payments = [monitoring.save_payment(op, concept, monitoring.Payment(measure=measure, year=year, amount=amount, note=note),
                                         today=LATER)
                for year, amount, note in ((2027, "40000.00", "Rechnung Tiefbau 1"), (2027, "12345.67", "Rechnung 2"),
                                           (2028, "10000.00", "Abschlag"), (2026, "500.00", "Planung vorab"))]
    return {**ids, "payments": [p.pk for p in payments]}


@pytest.fixture
def payment_world(db) -> dict:
    """The payment world's ids, shared by consecutive tests (the fixture's name is the world's)."""
    return _SHARED.value_for("payment_world") or _load_payments()


@pytest.fixture
def paid(payment_world):
    """The payment world: as ``world``, with the approved application and the payments' ids."""
    from django.contrib.auth import get_user_model

    from isek.concepts.models import Concept

    ids = payment_world
    users = get_user_model().objects
    return {"concept": Concept.objects.select_related("city").get(pk=ids["concept"]),
            "planner": users.get(pk=ids["planner"]), "app": Application.objects.get(pk=ids["app"]),
            "authority": users.get(pk=ids["authority"]), "authority_b": users.get(pk=ids["authority_b"]),
            "payments": ids["payments"]}
