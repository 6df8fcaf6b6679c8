"""Funding rules the KuF checks (usability test of a Köln planner, NRW):

1. A Verfügungsfonds of 80.000 € (cost group "10.2 Verfügungsfonds") got 60 % subsidy on the full
   amount and no check; the VV Städtebauförderung finances such a fund in general up to 50 % from
   Städtebauförderung. The KuF now says so, with the amounts and the source.
2. 400.000 € "Private / Dritte" on a measure of 800.000 € left the subsidy on the full 800.000 €
   and a row "Überfinanzierung 80.000,00" without saying what to do; the KuF page and its PDF never
   showed the eligible costs. Both now show them, and the check names by how much "davon
   förderfähig" should be lowered, linking to the cost line. The planner's figures stay as entered.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal as D

import lxml.html
import pytest

from isek.finance import services as finance
from isek.finance.models import CostGroup, CostItem, Financing, FundingRate
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, member

pytestmark = pytest.mark.django_db


def _concept(programme="lebendige_zentren"):
    concept = ConceptFactory(start_year=2030, end_year=2030, programme=programme)
    m = MeasureFactory(concept=concept, primary_field=FieldFactory(concept=concept), number="1.1", title="Quartier",
                       start="2030-01-01", end="2030-12-31")
    FundingRate.objects.create(concept=concept, year=2030, rate=D(60))
    return concept, m


def _cost(m, number, amount, eligible=None):
    group = CostGroup.of(m.concept).get(number=number)
    return CostItem.objects.create(measure=m, year=2030, cost_group=group, amount=D(amount),
                                   eligible=D(amount if eligible is None else eligible))


def _kuf_page(client, concept):
    client.force_login(member(concept, "planner"))
    return lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/").content.decode())


# --- 1. Verfügungsfonds ------------------------------------------------------------------------


def test_a_disposition_fund_with_more_than_half_subsidy_is_checked_with_amounts_and_source(client):
    concept, m = _concept()
    item = _cost(m, "10.2", "80000")
    result = finance.current(concept)
    assert result.cells[(str(m.pk), 2030)].grant == D("48000.00")  # the figures stay as computed
    warning = next(w for w in result.warnings if w.code == "fund_share")
    assert (warning.measure, warning.year) == (str(m.pk), 2030)
    doc = _kuf_page(client, concept)
    text = doc.xpath("string(//*[@id='kuf-warnings'])")
    assert "Verfügungsfonds" in text and "80.000,00" in text and "48.000,00" in text and "40.000,00" in text
    # at 60 % (Bund ⅓, Land the rest), eligible at most 66.666,67 €: Bund 66.666,67 / 3 = 22.222,2233 →
    # 22.222,22 €, Land 66.666,67 × 0,2666… = 17.777,7787 → 17.777,78 €, together 40.000,00 €, half of
    # the fund (66.666,68 € would give 22.222,23 + 17.777,78 = 40.000,01 €)
    assert "VV Städtebauförderung" in text and "höchstens 66.666,67 €" in text
    link = doc.xpath("//*[@id='kuf-warnings']//li[contains(., 'Verfügungsfonds')]//a/@href")
    assert link == [f"/concepts/{concept.slug}/kuf/measures/{m.pk}/#cost-{item.pk}"]
    page = client.get(link[0].split("#")[0]).content.decode()
    assert f'id="cost-{item.pk}"' in page


def test_a_disposition_fund_at_half_subsidy_or_other_cost_groups_pass():
    concept, m = _concept()
    _cost(m, "10.2", "80000", "66666.66")  # 60 % of it: 39.999,996 → 40.000,00 €, exactly half
    _cost(m, "9.1", "500000")
    assert [w for w in finance.current(concept).warnings if w.code == "fund_share"] == []


def test_in_sozialer_zusammenhalt_a_fund_may_be_fully_subsidised():
    """The same article allows up to 100 % in the programme Sozialer Zusammenhalt."""
    concept, m = _concept("sozialer_zusammenhalt")
    _cost(m, "10.2", "80000")
    assert [w for w in finance.current(concept).warnings if w.code == "fund_share"] == []


def test_the_fund_rule_carries_its_source_in_the_land_rules():
    from isek.finance import land_rules

    rule = land_rules.disposition_fund()
    assert rule.max_share == D(50) and "sozialer_zusammenhalt" in rule.full_programmes
    assert "Verfügungsfonds" in rule.source and "VV Städtebauförderung" in rule.source
    assert land_rules.catalogue("nrw-frl-2023").disposition_fund_groups == ("10.2",)
    assert land_rules.catalogue("general").disposition_fund_groups == ("4",)  # "Verfügungsfonds und andere Fonds"


# --- 2. third-party money and the eligible costs -------------------------------------------------


@pytest.fixture
def private_money():
    concept, m = _concept()
    item = _cost(m, "9.1", "800000")
    Financing.objects.create(measure=m, year=2030, source="private", amount=D("400000"), status="secured",
                             reason="Beitrag eines Investors")
    return concept, m, item


def test_third_party_money_tells_by_how_much_to_lower_the_eligible_costs(private_money, client):
    concept, m, item = private_money
    result = finance.current(concept)
    cell = result.cells[(str(m.pk), 2030)]
    assert (cell.eligible, cell.grant, cell.overfinanced) == (D("800000"), D("480000.00"), D("80000.00"))  # unchanged
    doc = _kuf_page(client, concept)
    li = doc.xpath("//*[@id='kuf-warnings']//li[contains(., 'Drittmittel')]")
    assert len(li) == 1
    text = li[0].text_content()
    assert "80.000,00" in text and "um 400.000,00 € auf 400.000,00 €" in text and "förderfähig" in text
    assert "bitte prüfen" in text
    assert li[0].xpath(".//a/@href") == [f"/concepts/{concept.slug}/kuf/measures/{m.pk}/#cost-{item.pk}"]
    CostItem.objects.filter(pk=item.pk).update(eligible=D("400000"))  # the planner follows the hint
    result = finance.current(concept)
    assert result.cells[(str(m.pk), 2030)].overfinanced == D("0.00")
    assert not [w for w in result.warnings if w.code in ("third_party", "above_cost")]


def test_a_frozen_version_gets_the_same_checks_with_their_source(private_money):
    from isek.finance import kuf

    concept, m, _item = private_money
    _cost(m, "10.2", "80000")
    version = kuf.freeze(concept, "Erstantrag", "first_application")
    codes = {w.code: w for w in kuf.localized(kuf.version_result(version).warnings)}
    assert "VV Städtebauförderung" in codes["fund_share"].message and "bitte prüfen" in codes["third_party"].message


def test_overfinancing_without_third_party_money_keeps_its_plain_check():
    concept, m = _concept()
    _cost(m, "9.1", "100000")
    Financing.objects.create(measure=m, year=2030, source="land", amount=D("90000"), status="planned", reason="Bescheid")
    codes = [w.code for w in finance.current(concept).warnings]
    assert "above_cost" in codes and "third_party" not in codes


def test_the_kuf_page_shows_the_eligible_costs_per_measure_and_year(private_money, client):
    concept, m, item = private_money
    CostItem.objects.filter(pk=item.pk).update(eligible=D("700000"))
    client.force_login(member(concept, "planner"))
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/").content.decode())
    row = doc.xpath(f"//*[@id='kuf-eligible']//tr[@data-measure='{m.pk}']")
    assert len(row) == 1
    assert [td.text_content().strip() for td in row[0].findall("td")] == ["700.000,00", "700.000,00"]
    assert "förderfähige Kosten" in doc.xpath("string(//*[@id='kuf-eligible']/ancestor-or-self::table//caption)")


def test_the_kuf_pdf_shows_the_eligible_costs(private_money, client, tmp_path):
    concept, m, item = private_money
    CostItem.objects.filter(pk=item.pk).update(eligible=D("700000"))
    client.force_login(member(concept, "planner"))
    r = client.get(f"/concepts/{concept.slug}/kuf.pdf")
    pdf = tmp_path / "kuf.pdf"
    pdf.write_bytes(b"".join(r.streaming_content) if r.streaming else r.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Förderfähige Kosten" in text and "förderfähig gesamt" in text and "700.000,00" in text


# --- 4. the Land's rule rate as a suggestion on the rates page -------------------------------------


def _rates_post(concept, row: dict, total=1) -> dict:
    data = {"r-TOTAL_FORMS": str(total), "r-INITIAL_FORMS": "0", "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "1000",
            "cap-amount": "", "cap-basis": ""}
    data.update({f"r-0-{k}": v for k, v in row.items()})
    return data


def test_a_new_nrw_concept_gets_the_rule_rate_as_a_suggestion_saved_only_when_confirmed(client):
    concept = ConceptFactory(start_year=2026, end_year=2035)
    client.force_login(member(concept, "planner"))
    url = f"/concepts/{concept.slug}/kuf/rates/"
    doc = lxml.html.fromstring(client.get(url).content.decode())
    assert doc.xpath("string(//input[@name='r-0-rate']/@value)") == "60"
    assert doc.xpath("string(//input[@name='r-0-year']/@value)") == "2026"
    assert doc.xpath("string(//input[@name='r-0-until_year']/@value)") == "2035"
    basis = doc.xpath("string(//input[@name='r-0-basis']/@value)")
    assert "FRL Städtebauförderung NRW 2023" in basis and "bezreg-muenster.de" in basis
    hint = doc.xpath("string(//*[@id='rate-suggestion'])")
    assert "Vorschlag" in hint and "60 %" in hint and "Speichern" in hint
    assert not FundingRate.objects.filter(concept=concept).exists()  # a suggestion, not a saved rate
    emptied = client.post(url, _rates_post(concept, {"year": "2026", "until_year": "2035", "rate": "", "basis": basis}))
    assert emptied.status_code == 302 and not FundingRate.objects.filter(concept=concept).exists()  # not wanted
    r = client.post(url, _rates_post(concept, {"year": "2026", "until_year": "2035", "rate": "60", "basis": basis}))
    assert r.status_code == 302
    assert sorted(FundingRate.objects.filter(concept=concept).values_list("year", flat=True)) == list(range(2026, 2036))
    again = lxml.html.fromstring(client.get(url).content.decode())  # saved: no suggestion any more
    assert not again.xpath("//*[@id='rate-suggestion']")


def test_a_land_without_known_rates_gets_no_suggestion(client):
    concept = ConceptFactory(city__ags="06412000", city__name="Frankfurt am Main")  # Hessen: no rate in isek's data
    client.force_login(member(concept, "planner"))
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/rates/").content.decode())
    assert doc.xpath("string(//input[@name='r-0-rate']/@value)") == "" and not doc.xpath("//*[@id='rate-suggestion']")


# --- the funds page: a way forward --------------------------------------------------------------------


def test_the_empty_funds_page_explains_and_a_planner_creates_a_fund(client):
    from isek.finance.models import Fund

    concept, m = _concept()
    client.force_login(member(concept, "planner"))
    url = f"/concepts/{concept.slug}/funds/"
    doc = lxml.html.fromstring(client.get(url).content.decode())
    text = doc.xpath("string(//main)")
    assert "Noch keine Fonds" in text and "Verfügungsfonds" in text and "KuF" in text
    new = doc.xpath("//a[contains(., 'Fonds anlegen')]/@href")
    assert new == [f"{url}new/"]
    form = lxml.html.fromstring(client.get(new[0]).content.decode())
    assert form.xpath("string(//input[@name='grant_rate']/@value)") == "50"
    assert "VV Städtebauförderung" in form.xpath("string(//main//form)")
    bad = client.post(new[0], {"kind": "disposition", "name": "", "budget": "viel", "grant_rate": "50"})
    assert bad.status_code == 400 and "ist keine Zahl" in bad.content.decode() and not Fund.objects.exists()
    r = client.post(new[0], {"kind": "disposition", "name": "Verfügungsfonds Kalk", "measure": str(m.pk),
                             "budget": "80.000,- €", "grant_rate": "50", "rules": "", "source": ""})
    assert r.status_code == 302 and r["Location"] == url
    fund = Fund.objects.get(concept=concept)
    assert (fund.name, fund.budget, fund.measure) == ("Verfügungsfonds Kalk", D("80000"), m)
    page = client.get(url).content.decode()
    assert "Verfügungsfonds Kalk" in page and "80.000,00" in page and "Antrag erfassen" in page


def test_a_reviewer_sees_the_explanation_but_cannot_create_a_fund(client):
    from isek.finance.models import Fund

    concept, _m = _concept()
    client.force_login(member(concept, "reviewer"))
    page = client.get(f"/concepts/{concept.slug}/funds/").content.decode()
    assert "Noch keine Fonds" in page and "Fonds anlegen" not in page
    r = client.post(f"/concepts/{concept.slug}/funds/new/", {"kind": "disposition", "name": "X", "budget": "1", "grant_rate": "50"})
    assert r.status_code == 403 and not Fund.objects.exists()
