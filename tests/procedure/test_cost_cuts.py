"""Cost rows under a Bescheid with called-off money (issue #23, walk of Landshut, decision 0104): the
KuF page of a measure deleted or cut the eligible cost of an approved year far below the approval, and
below what a released payment request had paid out, with only "gespeichert". Below what was called off
is refused – page, service and API alike, naming the payment requests and amounts, nothing saved;
below the approval only after a confirmation naming the Bescheid, and the KuF then shows the difference."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from isek.finance import services as finance
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.finance.test_concurrent_saves import _tab
from tests.finance.test_kuf_pages import _measure_post
from tests.procedure.test_held_figures import _released

CALLED = "Mittelabruf Nr. 1 (Antrag 2027, Version 1, „freigegeben“): 31.407,40 €"


def _page(paid):
    """Measure 1.1 (2027: 100.000 € eligible at 60 %, approved 60.000 €, 31.407,40 € released), its
    KuF page's URL, the planner's client and the form as the page sends it with its 2027 row's prefix."""
    concept = paid["concept"]
    _released(paid)
    measure = concept.measures.get(number="1.1")
    city = client_for(paid["planner"])
    url = f"/concepts/{concept.slug}/kuf/measures/{measure.pk}/"
    item = measure.cost_items.get(year=2027)
    sent = _measure_post(measure, [], [])
    row = next(k for k, v in sent.items() if k.endswith("-id") and v == item.pk).removesuffix("-id")
    return measure, item, city, url, sent, row


def test_cutting_below_what_payment_requests_called_off_is_refused_by_the_page_the_service_and_the_api(paid):
    concept, planner = paid["concept"], paid["planner"]
    measure, item, city, url, sent, row = _page(paid)
    before = checksum()
    # the page: 2027's row deleted, then cut to 50.000 € (30.000 € grant, below the 31.407,40 € released)
    for change in ({f"{row}-DELETE": "on"}, {f"{row}-amount": "50.000,00", f"{row}-eligible": ""}):
        refused = city.post(url, {**sent, **change, **_tab(city, url)})
        page = refused.content.decode()
        assert refused.status_code == 400 and "Es wurde nichts gespeichert." in page
        assert "lassen sich nicht unter das bereits Abgerufene senken" in page and CALLED in page
        assert "gespeichert." not in page.replace("Es wurde nichts gespeichert.", "")
        assert checksum() == before
    assert "nach dem Speichern 50.000,00 € förderfähig, daraus 30.000,00 € Zuwendung" in page
    # the service, whoever writes (an import, the demo): the same refusal, even with the cut confirmed
    item.eligible = item.amount = D("50000.00")
    with pytest.raises(ValidationError) as caught:
        finance.save_costs(planner, concept, measure, cost_items=[item], cut_confirmed=True)
    assert caught.value.code == "called_off" and CALLED in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        finance.save_costs(planner, concept, measure, removed_cost_items=[measure.cost_items.get(year=2027)])
    assert "abgerufen sind 31.407,40 €" in caught.value.messages[0]
    # the API: the same service, the same message
    api = f"/api/v1/concepts/{concept.slug}/measures/1.1/costs/"
    body = {"cost_items": [{"id": item.pk, "year": 2027, "cost_group": "3", "amount": "50000.00"}],
            "confirm_below_approval": True}
    answer = city.patch(api, body, content_type="application/json")
    assert answer.status_code == 400 and CALLED in answer.json()["errors"]["non_field_errors"][0]
    answer = city.patch(api, {"delete": [item.pk]}, content_type="application/json")
    assert answer.status_code == 400 and CALLED in answer.json()["errors"]["non_field_errors"][0]
    assert checksum() == before
    # down to what was called off is no refusal (a question: below the approval)
    item.eligible = item.amount = D("52345.67")
    with pytest.raises(ValidationError) as caught:
        finance.save_costs(planner, concept, measure, cost_items=[item])
    assert [e.code for e in caught.value.error_list] == ["below_approval"]


