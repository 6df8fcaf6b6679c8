"""The expenses as a Belegliste (decision 0082): a payment request lists the expenses it cites with
laufende Nummer, date of payment, payee, purpose, receipt number and amount; the proof of use's
numerical proof does so per measure and year – page (the authority's check too), Excel and PDF –
with its sums unchanged; a submitted proof keeps its Belegliste, an older one without it still
shows; a submitted request keeps the receipt data the authority received."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from isek import access
from isek.monitoring import services as monitoring
from isek.monitoring.models import Payment
from isek.procedure import services
from isek.procedure.models import ProofSubmission
from tests.conftest import client_for
from tests.procedure.conftest import LATER
from tests.procedure.test_payments import _pdf_text

RECEIPTS = {  # the payment world's payments of measure 1.1 (index): date, payee, receipt number
    0: (datetime.date(2027, 5, 10), "Tiefbau Muster GmbH", "RE-2027-001"),  # 40.000,00 € "Rechnung Tiefbau 1"
    1: (datetime.date(2027, 3, 1), "Ingenieurbüro Beispiel", "RE-2027-002"),  # 12.345,67 € "Rechnung 2"
}  # 2: 10.000,00 € in 2028 without them


def _with_receipts(paid) -> list[Payment]:
    op = access.Operator("test")
    payments = [Payment.objects.get(pk=pk) for pk in paid["payments"]]
    for i, (day, payee, receipt) in RECEIPTS.items():
        payments[i].paid_on, payments[i].payee, payments[i].receipt = day, payee, receipt
        monitoring.save_payment(op, paid["concept"], payments[i], today=LATER)
    return payments


def _rows(html: str, table: str) -> list[list[str]]:
    """The cells' texts of the body rows of the table ``table`` (id) of a page, tags dropped."""
    import re

    body = html.split(f'id="{table}"')[1].split("</table>")[0].split("</thead>")[1].split("<tfoot>")[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def test_the_payment_request_lists_its_expenses_as_a_belegliste(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    payments = _with_receipts(paid)
    # the form offering the payments names them with their receipt data
    form = client_for(planner).get(f"/concepts/{concept.slug}/applications/{app.pk}/payments/new/").content.decode()
    assert "40.000,00 € – Rechnung Tiefbau 1 (10.05.2027, Tiefbau Muster GmbH, Beleg RE-2027-001)" in form
    assert "10.000,00 € – Abschlag<" in form  # none given: nothing added
    request = services.submit_new_request(planner, concept, app, payments=paid["payments"][:2], via="web")
    shown = services.request_shown(concept, request)
    assert [(i["no"], i["paid_on"], i["payee"], i["note"], i["receipt"], i["amount"]) for i in shown["items"]] == [
        (n, p.paid_on, p.payee, p.note, p.receipt, p.amount) for n, p in enumerate(payments[:2], start=1)]
    page = client_for(staff).get(f"/concepts/{concept.slug}/applications/{app.pk}/payments/{request.number}/")
    rows = _rows(page.content.decode(), "request-items")
    assert rows == [["1", "1.1 " + concept.measures.get(number="1.1").title, "2027", "10.05.2027", "Tiefbau Muster GmbH",
                     "Rechnung Tiefbau 1", "RE-2027-001", "40.000,00"],
                    ["2", rows[1][1], "2027", "01.03.2027", "Ingenieurbüro Beispiel", "Rechnung 2", "RE-2027-002",
                     "12.345,67"]]
    assert "52.345,67" in page.content.decode().split('id="request-items"')[1].split("<tfoot>")[1].split("</tfoot>")[0]
    from tests.procedure.test_api import bearer

    url = f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/payment-requests/{request.number}/"
    items = bearer(staff).get(url).json()["items"]
    assert [(x["paid_on"], x["payee"], x["receipt"], x["note"], x["amount"]) for x in items] == [
        ("2027-05-10", "Tiefbau Muster GmbH", "RE-2027-001", "Rechnung Tiefbau 1", "40000.00"),
        ("2027-03-01", "Ingenieurbüro Beispiel", "RE-2027-002", "Rechnung 2", "12345.67")]


def test_a_submitted_request_keeps_the_receipt_data_the_authority_received(paid):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    op = access.Operator("test")
    payment = Payment.objects.get(pk=paid["payments"][0])
    payment.receipt = "RE-1"
    monitoring.save_payment(op, concept, payment, today=LATER)
    draft = services.draft_request(planner, concept, app, payments=[payment.pk])
    payment.receipt = "RE-1a"  # a draft reads them as they are now
    monitoring.save_payment(op, concept, payment, today=LATER)
    assert services.request_shown(concept, draft)["items"][0]["receipt"] == "RE-1a"
    services.submit_request(planner, concept, draft)
    before = list(Payment.objects.filter(pk=payment.pk).values_list())
    changed = Payment.objects.get(pk=payment.pk)
    changed.receipt = "RE-99"
    with pytest.raises(ValidationError) as refused:
        monitoring.save_payment(op, concept, changed, today=LATER)
    assert "Fehlende Angaben lassen sich ergänzen, gegebene nicht ändern" in " ".join(refused.value.messages)
    assert list(Payment.objects.filter(pk=payment.pk).values_list()) == before
    page = client_for(planner).post(f"/concepts/{concept.slug}/payments/", {  # the payments page says so too
        "receipt_for": payment.pk, "r-receipt": "RE-99", "r-payee": "", "r-paid_on": ""})
    assert page.status_code == 400 and "gegebene nicht ändern" in page.content.decode()
    assert list(Payment.objects.filter(pk=payment.pk).values_list()) == before
    filled = Payment.objects.get(pk=payment.pk)
    filled.payee = "Tiefbau Muster GmbH"  # blank so far: filled in – today too, before the payment's year 2027
    monitoring.save_payment(op, concept, filled)
    filled.paid_on = datetime.date(2027, 5, 10)
    monitoring.save_payment(op, concept, filled, today=LATER)
    services.release(staff, concept, draft)
    item = services.request_shown(concept, draft)["items"][0]
    assert (item["receipt"], item["payee"], item["paid_on"]) == ("RE-1a", "Tiefbau Muster GmbH", datetime.date(2027, 5, 10))


def test_the_proof_of_use_is_a_belegliste_on_page_xlsx_and_pdf_with_its_sums_unchanged(paid, tmp_path):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    payments = _with_receipts(paid)
    services.release(staff, concept, services.submit_new_request(planner, concept, app, payments=paid["payments"][:2]))
    proof = services.proof_of_use(concept, app)
    # numbered through, per measure and year, by date within them (none last); 2026 is before the approval
    expected = [(1, payments[1]), (2, payments[0]), (3, payments[2])]
    assert [(r["no"], r["payment"], r["paid_on"], r["payee"], r["receipt"], r["note"], r["amount"])
            for r in proof["receipts"]] == [(n, p.pk, p.paid_on, p.payee, p.receipt, p.note, p.amount) for n, p in expected]
    for row in proof["expenses"]:  # each expense line is the sum of its receipts
        assert sum((r["amount"] for r in row["receipts"]), D(0)) == row["expenses"]
    assert proof["receipts_total"] == proof["expenses_total"]["expenses"] == D("62345.67")
    html = client_for(staff).get(f"/concepts/{concept.slug}/applications/{app.pk}/proof/").content.decode()
    rows = _rows(html, "proof-receipts")
    label = "1.1 " + concept.measures.get(number="1.1").title
    assert [r[:8] for r in rows if r[0].isdigit()] == [
        ["1", label, "2027", "01.03.2027", "Ingenieurbüro Beispiel", "Rechnung 2", "RE-2027-002", "12.345,67"],
        ["2", label, "2027", "10.05.2027", "Tiefbau Muster GmbH", "Rechnung Tiefbau 1", "RE-2027-001", "40.000,00"],
        ["3", label, "2028", "–", "–", "Abschlag", "–", "10.000,00"]]
    subtotals = [r for r in rows if r[0].startswith("Summe")]
    assert [r[1] for r in subtotals] == ["52.345,67", "10.000,00"]  # to the cent, as a Belegliste
    key = f"{payments[0].measure_id}-2027"
    assert f'href="#line-{key}"' in html.split('id="proof-receipts"')[1] and "zur Prüfung der Zeile" in html
    assert f'href="#receipts-{key}"' in html.split('id="proof-expenses"')[1].split("</table>")[0]
    assert "62.345,67" in html.split('id="proof-receipts-total"')[1][:60]
    from tests.procedure.test_api import bearer

    api = bearer(staff).get(f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/proof/").json()
    assert [(x["no"], x["line"], x["paid_on"], x["payee"], x["note"], x["receipt"], x["amount"]) for x in api["receipts"]] == [
        (n, f"{p.measure_id}-{p.year}", p.paid_on and p.paid_on.isoformat(), p.payee, p.note, p.receipt, str(p.amount))
        for n, p in expected]
    # Excel: the sheet "Belegliste", its sum the sheet "Ausgaben"'s
    response = client_for(staff).get(f"/concepts/{concept.slug}/applications/{app.pk}/proof.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
    sheet = list(book["Belegliste"].iter_rows(min_row=5, values_only=True))
    assert [(r[0], r[1], r[3], r[4].date() if r[4] else None, r[5], r[6], r[7], D(str(r[8])).quantize(D("0.01")))
            for r in sheet[:-1]] == [(n, "1.1", p.year, p.paid_on, p.payee or None, p.note, p.receipt or None, p.amount)
                                     for n, p in expected]
    assert sheet[-1][0] == "Summe" and D(str(sheet[-1][8])).quantize(D("0.01")) == D("62345.67")
    # the PDF: the same lines in its text
    pdf = client_for(planner).get(f"/concepts/{concept.slug}/applications/{app.pk}/proof.pdf")
    text = " ".join(_pdf_text(pdf.content, tmp_path).split())
    assert "Belegliste" in text and "01.03.2027 Ingenieurbüro Beispiel Rechnung 2 RE-2027-002 12.345,67" in text
    assert "10.05.2027 Tiefbau Muster GmbH Rechnung Tiefbau 1 RE-2027-001 40.000,00" in text


def test_a_submitted_proof_keeps_its_belegliste_and_an_older_one_without_still_shows(paid, tmp_path):
    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    payments = _with_receipts(paid)
    services.release(staff, concept, services.submit_new_request(planner, concept, app, payments=paid["payments"][:2]))
    submission = services.submit_proof(planner, concept, app, report="Der Platz ist fertig.", confirmed=True)
    kept = submission.snapshot["receipts"]
    assert [(r["no"], r["paid_on"], r["payee"], r["receipt"], r["amount"]) for r in kept] == [
        (1, "2027-03-01", "Ingenieurbüro Beispiel", "RE-2027-002", "12345.67"),
        (2, "2027-05-10", "Tiefbau Muster GmbH", "RE-2027-001", "40000.00"), (3, "", "", "", "10000.00")]
    late = payments[2]  # filled in after the submission: the submitted proof shows what it kept
    late.paid_on, late.receipt = datetime.date(2028, 2, 2), "RE-2028-009"
    monitoring.save_payment(access.Operator("test"), concept, late, today=LATER)
    proof = services.proof_of_use(concept, app)
    assert proof["frozen"] == submission and [r["receipt"] for r in proof["receipts"]] == ["RE-2027-002", "RE-2027-001", ""]
    assert proof["receipts_total"] == D(submission.snapshot["expenses_total"]["expenses"])
    url = f"/concepts/{concept.slug}/applications/{app.pk}/proof/"
    html = client_for(staff).get(url).content.decode()
    assert "RE-2028-009" not in html and "RE-2027-002" in html.split('id="proof-receipts"')[1]
    # a proof submitted before decision 0082 kept no Belegliste: its figures stand, the page says so
    old = {k: v for k, v in submission.snapshot.items() if k != "receipts"}
    ProofSubmission.objects.filter(pk=submission.pk).update(snapshot=old)
    proof = services.proof_of_use(concept, app)
    assert proof["receipts"] is None and all(r["receipts"] == [] for r in proof["expenses"])
    assert {w: str(v) for w, v in proof["expenses_total"].items()} == old["expenses_total"]
    response = client_for(staff).get(url)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="proof-receipts-none"' in html and 'id="proof-receipts"' not in html
    assert "enthält keine Belegliste" in html
    from tests.procedure.test_api import bearer

    assert bearer(staff).get(f"/api/v1/concepts/{concept.slug}/applications/{app.pk}/proof/").json()["receipts"] is None
    assert client_for(staff).get(url.replace("proof/", "proof.xlsx")).status_code == 200
    pdf = client_for(staff).get(url.replace("proof/", "proof.pdf"))
    assert "enthält keine Belegliste" in " ".join(_pdf_text(pdf.content, tmp_path).split())
    english = client_for(staff)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "holds no list of receipts" in english.get(url).content.decode()
    data = json.loads(json.dumps(submission.snapshot))  # the snapshot is plain JSON
    assert data["receipts"][0]["amount"] == "12345.67"


def test_a_payment_in_the_belegliste_of_a_submitted_proof_is_not_deleted_until_the_proof_is_returned(paid):
    """Walk of Landshut: a receipt cited by no payment request (its request refused) but listed in the
    submitted proof of use – with an open query on its line – was deleted; the authority then accepted
    a proof with a receipt that no longer existed."""
    from tests.dbstate import checksum

    concept, app, planner, staff = paid["concept"], paid["app"], paid["planner"], paid["authority"]
    services.release(staff, concept, services.submit_new_request(planner, concept, app, payments=paid["payments"][:2]))
    services.submit_proof(planner, concept, app, report="Der Platz ist fertig.", confirmed=True)
    listed = paid["payments"][2]  # 2028, in the Belegliste, in no payment request
    assert any(r["payment"] == listed for r in ProofSubmission.objects.get(application=app).snapshot["receipts"])
    city = client_for(planner)
    before = checksum()
    with pytest.raises(ValidationError, match="Belegliste des Verwendungsnachweises"):
        monitoring.delete_payment(planner, concept, listed)
    page = city.post(f"/concepts/{concept.slug}/payments/", {"delete": listed, "confirmed": "1"}, follow=True)
    assert "Belegliste des Verwendungsnachweises" in page.content.decode() and checksum() == before
    # walk 23d: the row says so instead of offering "löschen", refused only after "Ja, löschen"
    rows = city.get(f"/concepts/{concept.slug}/payments/").content.decode()
    assert f'data-cited="{listed}">In der Belegliste des Verwendungsnachweises (Antrag 2027, Version 1, ' in rows
    changed = Payment.objects.get(pk=listed)
    changed.amount = D("9999.00")
    with pytest.raises(ValidationError, match="Belegliste des Verwendungsnachweises"):
        monitoring.save_payment(access.Operator("test"), concept, changed, today=LATER)
    assert checksum() == before
    services.return_proof(staff, concept, app, reason="Bitte die Rechnung 2028 prüfen.")
    assert monitoring.delete_payment(planner, concept, listed)
    assert not Payment.objects.filter(pk=listed).exists()
