"""Walk 10 (Offenbach am Main), indicators: the edit form took a baseline year in the future (the
value form refuses one) and a % target of 120 without a word (a value of 120 % is warned); a value
entered for a year was listed dated 31 December of it, after today."""

from __future__ import annotations

import html

from isek.monitoring.models import Indicator
from tests.dbstate import checksum

from .test_koeln_walk import NEW, SLUG, THIS_YEAR, _indicator


def _page(r) -> str:
    return html.unescape(r.content.decode())


def test_the_indicator_form_refuses_a_baseline_year_in_the_future_and_changes_nothing(planner_client, bochum):
    before = checksum()
    r = planner_client.post(NEW, {"code": "anteil", "name": "Anteil Grünfläche", "kind": "output", "unit": "%",
                                  "baseline_value": "20", "baseline_year": str(THIS_YEAR + 5),
                                  "target_value": "30", "target_year": str(THIS_YEAR + 8)})
    page = _page(r)
    assert r.status_code == 400 and "Bitte die markierten Angaben prüfen. Es wurde nichts gespeichert." in page
    assert f"{THIS_YEAR + 5} liegt in der Zukunft: ein gemessener Wert hat ein vergangenes oder das laufende Jahr" in page
    assert checksum() == before
    ind = _indicator(planner_client, bochum, baseline_value="20", baseline_year=str(THIS_YEAR),
                     target_value="30", target_year=str(THIS_YEAR + 3))
    assert ind.baseline_year == THIS_YEAR  # the running year is measured


def test_a_percent_target_outside_0_to_100_is_saved_with_the_values_warning(planner_client, bochum):
    r = planner_client.post(NEW, {"code": "anteil", "name": "Anteil Grünfläche", "kind": "output", "unit": "%",
                                  "baseline_value": "20", "baseline_year": "2020", "target_value": "120",
                                  "target_year": str(THIS_YEAR + 3)}, follow=True)
    page = _page(r)
    assert r.redirect_chain and Indicator.objects.get(concept=bochum, code="anteil").target_value == 120
    assert ("Zielwert: Bitte prüfen: 120,00 % liegt außerhalb von 0 bis 100 % – für einen Anteil unmöglich, für "
            "eine Veränderung möglich. Der Wert ist gespeichert.") in page
    r = planner_client.post(NEW, {"code": "flaeche", "name": "Grünfläche", "kind": "output", "unit": "m²",
                                  "target_value": "120", "target_year": str(THIS_YEAR + 3)}, follow=True)
    assert r.redirect_chain and "außerhalb" not in _page(r)


def test_a_quarters_percentage_outside_0_to_100_is_warned_as_the_areas(planner_client, bochum):
    ind = _indicator(planner_client, bochum)
    quarter = bochum.quarters.first()
    for value, shown in (("130", "130,00 %"), ("-5", "-5,00 %")):
        r = planner_client.post(f"/concepts/{SLUG}/indicators/{ind.pk}/", {"area": str(quarter.pk), "year": "2025",
                                                                          "value": value, "source": "Zählung"}, follow=True)
        assert f"Bitte prüfen: {shown} liegt außerhalb von 0 bis 100 %" in _page(r), value


def test_a_value_of_a_year_is_listed_with_its_year_not_a_day_after_today(planner_client, bochum):
    ind = _indicator(planner_client, bochum)
    planner_client.post(f"/concepts/{SLUG}/indicators/{ind.pk}/", {"area": "area", "year": str(THIS_YEAR),
                                                                  "value": "22,5", "source": "Zählung"})
    page = _page(planner_client.get(f"/concepts/{SLUG}/indicators/{ind.pk}/"))
    table = page.split('id="values-table"')[1].split("</table>")[0]
    assert f"31.12.{THIS_YEAR}" not in table and f'<td class="kern-table__cell">{THIS_YEAR}</td>' in table
    assert "Jahr oder Datum" in table
