"""Monitoring pages: who may read, who may write; the dashboard shows the figures of the overview;
payments and report texts as a planner enters them."""

from decimal import Decimal as D

import pytest

from isek.concepts.models import Measure
from isek.monitoring import figures
from isek.monitoring.models import Indicator, Payment, ReportText

from ..conftest import client_for

SLUG = "bochum-innenstadt"
MEMBER_PAGES = ["dashboard/", "indicators/", "indicators/{ind}/", "payments/", "reports/"]
PLANNER_PAGES = ["indicators/new/", "indicators/{ind}/edit/", "reports/texts/"]


def _url(path, bochum):
    ind = Indicator.objects.filter(concept=bochum).first()
    return f"/concepts/{SLUG}/" + path.format(ind=ind.pk)


@pytest.mark.parametrize("path", MEMBER_PAGES + PLANNER_PAGES)
def test_who_may_open_what(users, bochum, path):
    url = _url(path, bochum)
    assert client_for(None).get(url).status_code == 302  # login first
    assert client_for(users["outsider"]).get(url).status_code == 403
    assert client_for(users["stranger"]).get(url).status_code == 403
    assert client_for(users["planner"]).get(url).status_code == 200
    assert client_for(users["reviewer"]).get(url).status_code == (200 if path in MEMBER_PAGES else 403)


def test_reviewer_cannot_write(users, bochum):
    reviewer = client_for(users["reviewer"])
    m = bochum.measures.first()
    before = Payment.objects.count(), Indicator.objects.count(), ReportText.objects.count()
    assert reviewer.post(f"/concepts/{SLUG}/payments/", {"measure": m.pk, "year": 2024, "amount": "1"}).status_code == 403
    assert reviewer.post(f"/concepts/{SLUG}/indicators/new/", {"code": "x", "name": "x", "kind": "output", "unit": "m"}).status_code == 403
    assert reviewer.post(f"/concepts/{SLUG}/reports/texts/", {"area-text": "x"}).status_code == 403
    assert (Payment.objects.count(), Indicator.objects.count(), ReportText.objects.count()) == before


def test_dashboard_shows_the_overview(planner_client, bochum):
    ov = figures.overview(bochum)
    html = planner_client.get(f"/concepts/{SLUG}/dashboard/").content.decode()
    assert f"{ov['key']['progress']:.1f}".replace(".", ",") + " %" in html
    assert f"{ov['key']['cost']:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") + " €" in html
    assert 'id="finance-data"' in html and "vendor/chartjs/chart.umd.min.js" in html
    assert html.count('class="isek-spark"') == Indicator.objects.filter(concept=bochum).count()
    for w in ov["warnings"]:
        assert w.message.split(":")[0] in html


