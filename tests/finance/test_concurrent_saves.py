"""Two tabs, one measure (issue #23, major 1; decision 0096): tab A saves the 2028 cost, tab B,
opened before, saves only its note – and used to write A's cost back to what B had loaded, with no
message. A form carries the state of the rows it was loaded from; a save from a stale form is
refused with a message and changes nothing; a fresh one passes. Likewise the measure's own edit
page, and the API's PATCH of a measure with If-Match."""

import json
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from isek.concepts.models import Measure
from isek.finance import services
from isek.finance.models import CostItem
from tests.concepts.test_pages_and_permissions import _form_data
from tests.dbstate import checksum
from tests.finance.test_kuf_pages import _measure_post

SLUG = "bochum-innenstadt"
CHANGED = "Diese Maßnahme wurde inzwischen geändert"


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def _tab(client, url) -> dict:
    """What a tab opened now sends back: the page's state and one-time token."""
    page = client.get(url).content.decode()
    return {"state": _hidden(page, "state"), "once": _hidden(page, "once")}


def test_a_stale_cost_form_is_refused_and_changes_nothing(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    url = f"/concepts/{SLUG}/kuf/measures/{m.pk}/"
    item = m.cost_items.order_by("year", "pk").first()
    loaded = item.amount
    tab_a, tab_b = _tab(planner_client, url), _tab(planner_client, url)
    assert tab_a["state"] == tab_b["state"] and len(tab_a["state"]) >= 16

    sent_a = _measure_post(m, [], [])
    sent_b = _measure_post(m, [], [])  # both built from what the tabs show
    first = next(k for k, v in sent_a.items() if k.endswith("-id") and v == item.pk).removesuffix("-id")
    sent_a[f"{first}-amount"], sent_a[f"{first}-eligible"] = "520.000,50", ""  # förderfähig: all
    sent_b[f"{first}-note"] = "nur die Anmerkung"
    assert planner_client.post(url, {**sent_a, **tab_a}).status_code == 302
    item.refresh_from_db()
    assert item.amount == D("520000.50")

    before = checksum()
    refused = planner_client.post(url, {**sent_b, **tab_b})
    page = refused.content.decode()
    assert refused.status_code == 409 and checksum() == before
    assert CHANGED in page and "Seite neu laden" in page and 'id="costs-changed"' in page
    item.refresh_from_db()
    assert item.amount == D("520000.50") and item.amount != loaded and item.note != "nur die Anmerkung"
    # sent once more from the refused page (it keeps the state it was loaded from): refused again
    again = planner_client.post(url, {**sent_b, "once": _hidden(page, "once"), "state": _hidden(page, "state")})
    assert again.status_code == 409 and checksum() == before

    # loaded anew, the note is saved and A's cost kept
    fresh = _tab(planner_client, url)
    assert fresh["state"] != tab_b["state"]
    sent = _measure_post(m, [], [])
    sent[f"{first}-note"] = "nur die Anmerkung"
    assert planner_client.post(url, {**sent, **fresh}).status_code == 302
    item.refresh_from_db()
    assert item.amount == D("520000.50") and item.note == "nur die Anmerkung"


def test_save_costs_refuses_a_stale_state_and_any_writer_may_leave_it_out(users, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    planner = users["planner"]
    state = services.costs_state(m)
    item = CostItem.objects.filter(measure=m).order_by("pk").first()
    item.note = "A"
    services.save_costs(planner, bochum, m, cost_items=[item], state=state)
    assert services.costs_state(m) != state
    before = checksum()
    item.note, item.amount = "B", item.amount + 1
    with pytest.raises(ValidationError) as refused:
        services.save_costs(planner, bochum, m, cost_items=[item], state=state)
    assert refused.value.code == "changed" and CHANGED in refused.value.messages[0] and checksum() == before
    services.save_costs(planner, bochum, m, cost_items=[item])  # an import, the demo: no state, no check
    assert CostItem.objects.get(pk=item.pk).note == "B"


def test_a_stale_measure_form_is_refused_and_changes_nothing(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="2.1")
    url = f"/concepts/{SLUG}/measures/{m.pk}/edit/"
    tab_a, tab_b = (_hidden(planner_client.get(url).content.decode(), "state") for _tab in range(2))
    assert planner_client.post(url, {**_form_data(m, title="Husemannplatz (neu)"), "state": tab_a}).status_code == 302
    before = checksum()
    refused = planner_client.post(url, {**_form_data(m, description="nur die Beschreibung"), "state": tab_b})
    assert refused.status_code == 409 and checksum() == before
    assert CHANGED in refused.content.decode() and 'id="measure-changed"' in refused.content.decode()
    m.refresh_from_db()
    assert m.title == "Husemannplatz (neu)" and m.description != "nur die Beschreibung"
    fresh = _hidden(planner_client.get(url).content.decode(), "state")
    assert planner_client.post(url, {**_form_data(m, description="nur die Beschreibung"), "state": fresh}).status_code == 302
    m.refresh_from_db()
    assert m.title == "Husemannplatz (neu)" and m.description == "nur die Beschreibung"
    # a new measure has no state to compare
    assert 'name="state"' not in planner_client.get(f"/concepts/{SLUG}/measures/new/").content.decode()


def test_the_api_refuses_a_patch_whose_if_match_is_stale(users, bochum):
    from django.test import Client

    from isek.api import tokens

    api = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create(users['planner'], 'Fachverfahren')[1]}"}
    url = f"/api/v1/concepts/{SLUG}/measures/2.1/"
    etag = api.get(url, **headers)["ETag"]
    patch = json.dumps({"title": "Husemannplatz A"})
    first = api.patch(url, patch, content_type="application/json", HTTP_IF_MATCH=etag, **headers)
    assert first.status_code == 200 and first["ETag"] != etag
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **headers).status_code == 304  # the tag a GET gives
    before = checksum()
    stale = api.patch(url, json.dumps({"description": "B"}), content_type="application/json", HTTP_IF_MATCH=etag,
                      **headers)
    assert stale.status_code == 412 and checksum() == before and CHANGED in stale.json()["detail"]
    fresh = api.patch(url, json.dumps({"description": "B"}), content_type="application/json",
                      HTTP_IF_MATCH=first["ETag"], **headers)
    assert fresh.status_code == 200
    assert Measure.objects.get(concept=bochum, number="2.1").description == "B"
    # without If-Match, as before
    assert api.patch(url, json.dumps({"description": "C"}), content_type="application/json", **headers).status_code == 200
