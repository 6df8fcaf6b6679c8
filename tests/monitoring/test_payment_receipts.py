"""A paid expense with the Belegliste's columns (decision 0082): the date it was paid, the payee
and the receipt number – optional, checked (the date within the payment's year and not ahead),
trimmed, on the payments page and through the API; bad input is refused with a message and
changes nothing."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from isek import access
from isek.concepts.models import Measure
from isek.monitoring import services as monitoring
from isek.monitoring.models import Payment
from tests.api.test_api_v1 import bearer
from tests.dbstate import checksum

SLUG = "bochum-innenstadt"
URL = f"/concepts/{SLUG}/payments/"


def test_a_payment_is_recorded_with_date_payee_and_receipt_and_listed(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="1.1")
    r = planner_client.post(URL, {"measure": m.pk, "year": 2025, "amount": "1.234,56", "note": " Pflasterarbeiten ",
                                  "paid_on": "2025-03-14", "payee": "  Tiefbau Muster GmbH ", "receipt": " RE-2025-0042 "})
    assert r.status_code == 302, r.content.decode()[-3000:]
    stored = Payment.objects.get(measure=m, year=2025, amount=D("1234.56"))
    assert (stored.paid_on, stored.payee, stored.receipt, stored.note) == (
        datetime.date(2025, 3, 14), "Tiefbau Muster GmbH", "RE-2025-0042", "Pflasterarbeiten")
    # one without them: blank, as every payment recorded before them
    assert planner_client.post(URL, {"measure": m.pk, "year": 2025, "amount": "10"}).status_code == 302
    bare = Payment.objects.get(measure=m, year=2025, amount=D("10"))
    assert (bare.paid_on, bare.payee, bare.receipt) == (None, "", "")
    page = planner_client.get(URL).content.decode()
    row = page.split(f'data-payment="{stored.pk}"')[1].split("</tr>")[0]
    assert ('data-field="paid_on">14.03.2025<' in row and 'data-field="payee">Tiefbau Muster GmbH<' in row
            and 'data-field="receipt">RE-2025-0042<' in row and "1.234,56" in row)
    empty = page.split(f'data-payment="{bare.pk}"')[1].split("</tr>")[0]
    assert 'data-field="paid_on">–<' in empty and 'data-field="receipt">–<' in empty
    assert 'name="paid_on"' in page and 'type="date"' in page and 'name="receipt"' in page


@pytest.mark.parametrize("values, field, message", [
    ({"paid_on": "2024-12-31"}, "paid_on", "Das Datum der Zahlung (31.12.2024) liegt nicht im Jahr der Auszahlung (2025)."),
    ({"paid_on": "2025-02-30"}, "paid_on", "Bitte ein gültiges Datum eingeben."),
    ({"receipt": "R" * 61}, "receipt", "höchstens 60 Zeichen"),
    ({"payee": "P" * 201}, "payee", "höchstens 200 Zeichen"),
])
def test_bad_receipt_data_is_refused_with_a_message_and_changes_nothing(planner_client, bochum, values, field, message):
    m = Measure.objects.get(concept=bochum, number="1.1")
    before = checksum()
    r = planner_client.post(URL, {"measure": m.pk, "year": 2025, "amount": "10", **values})
    text = r.content.decode()
    assert r.status_code == 400 and "Es wurde nichts gespeichert." in text
    assert message in text and f'id="id_{field}"' in text
    assert checksum() == before


def test_the_service_refuses_a_date_ahead_or_outside_the_year_in_german_and_english(bochum, users):
    m = Measure.objects.get(concept=bochum, number="1.1")
    op, day = access.Operator("test"), datetime.date(2025, 6, 1)
    before = checksum()
    for paid_on, words in ((datetime.date(2025, 6, 2), "liegt in der Zukunft"),
                           (datetime.date(2024, 6, 1), "liegt nicht im Jahr der Auszahlung (2025)")):
        with pytest.raises(ValidationError) as refused:
            monitoring.save_payment(op, bochum, Payment(measure=m, year=2025, amount=D("1"), paid_on=paid_on), today=day)
        assert words in refused.value.message_dict["paid_on"][0]
    with pytest.raises(ValidationError) as refused:  # texts trimmed before they are measured
        monitoring.save_payment(op, bochum, Payment(measure=m, year=2025, amount=D("1"), receipt=" " + "R" * 61), today=day)
    assert "Höchstens 60 Zeichen (hier 61)." in refused.value.message_dict["receipt"]
    assert checksum() == before
    with translation.override("en"):
        assert monitoring.paid_on_refusal(datetime.date(2024, 6, 1), 2025, day) == (
            "The date of payment (1 Jun 2024) does not lie in the payment's year (2025). Please correct the year or "
            "the date.")
        assert monitoring.paid_on_refusal(datetime.date(2025, 6, 2), 2025, day) == (
            "The date of payment (2 Jun 2025) is in the future; only expenses already paid are recorded.")
    kept = monitoring.save_payment(op, bochum, Payment(measure=m, year=2025, amount=D("1"), paid_on=day,
                                                       payee=" Stadtwerke ", receipt="B-1 "), today=day)
    assert (kept.payee, kept.receipt, kept.paid_on) == ("Stadtwerke", "B-1", day)


def test_the_api_reads_and_writes_date_payee_and_receipt(users, bochum):
    api = bearer(users["planner"])
    base = f"/api/v1/concepts/{SLUG}/payments/"
    body = {"measure": "2.1", "year": 2025, "amount": "1250.50", "paid_on": "2025-05-02", "payee": " Büro Plan ",
            "receipt": "RE 17"}
    r = api.post(base, json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    assert {k: r.json()[k] for k in ("paid_on", "payee", "receipt")} == {
        "paid_on": "2025-05-02", "payee": "Büro Plan", "receipt": "RE 17"}
    listed = [x for x in api.get(base + "?limit=1000").json()["results"] if x["id"] == r.json()["id"]]
    assert listed and listed[0]["paid_on"] == "2025-05-02" and listed[0]["receipt"] == "RE 17"
    before = _payments()
    for wrong, field in (({"paid_on": "2026-01-01"}, "paid_on"), ({"paid_on": "bald"}, "paid_on"),
                         ({"receipt": "R" * 61}, "receipt")):
        r = api.post(base, json.dumps({**body, **wrong}), content_type="application/json")
        assert r.status_code == 400 and field in r.json()["errors"], r.content
    assert _payments() == before


def _payments() -> tuple:
    from isek.core.models import ChangeRecord

    return list(Payment.objects.order_by("pk").values_list()), ChangeRecord.objects.count()


def test_the_demos_receipt_data_is_illustrative_and_labelled_so(bochum):
    """The demo's expenses carry dates and receipt numbers only as illustrative figures, labelled so
    as every approximated figure of the demo (decision 0082); the payee stays blank."""
    demo = list(Payment.objects.filter(measure__concept=bochum))
    assert demo and all(p.paid_on for p in demo)
    for p in demo:
        assert p.illustrative and "(illustrativ)" in p.receipt and p.paid_on.year == p.year and not p.payee
        assert not monitoring.paid_on_refusal(p.paid_on, p.year, datetime.date(p.year, 12, 31))
    assert len({p.receipt for p in demo}) == len(demo)  # numbered through per year


def test_the_receipt_data_of_a_recorded_payment_is_filled_in_later(planner_client, reviewer_client, bochum):
    m = Measure.objects.get(concept=bochum, number="1.1")
    assert planner_client.post(URL, {"measure": m.pk, "year": 2025, "amount": "77,70"}).status_code == 302
    payment = Payment.objects.get(measure=m, year=2025, amount=D("77.70"))
    page = planner_client.get(f"{URL}?receipt={payment.pk}").content.decode()
    assert 'id="receipt-form"' in page and "Belegangaben der Auszahlung 1.1 · 2025 · 77,70 €" in page
    assert 'id="receipt-form"' not in reviewer_client.get(f"{URL}?receipt={payment.pk}").content.decode()
    before = _payments()
    bad = planner_client.post(URL, {"receipt_for": payment.pk, "r-paid_on": "2026-01-02", "r-receipt": "RE 5"})
    assert bad.status_code == 400 and "liegt nicht im Jahr der Auszahlung (2025)" in bad.content.decode()
    assert _payments() == before
    assert reviewer_client.post(URL, {"receipt_for": payment.pk, "r-receipt": "RE 5"}).status_code == 403
    assert _payments() == before
    r = planner_client.post(URL, {"receipt_for": payment.pk, "r-paid_on": "2025-12-01", "r-payee": " Firma X ",
                                  "r-receipt": "RE 5", "amount": "1"})  # only the receipt data, never the amount
    assert r.status_code == 302
    payment.refresh_from_db()
    assert (payment.paid_on, payment.payee, payment.receipt, payment.amount) == (
        datetime.date(2025, 12, 1), "Firma X", "RE 5", D("77.70"))
    from isek.core.models import ChangeRecord

    assert ChangeRecord.objects.filter(model="monitoring.Payment", object_id=str(payment.pk)).latest("id").changes[
        "receipt"] == ["", "RE 5"]
