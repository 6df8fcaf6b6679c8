"""Indicator values as a planner types them (usability test, Bautzen): "18,5 %" is a value, and a
value that cannot be read gets its own message only, no follow-on error at its year."""

import re

from isek.monitoring.models import Indicator

SLUG = "bochum-innenstadt"
NEW = f"/concepts/{SLUG}/indicators/new/"


def _indicator(**values):
    return {"code": "leerstand", "name": "Leerstandsquote", "kind": "output", "unit": "%", **values}


def _errors(page: str, field: str) -> list[str]:
    block = re.search(rf'id="{field}-error"[^>]*>(.*?)</', page, re.S)
    return [block.group(1).strip()] if block else []


def test_a_baseline_and_target_in_percent_are_taken(planner_client, bochum):
    r = planner_client.post(NEW, _indicator(baseline_value="18,5 %", baseline_year="2022",
                                            target_value="12 %", target_year="2030"))
    assert r.status_code == 302, r.content.decode()[:2000]
    ind = Indicator.objects.get(concept=bochum, code="leerstand")
    assert (ind.baseline_value, ind.target_value) == (18.5, 12.0)


def test_an_unreadable_baseline_gets_one_message_and_no_follow_on_error(planner_client, bochum):
    r = planner_client.post(NEW, _indicator(baseline_value="18,5 Prozent", baseline_year="2022"))
    page = r.content.decode()
    assert r.status_code == 400
    assert "„18,5 Prozent“ ist keine Zahl. Beispiel: 60 oder 60,5" in page
    assert "Ausgangswert und Ausgangsjahr gehören zusammen." not in page
    assert not Indicator.objects.filter(concept=bochum, code="leerstand").exists()


def test_a_year_without_a_value_is_named_at_the_value(planner_client, bochum):
    r = planner_client.post(NEW, _indicator(target_year="2030"))
    page = r.content.decode()
    assert r.status_code == 400 and "Zielwert und Zieljahr gehören zusammen." in page
    assert "Zielwert und Zieljahr" in " ".join(_errors(page, "target_value")), page


def test_a_value_in_percent_is_entered_on_the_indicator_page(planner_client, bochum):
    ind = Indicator.objects.filter(concept=bochum).first()
    r = planner_client.post(f"/concepts/{SLUG}/indicators/{ind.pk}/", {"area": "area", "year": "2024", "value": "18,5 %",
                                                                         "source": "Zählung"})
    assert r.status_code == 302, r.content.decode()[:2000]
    page = planner_client.get(f"/concepts/{SLUG}/indicators/{ind.pk}/").content.decode()
    assert "18,5" in page


def test_an_indicator_is_shown_at_its_precision_on_every_page(planner_client, bochum):
    """The same value read "0,81" in the list and on the dashboard but "0,8123" elsewhere; now every
    page writes an indicator's values with the decimals of its unit (docs/indicators.md: index 3,
    count 0, other units 2; none for a whole number)."""
    from isek.monitoring import figures

    r = planner_client.post(NEW, _indicator(code="vielfalt", name="Nutzungsvielfalt", unit="index",
                                            baseline_value="0,81234", baseline_year="2019",
                                            target_value="0,9", target_year="2030"))
    assert r.status_code == 302, r.content.decode()[:2000]
    ind = Indicator.objects.get(concept=bochum, code="vielfalt")
    planner_client.post(f"/concepts/{SLUG}/indicators/{ind.pk}/", {"area": "area", "year": "2024", "value": "0,84567",
                                                                     "source": "Zählung"})
    listing = planner_client.get(f"/concepts/{SLUG}/indicators/").content.decode()
    page = planner_client.get(f"/concepts/{SLUG}/indicators/{ind.pk}/").content.decode()
    dashboard = planner_client.get(f"/concepts/{SLUG}/dashboard/").content.decode()
    assert "0,812 (2019)" in listing and "0,900 (2030)" in listing and "0,846 (2024)" in listing
    assert "0,812 Index (2019)" in page and "0,900 Index (2030)" in page and ">0,846<" in page
    assert "0,846 Index (2024)" in dashboard and "Ziel 0,900 (2030)" in dashboard
    assert figures.fmt_number(0.84567, ind.digits) == "0,846"  # the dashboard's notices


def test_a_count_is_shown_whole_with_thousands_separated(planner_client, bochum):
    r = planner_client.post(NEW, _indicator(code="gebaeude", name="Gebäude", unit="count", baseline_value="1.234,4",
                                            baseline_year="2019"))
    assert r.status_code == 302, r.content.decode()[:2000]
    ind = Indicator.objects.get(concept=bochum, code="gebaeude")
    assert "1.234 (2019)" in planner_client.get(f"/concepts/{SLUG}/indicators/").content.decode()
    assert "1.234 Anzahl (2019)" in planner_client.get(f"/concepts/{SLUG}/indicators/{ind.pk}/").content.decode()
    planner_client.get("/language/en/")
    assert "1,234 (2019)" in planner_client.get(f"/concepts/{SLUG}/indicators/").content.decode()


def test_baseline_target_and_expected_value_share_precision_and_unit(planner_client, bochum):
    """Walk 5: "24 % (2026)" beside "18,50 % (2034)", and "erwartet nach Zielpfad: 21,94" without unit."""
    r = planner_client.post(NEW, _indicator(code="walk5", baseline_value="24 %", baseline_year="2020",
                                            target_value="18,5 %", target_year="2034"))
    assert r.status_code == 302, r.content.decode()[:2000]
    ind = Indicator.objects.get(concept=bochum, code="walk5")
    planner_client.post(f"/concepts/{SLUG}/indicators/{ind.pk}/", {"area": "area", "year": "2025", "value": "23",
                                                                     "source": "Zählung"})
    page = planner_client.get(f"/concepts/{SLUG}/indicators/{ind.pk}/").content.decode()
    listing = planner_client.get(f"/concepts/{SLUG}/indicators/").content.decode()
    assert "24,00 % (2020)" in page and "18,50 % (2034)" in page and ">23,00<" in page
    assert re.search(r"erwartet nach Zielpfad: \d+,\d\d %\)", page), page[page.find("Bewertung"):][:600]
    assert "24,00 (2020)" in listing and "18,50 (2034)" in listing
