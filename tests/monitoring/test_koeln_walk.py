"""The defects a new user's walk through the indicators (Köln) found, each reproduced: a value for a
future year was taken as measured, a value replaced the one of its year without a word, a
percentage of 225 passed unremarked, a value was deleted without asking, counts had decimals."""

from __future__ import annotations

import html
import json

from django.utils import timezone

from isek.analysis.models import IndicatorValue
from isek.core import numbers
from isek.monitoring.models import Indicator

SLUG = "bochum-innenstadt"
NEW = f"/concepts/{SLUG}/indicators/new/"
THIS_YEAR = timezone.localdate().year


def _indicator(client, concept, code="anteil", unit="%", **extra) -> Indicator:
    r = client.post(NEW, {"code": code, "name": "Anteil Grünfläche", "kind": "output", "unit": unit, **extra})
    assert r.status_code == 302, r.content.decode()[:2000]
    return Indicator.objects.get(concept=concept, code=code)


def _enter(client, ind, year, value, follow=True):
    r = client.post(f"/concepts/{SLUG}/indicators/{ind.pk}/", {"area": "area", "year": str(year), "value": value,
                                                                 "source": "Zählung"}, follow=follow)
    return r.status_code, html.unescape(r.content.decode())


def _entered(concept, ind):
    return sorted((v.date.year, v.value) for v in IndicatorValue.objects.filter(concept=concept, indicator=ind.code))


# --- 2. a measured value lies in the past; a replaced value and an odd percentage are told -------


def test_a_value_for_a_future_year_is_refused_with_a_message(planner_client, bochum):
    ind = _indicator(planner_client, bochum, unit="m²", baseline_value="1000", baseline_year="2020",
                     target_value="2000", target_year=str(THIS_YEAR + 5))
    status, page = _enter(planner_client, ind, THIS_YEAR + 3, "1900", follow=False)
    assert status == 400
    assert (f"{THIS_YEAR + 3} liegt in der Zukunft: ein gemessener Wert hat ein vergangenes oder das laufende Jahr "
            f"(künftige Werte beschreibt der Zielwert)." in page)
    assert "im Plan" not in page and _entered(bochum, ind) == []
    status, _page = _enter(planner_client, ind, THIS_YEAR, "1900")  # the running year is measured
    assert status == 200 and _entered(bochum, ind) == [(THIS_YEAR, 1900.0)]


def test_a_csv_value_for_a_future_year_is_refused_with_its_row(planner_client, bochum):
    ind = _indicator(planner_client, bochum)
    data = f"indicator;area;year;value;unit;source\n{ind.code};Fördergebiet;{THIS_YEAR + 1};20;%;Zählung\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = planner_client.post(f"/concepts/{SLUG}/indicators/", {"file": SimpleUploadedFile("w.csv", data.encode()), "source": ""})
    page = html.unescape(r.content.decode())
    assert r.status_code == 400 and f"Zeile 2: {THIS_YEAR + 1} liegt in der Zukunft" in page
    assert _entered(bochum, ind) == []


def test_a_value_replacing_the_one_of_its_year_says_so(planner_client, bochum):
    ind = _indicator(planner_client, bochum, baseline_value="20", baseline_year="2020",
                     target_value="30", target_year=str(THIS_YEAR + 4))
    status, page = _enter(planner_client, ind, 2025, "22,5")
    assert status == 200 and "Wert für 2025 (Fördergebiet) gespeichert." in page and "ersetzt" not in page
    status, page = _enter(planner_client, ind, 2025, "23")
    assert status == 200 and "Wert für 2025 (Fördergebiet) gespeichert; er ersetzt 22,50 %." in page
    assert _entered(bochum, ind) == [(2025, 23.0)]


def test_a_percentage_outside_0_to_100_is_stored_with_a_warning(planner_client, bochum):
    ind = _indicator(planner_client, bochum)
    status, page = _enter(planner_client, ind, 2025, "22,5")
    assert "außerhalb von 0 bis 100" not in page
    status, page = _enter(planner_client, ind, 2025, "225")
    assert status == 200
    assert "er ersetzt 22,50 %" in page
    assert ("Bitte prüfen: 225,00 % liegt außerhalb von 0 bis 100 % – für einen Anteil unmöglich, für eine "
            "Veränderung möglich. Der Wert ist gespeichert." in page)
    assert _entered(bochum, ind) == [(2025, 225.0)]
    status, page = _enter(planner_client, ind, 2024, "-3,5")
    assert "-3,50 % liegt außerhalb von 0 bis 100 %" in page
    other = _indicator(planner_client, bochum, code="flaeche", unit="m²")
    status, page = _enter(planner_client, other, 2025, "225")
    assert status == 200 and "außerhalb" not in page


# --- 4. deleting a value asks first ------------------------------------------------------------------


def test_deleting_a_value_asks_for_confirmation_naming_it(planner_client, bochum):
    ind = _indicator(planner_client, bochum)
    _enter(planner_client, ind, 2025, "22,5")
    page = html.unescape(planner_client.get(f"/concepts/{SLUG}/indicators/{ind.pk}/").content.decode())
    assert 'data-confirm="Wert 22,50 % für 2025 (Fördergebiet) löschen?"' in page
    assert "isek/confirm.mjs" in page


# --- 5. counts are whole ---------------------------------------------------------------------------


def test_a_count_typed_as_anzahl_is_shown_without_decimals(planner_client, bochum):
    assert numbers.digits("Anzahl") == numbers.digits("Stück") == numbers.digits("count") == 0
    ind = _indicator(planner_client, bochum, code="baeume", unit="Anzahl")
    status, page = _enter(planner_client, ind, 2025, "1250")
    assert status == 200 and ">1.250<" in page and "1.250,00" not in page
    listing = planner_client.get(f"/concepts/{SLUG}/indicators/").content.decode()
    assert "1.250 (2025)" in listing and "1.250,00" not in listing


def test_the_api_refuses_a_future_year_alike(users, planner_client, bochum):
    from tests.api.test_api_v1 import bearer

    ind = _indicator(planner_client, bochum)
    url = f"/api/v1/concepts/{SLUG}/indicators/{ind.code}/values/"
    r = bearer(users["planner"]).post(url, {"year": THIS_YEAR + 1, "value": 20, "source": "Zählung"},
                                      content_type="application/json", HTTP_ACCEPT_LANGUAGE="de")
    assert r.status_code == 400, r.content
    assert "liegt in der Zukunft" in json.dumps(r.json(), ensure_ascii=False) and _entered(bochum, ind) == []