def test_dashboard_money_to_the_cent_as_every_other_page(planner_client, bochum):
    """Usability test (Köln): the dashboard said "Kosten (KuF) 6.825.001 €" where the KuF and every
    other page said 6.825.000,50 €."""
    import lxml.html

    from isek.finance.models import CostItem

    item = CostItem.objects.filter(measure__concept=bochum).first()
    item.amount += D("0.50")
    item.save()
    ov = figures.overview(bochum)
    assert ov["key"]["cost"] % 1  # cents the dashboard must not round away
    doc = lxml.html.fromstring(planner_client.get(f"/concepts/{SLUG}/dashboard/").content.decode())
    german = f"{ov['key']['cost']:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    assert doc.xpath("string(//dd[@data-key='cost'])").strip() == f"{german} €"
    kuf = planner_client.get(f"/concepts/{SLUG}/kuf/").content.decode()
    assert german in kuf
    for key in ("grant", "paid"):
        assert "," in doc.xpath(f"string(//dd[@data-key='{key}'])")


def test_cancelled_measure_leaves_the_progress(planner_client, bochum):
    before = figures.progress_tree(bochum)
    m = Measure.objects.get(concept=bochum, number="5.1")  # the heaviest: Haus des Wissens
    m.status = Measure.Status.CANCELLED
    m.save()
    after = figures.progress_tree(bochum)
    assert after.progress != before.progress
    field = next(n for n in after.children if n.key == str(m.primary_field_id))
    assert [c.key for c in field.dropped] == [str(m.pk)]
    html = planner_client.get(f"/concepts/{SLUG}/dashboard/").content.decode()
    assert "entfallen, nicht gezählt:" in html and "5.1 Haus des Wissens" in html


def test_planner_records_a_payment_and_bad_input_is_refused(planner_client, bochum):
    m = Measure.objects.get(concept=bochum, number="1.1")
    r = planner_client.post(f"/concepts/{SLUG}/payments/", {"measure": m.pk, "year": 2025, "amount": "1.234,56", "note": "Rechnung 1"})
    assert r.status_code == 302
    assert Payment.objects.get(measure=m).amount == D("1234.56")
    count = Payment.objects.count()
    r = planner_client.post(f"/concepts/{SLUG}/payments/", {"measure": m.pk, "year": 2026, "amount": "-5"})
    assert r.status_code == 400 and "Bitte die markierten Angaben prüfen" in r.content.decode()
    assert Payment.objects.count() == count


def test_an_implausible_payment_is_asked_about_before_it_is_recorded(planner_client, bochum):
    """Walk 15: 999,999,999 € on a measure planned at a fraction of it, or a year the KuF plans
    nothing for, is recorded only once the planner confirms the amount."""
    m = Measure.objects.get(concept=bochum, number="1.1")
    url = f"/concepts/{SLUG}/payments/"
    count = Payment.objects.count()
    assert 'type="hidden" name="checked"' in planner_client.get(url).content.decode()  # no question asked yet
    r = planner_client.post(url, {"measure": m.pk, "year": 2025, "amount": "999.999.999"})
    text = r.content.decode()
    assert r.status_code == 400 and "über den geplanten Kosten der Maßnahme" in text and "Betrag geprüft" in text
    assert 'type="checkbox" name="checked"' in text
    r = planner_client.post(url, {"measure": m.pk, "year": 1999, "amount": "10"})
    assert r.status_code == 400 and "Die KuF plant für 1.1 im Jahr 1999 keine Kosten." in r.content.decode()
    assert Payment.objects.count() == count
    r = planner_client.post(url, {"measure": m.pk, "year": 2025, "amount": "999.999.999", "checked": "on"})
    assert r.status_code == 302 and Payment.objects.get(measure=m, year=2025).amount == D("999999999")


def test_a_payment_above_the_years_plan_is_asked_about(planner_client, bochum):
    """Issue #23, minor 1: 600.000 € in 2023 for 1.1 (planned 500.000 € that year, 4 Mio. € in all)
    stays below the measure's plan, yet exceeds the year's: the form asks, naming both figures."""
    m = Measure.objects.get(concept=bochum, number="1.1")
    url = f"/concepts/{SLUG}/payments/"
    r = planner_client.post(url, {"measure": m.pk, "year": 2023, "amount": "600.000"})
    text = r.content.decode()
    assert r.status_code == 400 and 'type="checkbox" name="checked"' in text
    assert ("Mit dieser Auszahlung lägen die Auszahlungen von 1.1 im Jahr 2023 (600.000,00 €) über den für 2023 "
            "geplanten Kosten (500.000,00 €).") in text
    assert "über den geplanten Kosten der Maßnahme" not in text and not Payment.objects.filter(measure=m, year=2023)
    assert planner_client.post(url, {"measure": m.pk, "year": 2023, "amount": "500.000"}).status_code == 302
    r = planner_client.post(url, {"measure": m.pk, "year": 2023, "amount": "600.000", "checked": "on"})
    assert r.status_code == 302 and Payment.objects.filter(measure=m, year=2023).count() == 2


def test_planner_edits_report_texts(planner_client, bochum):
    data = {f"{k}-text": "" for k, _l in ReportText.Section.choices}
    data["threats-text"] = "- Baukosten steigen\n- Leerstand"
    data["threats-source"] = "Amt 61"
    assert planner_client.post(f"/concepts/{SLUG}/reports/texts/", data).status_code == 302
    t = ReportText.objects.get(concept=bochum, section="threats")
    assert t.text.startswith("- Baukosten") and t.source == "Amt 61"


def test_indicator_form_checks_baseline_and_target(planner_client, bochum):
    r = planner_client.post(f"/concepts/{SLUG}/indicators/new/", {
        "code": "leerstand", "name": "Leerstandsquote", "kind": "context", "unit": "%",
        "baseline_value": "12", "target_value": "8", "target_year": "2019", "baseline_year": "2020"})
    assert r.status_code == 400
    assert "Das Zieljahr liegt nicht nach dem Ausgangsjahr." in r.content.decode()
    r = planner_client.post(f"/concepts/{SLUG}/indicators/new/", {
        "code": "facades_funded", "name": "x", "kind": "output", "unit": "Gebäude"})
    assert "Diese Kennung ist im Konzept schon vergeben." in r.content.decode()
    assert not Indicator.objects.filter(code="leerstand").exists()


def test_admin_lists_monitoring_data(bochum, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from isek.monitoring import jobs
    from isek.monitoring.models import Report

    settings.VAR_DIR = tmp_path
    report = Report.objects.create(concept=bochum, kind="monitoring")
    jobs.execute(report)
    admin = client_for(get_user_model().objects.create_superuser("admin", "a@example.org", "pw-admin-123"))
    ind = Indicator.objects.filter(concept=bochum).first()
    for url in ("/admin/monitoring/indicator/", f"/admin/monitoring/indicator/{ind.pk}/change/", "/admin/monitoring/payment/",
                "/admin/monitoring/reporttext/", "/admin/monitoring/yearnote/", "/admin/monitoring/report/",
                f"/admin/monitoring/report/{report.pk}/change/"):
        assert admin.get(url).status_code == 200, url
    assert admin.get("/admin/monitoring/report/add/").status_code == 403


def test_english_dashboard_names_fields_in_english(users, bochum):
    from html import escape

    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(users["reviewer"])
    html = c.get(f"/concepts/{SLUG}/dashboard/").content.decode()
    field = bochum.fields_of_action.exclude(name_en="").first()
    assert escape(field.name_en) in html and "Key figures" in html


def test_kuf_checks_in_the_ui_language_with_their_measure(users, bochum):
    from html import escape

    from django.test import Client

    from isek.finance import kuf

    result = kuf.current(bochum)
    gap = next(w for w in result.warnings if w.code == "gap")
    amount = dict(gap.params)["amount"]
    measure = next(m for m in result.measures if m.key == gap.measure)
    german = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    html = client_for(users["reviewer"]).get(f"/concepts/{SLUG}/dashboard/").content.decode()
    assert escape(f"{measure.number} {measure.title} ({gap.year}): Ungeklärte Finanzierung: {german} €.") in html
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(users["reviewer"])
    html = en.get(f"/concepts/{SLUG}/dashboard/").content.decode()
    assert f"Unresolved financing: €{amount:,.2f}." in html and "lies outside the period 2020–2026" in html
    kuf_page = en.get(f"/concepts/{SLUG}/kuf/").content.decode()
    assert "lies outside the period 2020–2026" in kuf_page


def _indicator_row(html: str, code: str) -> str:
    return html.split(f'data-code="{code}"')[1].split("</tr>")[0]


def test_an_indicator_with_values_per_quarter_only_says_so_in_the_overview(users, bochum):
    """Walk 9 (Hamburg): an indicator with values for two quarters and none for the whole area was
    listed as "keine Werte"; it names the quarters' values and links to them."""
    import datetime

    from isek.analysis.models import IndicatorValue
    from tests.factories import QuarterFactory

    ind = Indicator.objects.create(concept=bochum, code="laerm_db", name="Lärmpegel", kind="context", unit="dB")
    empty = Indicator.objects.create(concept=bochum, code="leer", name="Leer", kind="context", unit="dB")
    for q, value in ((QuarterFactory(concept=bochum, name="Nord"), 61), (QuarterFactory(concept=bochum, name="Süd"), 58)):
        IndicatorValue.objects.create(concept=bochum, quarter=q, indicator=ind.code, value=value,
                                      date=datetime.date(2024, 12, 31), source="Messung")
    html = client_for(users["reviewer"]).get(f"/concepts/{SLUG}/indicators/").content.decode()
    row = _indicator_row(html, ind.code)
    assert "keine Werte" not in row and "kein Wert für das Fördergebiet" in row
    assert f'<a class="kern-link" href="/concepts/{SLUG}/indicators/{ind.pk}/#values-table">Werte für 2 Teilräume</a>' in row
    assert "keine Werte" in _indicator_row(html, empty.code)  # none anywhere: said as before
    from django.test import Client

    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(users["reviewer"])
    row = _indicator_row(en.get(f"/concepts/{SLUG}/indicators/").content.decode(), ind.code)
    assert "Values for 2 quarters" in row and "no value for the funding area" in row


def test_a_payment_year_before_1971_is_refused_clearly_without_an_offer_to_confirm(planner_client, bochum):
    """Walk (Landshut): 1926 gave the field's bare "größer oder gleich 1971" beside "Betrag geprüft –
    trotzdem speichern", an offer to confirm a year that is refused anyway (decision 0085)."""
    m = Measure.objects.get(concept=bochum, number="1.1")
    count = Payment.objects.count()
    r = planner_client.post(f"/concepts/{SLUG}/payments/", {"measure": m.pk, "year": 1926, "amount": "10"})
    text = r.content.decode()
    assert r.status_code == 400 and "1926 ist kein Jahr einer Auszahlung der Städtebauförderung" in text
    assert "größer oder gleich" not in text and 'type="checkbox" name="checked"' not in text
    assert Payment.objects.count() == count