def test_cutting_below_the_approval_asks_naming_the_bescheid_and_the_kuf_then_shows_the_difference(paid, tmp_path):
    concept, planner = paid["concept"], paid["planner"]
    measure, item, city, url, sent, row = _page(paid)
    before = checksum()
    cut = {f"{row}-amount": "90.000,00", f"{row}-eligible": ""}  # 54.000 € grant: above the 31.407,40 € released
    asked = city.post(url, {**sent, **cut, **_tab(city, url)})
    page = asked.content.decode()
    assert asked.status_code == 400 and 'id="cut-doubts"' in page and checksum() == before
    # walk 23d: the question stands above the save button, far down – the top of the page says so and links it
    top = page.index('id="question-above"')
    assert top < page.index('id="computed"') and '<a class="kern-link" href="#cut-doubts">' in page[top:top + 400]
    assert "1.1, 2027: bewilligt sind 60.000,00 € (Bund und Land, Zuwendungsbescheid 34.1-2027/07 vom " in page
    assert "tragen beim Fördersatz 60 % nur 54.000,00 € Zuwendung, 6.000,00 € weniger als bewilligt" in page
    assert 'name="confirm_cut"' in page and "lassen sich nicht" not in page
    # confirmed: saved, and the KuF shows the difference beside "Bewilligt statt beantragt"
    saved = city.post(url, {**sent, **cut, "confirm_cut": "on", **_tab(city, url)})
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.eligible == D("90000.00")
    rows = finance.approval_shortfalls(concept)
    assert [(r["measure"].number, r["year"], r["approved"], r["carried"], r["difference"]) for r in rows] == [
        ("1.1", 2027, D("60000.00"), D("54000.00"), D("-6000.00"))]
    kuf = city.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    table = kuf.split('id="approval-shortfalls-table"')[1].split("</table>")[0]
    assert "Kosten unter der Bewilligung" in kuf and "60.000,00" in table and "54.000,00" in table and "-6.000,00" in table
    assert "Zuwendungsbescheid 34.1-2027/07 vom " in table
    import openpyxl

    finance.export_kuf(concept, None, "xlsx", tmp_path / "kuf.xlsx")  # the KuF's Excel notes it too
    cells = [str(c.value) for sheet in openpyxl.load_workbook(tmp_path / "kuf.xlsx") for r in sheet.iter_rows() for c in r]
    assert any(c.startswith("Kosten unter der Bewilligung: 1.1 ") and "2027: bewilligt 60.000,00 €, aus den förderfähigen "
               "Kosten 54.000,00 € (Zuwendungsbescheid 34.1-2027/07 vom " in c for c in cells)
    # raising it again, or changing only the note or another year, asks nothing
    item.eligible = item.amount = D("95000.00")
    finance.save_costs(planner, concept, measure, cost_items=[item])
    later = measure.cost_items.get(year=2028)
    later.note = "nur die Anmerkung"
    finance.save_costs(planner, concept, measure, cost_items=[later])
    # the API: the question without the confirmation, saved with it
    api = f"/api/v1/concepts/{concept.slug}/measures/1.1/costs/"
    body = {"cost_items": [{"id": item.pk, "year": 2027, "cost_group": "3", "amount": "80000.00"}]}
    snapshot = checksum()
    answer = city.patch(api, body, content_type="application/json")
    assert answer.status_code == 400 and checksum() == snapshot
    assert "nur 48.000,00 € Zuwendung, 12.000,00 € weniger als bewilligt" in answer.json()["errors"]["non_field_errors"][0]
    answer = city.patch(api, {**body, "confirm_below_approval": True}, content_type="application/json")
    assert answer.status_code == 200
    assert [(c["year"], c["eligible"]) for c in answer.json()["cost_items"]] == [(2027, "80000.00"), (2028, "200000.00")]


def test_the_api_refuses_cost_items_of_another_measure_and_unknown_groups_changing_nothing(paid):
    concept = paid["concept"]
    city = client_for(paid["planner"])
    other = concept.measures.exclude(number="1.1").filter(cost_items__isnull=False).first().cost_items.first()
    api = f"/api/v1/concepts/{concept.slug}/measures/1.1/costs/"
    before = checksum()
    answer = city.patch(api, {"delete": [other.pk], "cost_items": [{"year": 2027, "cost_group": "99.9", "amount": "1"}]},
                        content_type="application/json")
    errors = answer.json()["errors"]
    assert answer.status_code == 400 and checksum() == before
    assert errors["delete"] == [f"Diese Kostenpositionen gibt es bei dieser Maßnahme nicht: {other.pk}."]
    assert errors["cost_items[0].cost_group"] == ["Diese Kostengruppe gibt es im Katalog dieses Konzepts nicht."]
    assert city.get(api).json()["measure"] == "1.1"
    # second reading: one stored item twice was checked as two (twice its eligible costs) and saved as one –
    # a cut below what was called off could pass; refused, nothing changed
    mine = concept.measures.get(number="1.1").cost_items.order_by("year", "pk").first()
    row = {"id": mine.pk, "year": mine.year, "cost_group": mine.cost_group.number, "amount": "1.00"}
    answer = city.patch(api, {"cost_items": [row, row]}, content_type="application/json")
    assert answer.status_code == 400 and checksum() == before
    assert answer.json()["errors"]["cost_items[1].id"] == ["Diese Kostenposition steht schon einmal in der Liste."]


def test_a_measure_list_import_that_cuts_below_what_was_called_off_imports_nothing(paid, tmp_path):
    """The import's commit goes through ``save_costs``: refused on its page with the message, not a 500."""
    from tests.finance.test_measure_import import _upload, xlsx

    concept = paid["concept"]
    measure, item, city, url, sent, row = _page(paid)
    rows = [["Nr.", "Maßnahme", "Handlungsfeld", "Kostengruppe", "2027"],
            ["1.1", measure.title, measure.primary_field.number, "3", 30000]]
    assert _upload(city, concept, xlsx(tmp_path, rows)).status_code == 200
    before = checksum()
    refused = city.post(f"/concepts/{concept.slug}/kuf/import/", {
        "step": "commit", "col0": "number", "col1": "title", "col2": "field", "col3": "cost_group", "col4": "year:2027",
        "cost_group": ""})
    assert refused.status_code == 400 and CALLED in refused.content.decode() and checksum() == before


@pytest.mark.postgis_only
@pytest.mark.django_db(transaction=True)
def test_a_cut_outside_a_test_transaction_is_refused_not_a_500(paid):
    """Second reading: the save's first check ran before its transaction and locked rows with
    ``select_for_update`` – PostgreSQL refuses that outside a transaction (TransactionManagementError,
    a 500 on the page and the API); the tests' own transaction hid it. Here, as in production, each
    request commits on its own."""
    measure, item, city, url, sent, row = _page(paid)
    before = checksum()
    refused = city.post(url, {**sent, f"{row}-amount": "50.000,00", f"{row}-eligible": "", **_tab(city, url)})
    assert refused.status_code == 400 and CALLED in refused.content.decode() and checksum() == before
