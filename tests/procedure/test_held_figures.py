"""What the funding procedure holds stays (issue #23, a stranger's Speyer walk, decision 0095): a
measure with approved lines and paid expenses of a payment request is not deleted – by the service,
the page or through anything else that goes through it – and an amending approval does not cut a
line below what was released. Refusals say why and the way out, and change nothing."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from isek.concepts import services as concepts
from isek.concepts.models import Measure
from isek.procedure import services
from tests.conftest import client_for
from tests.dbstate import checksum


def _released(paid):
    """Measure 1.1's first two payments (2027) in payment request Nr. 1, submitted and released."""
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    request = services.draft_request(planner, concept, app, payments=paid["payments"][:2])
    services.submit_request(planner, concept, request)
    services.release(staff, concept, request)
    return request


def test_a_measure_the_procedure_holds_is_not_deleted_by_the_service_nor_the_page(paid):
    concept, planner = paid["concept"], paid["planner"]
    _released(paid)
    measure = concept.measures.get(number="1.1")
    city = client_for(planner)  # signed in before the first checksum (a sign-in records itself)
    before = checksum()
    with pytest.raises(ValidationError) as caught:
        concepts.delete_measure(planner, concept, measure)
    assert checksum() == before
    assert caught.value.code == "held"
    text = caught.value.messages[0]
    assert text.startswith(f"Die Maßnahme 1.1 „{measure.title}“ kann nicht gelöscht werden: ")
    assert "bewilligt im Zuwendungsbescheid 34.1-2027/07 vom " in text
    assert "ihre Auszahlungen sind Teil von Mittelabruf Nr. 1 (Antrag 2027, Version 1, „freigegeben“)" in text
    assert "ihren Status auf „entfallen“" in text
    # the page: back to the measure's form with the reason, nothing deleted
    response = city.post(f"/concepts/{concept.slug}/measures/{measure.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"/concepts/{concept.slug}/measures/{measure.pk}/edit/"
    page = response.content.decode()
    assert "kann nicht gelöscht werden" in page and "Mittelabruf Nr. 1" in page and "wurde gelöscht" not in page
    assert checksum() == before
    # the API still reads the approved lines and the paid expenses of the measure
    kuf = city.get(f"/api/v1/concepts/{concept.slug}/kuf/").json()
    assert {(f["year"], f["source"]) for f in kuf["financing"] if f["measure"] == "1.1" and f["status"] == "approved"} >= {
        (2027, "bund"), (2027, "land")}
    payments = city.get(f"/api/v1/concepts/{concept.slug}/payments/").json()["results"]
    assert sum(D(p["amount"]) for p in payments if p["measure"] == "1.1" and p["year"] == 2027) == D("52345.67")
    # cancelled already: the message says so rather than asking for it
    measure.status = Measure.Status.CANCELLED
    concepts.save_measure(planner, concept, measure)
    with pytest.raises(ValidationError) as caught:
        concepts.delete_measure(planner, concept, measure)
    assert "Sie ist bereits „entfallen“" in caught.value.messages[0]
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_an_approved_measure_without_payments_is_held_by_the_approval_alone_and_a_free_one_goes(paid):
    concept, planner = paid["concept"], paid["planner"]
    approved = concept.measures.exclude(number="1.1").filter(financing__status="approved").first()
    with pytest.raises(ValidationError) as caught:
        concepts.delete_measure(planner, concept, approved)
    assert "bewilligt im Zuwendungsbescheid 34.1-2027/07" in caught.value.messages[0]
    assert "Mittelabruf" not in caught.value.messages[0]
    free = concepts.save_measure(planner, concept, Measure(number="9.9", title="Neu", primary_field=approved.primary_field))
    assert concepts.delete_measure(planner, concept, free) == "9.9"
    assert not Measure.objects.filter(pk=free.pk).exists()
