"""Amounts as numbers, not as text (decision 0104): a recorded payment of 0,00 € (from before decision
0095) whose amount comes back as "0" is not a changed amount; the change history keeps the amounts of
the names it records neutrally and writes them in the reader's language, not the editor's."""

from __future__ import annotations

from decimal import Decimal as D

from django.utils import translation

from isek import access
from isek.concepts.models import Measure
from isek.core import audit
from isek.core.models import ChangeRecord
from isek.monitoring import services as monitoring
from isek.monitoring.models import Payment


def test_a_recorded_amount_sent_back_as_0_is_no_change_and_asks_nothing(bochum):
    measure = Measure.objects.get(concept=bochum, number="2.1")
    kept = Payment.objects.create(measure=measure, year=2021, amount=D("0.00"), note="vor der Regel erfasst")
    kept.amount, kept.note = D("0"), "nur die Anmerkung"  # as a form reads "0"
    monitoring.save_payment(access.Operator("test"), bochum, kept)
    kept.refresh_from_db()
    assert kept.note == "nur die Anmerkung" and kept.amount == 0
    kept.amount = "0.000"  # nor as text
    monitoring.save_payment(access.Operator("test"), bochum, kept)


def test_the_change_history_writes_recorded_amounts_in_the_readers_language(users, bochum):
    measure = Measure.objects.get(concept=bochum, number="2.1")
    with translation.override("en"):  # an English-speaking editor records and deletes a payment
        paid = monitoring.save_payment(users["planner"], bochum, Payment(measure=measure, year=2021, amount=D("20000")))
        monitoring.delete_payment(users["planner"], bochum, paid.pk)
    records = ChangeRecord.objects.filter(model="monitoring.Payment", object_id=str(paid.pk)).order_by("id")
    assert [r.action for r in records] == ["create", "delete"]
    for language, shown in (("de", "2.1 2021: 20.000,00 €"), ("en", "2.1 2021: 20,000.00 €")):
        with translation.override(language):
            assert [item["object"] for item in audit.readable(records)] == [shown, shown]
            assert str(records[0]).endswith(shown)
    with translation.override("de"):
        page = _planner_changes(users, bochum)
    assert "2.1 2021: 20.000,00 €" in page and "20,000.00" not in page


def _planner_changes(users, bochum) -> str:
    from tests.conftest import client_for

    return client_for(users["planner"]).get(f"/concepts/{bochum.slug}/changes/").content.decode()
