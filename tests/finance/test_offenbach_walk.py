"""A stranger's walk through the KuF of Offenbach am Main (Hessen, AGS 06413000):

M4. Hessen funds at 66 2/3 %: the rate field refused "66 2/3" and "2/3", "66,6667" got "höchstens 5
    Ziffern", and "66,67" gave measure 2 (2.400.000 € eligible) 1.600.080,00 € instead of
    1.600.000,00 €. A rate is now taken as a fraction and stored to 10 decimals, shown as "66 ⅔ %".
M5. A measure outside the funding area got its grant with no check in the KuF ("Keine Prüfhinweise",
    dashboard "Hinweise (0)") though its page and the readiness checks warned.
M6. A Verfügungsfonds entered as a measure in cost group "4 Verfügungsfonds und andere Fonds" (3 ×
    50.000 €) was funded at the full rate without the check of the 50 % rule (VV Städtebauförderung).
Minor 3. A rate for "2026 bis 2035" came back as ten rows: changing it meant editing ten fields.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal as D

import lxml.html
import openpyxl
import pytest
from pycel import ExcelCompiler

from isek.finance import services as finance
from isek.finance.engine import exact_share
from isek.finance.models import CostGroup, CostItem, FundingProgramme, FundingRate
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, member
from tests.finance.test_excel import rows_by_label, without_cached_values

pytestmark = pytest.mark.django_db

OFFENBACH = {"city__ags": "06413000", "city__name": "Offenbach am Main"}


@pytest.fixture
def offenbach(client):
    concept = ConceptFactory(start_year=2030, end_year=2030, programme="lebendige_zentren", **OFFENBACH)
    m = MeasureFactory(concept=concept, primary_field=FieldFactory(concept=concept), number="2", title="Marktplatz",
                       start="2030-01-01", end="2030-12-31")
    client.force_login(member(concept, "planner"))
    return concept, m


def _rates_post(row: dict) -> dict:
    data = {"r-TOTAL_FORMS": "1", "r-INITIAL_FORMS": "0", "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "1000",
            "cap-amount": "", "cap-basis": ""}
    data.update({f"r-0-{k}": v for k, v in row.items()})
    return data


def _cost(m, number, amount, year=2030):
    group = CostGroup.of(m.concept).get(number=number)
    return CostItem.objects.create(measure=m, year=year, cost_group=group, amount=D(amount), eligible=D(amount))


def _warnings(client, concept) -> str:
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/").content.decode())
    return doc.xpath("string(//*[@id='kuf-warnings'])")


def _pdf_text(client, concept, tmp_path) -> str:
    r = client.get(f"/concepts/{concept.slug}/kuf.pdf")
    pdf = tmp_path / "kuf.pdf"
    pdf.write_bytes(b"".join(r.streaming_content) if r.streaming else r.content)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


# --- M4: a rate of two thirds ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["66 2/3", "66⅔", "66 ⅔ %", "2/3"])
def test_two_thirds_is_taken_as_a_fraction_and_gives_the_exact_cent(offenbach, client, tmp_path, typed):
    concept, m = offenbach
    _cost(m, "3", "2400000")
    url = f"/concepts/{concept.slug}/kuf/rates/"
    r = client.post(url, _rates_post({"year": "2030", "rate": typed, "basis": "Bescheid"}))
    assert r.status_code == 302, r.content.decode()[:3000]
    assert FundingRate.objects.get(concept=concept).rate == D("66.6666666667")
    # the form shows it so that it can be sent again unchanged
    form = lxml.html.fromstring(client.get(url).content.decode())
    assert form.xpath("string(//input[@name='r-0-rate']/@value)") == "66 2/3"

    cell = finance.current(concept).cells[(str(m.pk), 2030)]
    federal = FundingProgramme.objects.get(code="lebendige_zentren").federal_share
    bund = (D("2400000") * exact_share(federal)).quantize(D("0.01"))  # the stored 0,33333333 is a third (0075)
    assert bund == D("800000.00")
    assert (cell.grant, cell.sources["bund"], cell.sources["land"]) == (D("1600000.00"), bund, D("1600000.00") - bund)

    page = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/").content.decode())
    assert page.xpath("string(//*[@id='kuf-grant-total'])").strip() == "1.600.000,00"
    assert "2030: 66 ⅔ %" in page.xpath("string(//*[@id='params']/..)")

    r = client.get(f"/concepts/{concept.slug}/kuf.xlsx")
    path = tmp_path / "kuf.xlsx"
    path.write_bytes(b"".join(r.streaming_content))
    path = without_cached_values(path, tmp_path)
    rows = rows_by_label(openpyxl.load_workbook(path)["KuF"])
    xl = ExcelCompiler(filename=str(path))
    assert round(xl.evaluate(f"KuF!D{rows[('2', 'Städtebauförderung Bund')]}"), 2) == float(bund)
    assert round(xl.evaluate(f"KuF!D{rows[('2', 'Städtebauförderung Land')]}"), 2) == float(D("1600000.00") - bund)
    assert openpyxl.load_workbook(path)["Parameter"]["B3"].number_format == "0.00##%"  # 66.6667%, not 66.67%

    text = _pdf_text(client, concept, tmp_path)
    assert "2030: 66 ⅔ %" in text and "1.600.000,00" in text and "1.600.080,00" not in text


def test_more_decimals_are_taken_as_typed(offenbach, client):
    concept, _m = offenbach
    r = client.post(f"/concepts/{concept.slug}/kuf/rates/", _rates_post({"year": "2030", "rate": "66,6667", "basis": ""}))
    assert r.status_code == 302
    assert FundingRate.objects.get(concept=concept).rate == D("66.6667")
    assert "2030: 66,6667 %" in client.get(f"/concepts/{concept.slug}/kuf/").content.decode()


@pytest.mark.parametrize("typed", ["66,12345678901", "sechzig", "2/3 %", "1/0",
                                   # beyond Decimal's precision: were HTTP 500 (the second reader)
                                   "99999999999999999999999999999/1", "1 99999999999999999999999999999/1",
                                   "99999999999999999999999999999999999 ⅔"])
def test_a_malformed_or_too_precise_rate_says_what_is_allowed(offenbach, client, typed):
    concept, _m = offenbach
    r = client.post(f"/concepts/{concept.slug}/kuf/rates/", _rates_post({"year": "2030", "rate": typed, "basis": ""}))
    assert r.status_code == 400
    doc = lxml.html.fromstring(r.content.decode())
    text = " ".join(doc.xpath("string(//*[@id='id_r-0-rate']/ancestor::*[contains(@class, 'kern-form-input')][1])").split())
    assert f"„{typed}“" in text
    if typed != "1/0":
        assert "66 2/3" in text and "2/3" in text
    # the KuF page reads a scenario's rate from its address: the same input answers, never a 500
    assert client.get(f"/concepts/{concept.slug}/kuf/", {"scenario": "1", "rate": typed}).status_code in (200, 400)
    assert "Ziffern" not in text
    assert not FundingRate.objects.filter(concept=concept).exists()


def test_a_fund_rate_with_too_many_decimals_says_how_many_are_allowed(offenbach, client):
    """Minor 14: "höchstens 5 Ziffern" did not say that only two decimals are allowed."""
    concept, _m = offenbach
    r = client.post(f"/concepts/{concept.slug}/funds/new/", {
        "kind": "disposition", "name": "Verfügungsfonds Innenstadt", "measure": "", "budget": "50000",
        "grant_rate": "49,995", "max_per_m2": "", "rules": "", "source": ""})
    assert r.status_code == 400
    assert "höchstens 3 Stellen vor und 2 nach dem Komma" in r.content.decode()
    assert not concept.funds.exists()


# --- M5: a grant to a measure outside the funding area ----------------------------------------------

MARKTPLATZ = (8.7661, 50.1035)  # Offenbach am Main (WGS84)


def _locate(concept, m, coords):
    """The funding area a 200 m × 200 m square around the Marktplatz, the measure's location a
    polygon drawn relative to it in metres (EPSG:25832, Hessen's official CRS)."""
    import shapely

    from isek.core import geo

    c = geo.transform(shapely.Point(MARKTPLATZ), "EPSG:4326", "EPSG:25832")
    square = shapely.box(c.x - 100, c.y - 100, c.x + 100, c.y + 100)
    concept.area = geo.to_django(shapely.MultiPolygon([geo.transform(square, "EPSG:25832", "EPSG:4326")]))
    concept.save()
    shape = shapely.Polygon([(c.x + dx, c.y + dy) for dx, dy in coords])
    m.geometry = geo.to_django(geo.transform(shape, "EPSG:25832", "EPSG:4326"))
    m.save()


@pytest.fixture
def outside(offenbach):
    """Measure 2 (100 m × 50 m) reaches 40 m beyond the area's east edge: 40 % outside; 1 Mio. € at 60 %."""
    concept, m = offenbach
    _locate(concept, m, [(40, 0), (140, 0), (140, 50), (40, 50)])
    FundingRate.objects.create(concept=concept, year=2030, rate=D(60))
    _cost(m, "3", "1000000")
    return concept, m


def test_a_grant_to_a_measure_outside_the_funding_area_is_a_check_on_the_kuf_page_and_dashboard(outside, client):
    concept, m = outside
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/").content.decode())
    li = doc.xpath("//*[@id='kuf-warnings']//li[contains(., 'außerhalb des Fördergebiets')]")
    assert len(li) == 1
    text = " ".join(li[0].text_content().split())
    assert text.startswith("2 Marktplatz:") and "zu 40 % außerhalb des Fördergebiets" in text
    assert "Zuwendung von 600.000,00 €" in text
    assert li[0].xpath(".//a/@href") == [f"/concepts/{concept.slug}/measures/{m.pk}/edit/"]
    board = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/dashboard/").content.decode())
    assert board.xpath("string(//*[@id='warn-heading'])").strip() == "Hinweise (1)"
    assert "600.000,00" in board.xpath("string(//*[@id='warnings'])")
    checks = client.get(f"/concepts/{concept.slug}/readiness/").content.decode()  # said there once, in its own words
    assert "Verortung prüfen (ca. 2.000 m² / 40 % außerhalb des Fördergebiets)" in checks
    assert "die KuF rechnet ihr aber" not in checks
    client.get("/language/en/")
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/").content.decode())
    assert "40 % outside the funding area" in doc.xpath("string(//*[@id='kuf-warnings'])")


def test_the_kuf_pdf_names_the_measure_outside_the_funding_area(outside, client, tmp_path):
    text = " ".join(_pdf_text(client, outside[0], tmp_path).split())
    assert "2 Marktplatz: Die Lage der Maßnahme liegt zu 40 % außerhalb des Fördergebiets" in text
    assert "Zuwendung von 600.000,00 €" in text


def test_a_measure_inside_the_area_or_without_grant_has_no_such_check(offenbach):
    concept, m = offenbach
    _locate(concept, m, [(-40, 0), (60, 0), (60, 50), (-40, 50)])  # inside
    FundingRate.objects.create(concept=concept, year=2030, rate=D(60))
    item = _cost(m, "3", "1000000")
    assert not [w for w in finance.current(concept).warnings if w.code == "outside_area"]
    _locate(concept, m, [(40, 0), (140, 0), (140, 50), (40, 50)])  # outside, but nothing eligible
    CostItem.objects.filter(pk=item.pk).update(eligible=D(0))
    assert not [w for w in finance.current(concept).warnings if w.code == "outside_area"]


# --- M6: a Verfügungsfonds in the general catalogue's group 4 -----------------------------------------


@pytest.fixture
def disposition_fund(client):
    concept = ConceptFactory(start_year=2030, end_year=2032, programme="lebendige_zentren", **OFFENBACH)
    m = MeasureFactory(concept=concept, primary_field=FieldFactory(concept=concept), number="4", title="Verfügungsfonds",
                       start="2030-01-01", end="2032-12-31")
    for year in (2030, 2031, 2032):
        FundingRate.objects.create(concept=concept, year=year, rate=D("66.6666666667"))
        _cost(m, "4", "50000", year)
    client.force_login(member(concept, "planner"))
    return concept, m


def test_a_disposition_fund_in_cost_group_4_is_checked_against_the_half_rule(disposition_fund, client):
    concept, m = disposition_fund
    result = finance.current(concept)
    assert result.cells[(str(m.pk), 2031)].grant == D("33333.33")  # 50.000 × ⅔ rounded once (decision 0091)
    assert [w.year for w in result.warnings if w.code == "fund_share"] == [2030, 2031, 2032]
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/").content.decode())
    li = doc.xpath("//*[@id='kuf-warnings']//li[contains(., 'Verfügungsfonds (Kostengruppe 4')]")
    assert len(li) == 3
    text = " ".join(li[1].text_content().split())
    assert text.startswith("4 Verfügungsfonds (2031): Verfügungsfonds (Kostengruppe 4, 50.000,00 €)")
    assert "Zuwendung von 33.333,33 € liegt über 50 % des Fonds (25.000,00 €)" in text
    # at most what the grant allows (decision 0080), the grant rounded once (decision 0091):
    # 37.500,00 € give 25.000,00 €, 37.500,01 € give 25.000,0067 → 25.000,01 €
    assert "VV Städtebauförderung" in text and "höchstens 37.500,00 €" in text
    board = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/dashboard/").content.decode())
    assert board.xpath("string(//*[@id='warn-heading'])").strip() == "Hinweise (3)"


def test_the_funds_most_eligible_cost_is_what_the_grant_allows_to_the_cent(disposition_fund):
    """The hint's "höchstens … €" is computed by the grant's own function (decision 0080): with the
    eligible cost it names the check passes, a cent more and it does not. At 66 ⅔ % the grant of
    37.500,01 € is 25.000,0067 → 25.000,01 € (decision 0091: rounded once; Bund 12.500,0033 →
    12.500,00, the Land the rest) – above half of 50.000 €."""
    concept, m = disposition_fund
    item = CostItem.objects.get(measure=m, year=2031)
    checked = {}
    for eligible in ("37500.00", "37500.01", "37500.02"):
        CostItem.objects.filter(pk=item.pk).update(eligible=D(eligible))
        result = finance.current(concept)
        cell = result.cells[(str(m.pk), 2031)]
        checked[eligible] = (cell.sources["bund"], cell.sources["land"],
                             any(w.code == "fund_share" and w.year == 2031 for w in result.warnings))
    assert checked == {"37500.00": (D("12500.00"), D("12500.00"), False),
                       "37500.01": (D("12500.00"), D("12500.01"), True),
                       "37500.02": (D("12500.01"), D("12500.00"), True)}
    from isek.finance import engine, kuf

    rules = kuf.rules_for(concept)
    assert engine.most_eligible(D("25000.00"), rules.rates[2031], rules) == D("37500.00")
    # a version frozen between decisions 0075 and 0091 (each share to the cent) keeps its own answer
    frozen = engine.Rules(**{**rules.__dict__, "split": "each"})
    assert engine.most_eligible(D("25000.00"), rules.rates[2031], frozen) == D("37500.01")
    assert engine.most_eligible(D("25000.00"), D(0), rules) == D(0)


def test_a_facade_programme_in_cost_group_4_is_not_a_disposition_fund(disposition_fund):
    from isek.finance.models import Fund

    concept, m = disposition_fund
    fund = Fund.objects.create(concept=concept, measure=m, kind=Fund.Kind.FACADE, name="Hof- und Fassadenprogramm",
                               budget=D("150000"))
    assert not [w for w in finance.current(concept).warnings if w.code == "fund_share"]
    Fund.objects.create(concept=concept, measure=m, kind=Fund.Kind.DISPOSITION, name="Verfügungsfonds", budget=D("1"))
    assert len([w for w in finance.current(concept).warnings if w.code == "fund_share"]) == 3
    fund.delete()


# --- minor 3: a range of years is one row, changed as one ----------------------------------------------


def _rows(client, url) -> list[tuple[str, str, str]]:
    doc = lxml.html.fromstring(client.get(url).content.decode())
    count = int(doc.xpath("string(//input[@name='r-INITIAL_FORMS']/@value)"))
    return [tuple(doc.xpath(f"string(//input[@name='r-{i}-{name}']/@value)") for name in ("year", "until_year", "rate"))
            for i in range(count)]


def test_a_range_of_years_comes_back_as_one_row_and_changes_as_one(client):
    concept = ConceptFactory(start_year=2026, end_year=2035, **OFFENBACH)
    client.force_login(member(concept, "planner"))
    url = f"/concepts/{concept.slug}/kuf/rates/"
    r = client.post(url, _rates_post({"year": "2026", "until_year": "2035", "rate": "60", "basis": "Bescheid"}))
    assert r.status_code == 302 and FundingRate.objects.filter(concept=concept).count() == 10
    pks = set(FundingRate.objects.filter(concept=concept).values_list("pk", flat=True))
    assert _rows(client, url) == [("2026", "2035", "60")]
    # a page shown before (one row per year) is refused as a whole, not read as "2026 alone"
    stale = {"r-TOTAL_FORMS": "10", "r-INITIAL_FORMS": "10", "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "1000",
             "cap-amount": "", "cap-basis": ""}
    for i, rate in enumerate(FundingRate.objects.filter(concept=concept)):
        stale.update({f"r-{i}-id": str(rate.pk), f"r-{i}-year": str(rate.year), f"r-{i}-rate": "50", f"r-{i}-basis": ""})
    r = client.post(url, stale)
    assert r.status_code == 400 and "Bitte die Seite neu laden; nichts wurde gespeichert." in r.content.decode()
    assert {x.rate for x in FundingRate.objects.filter(concept=concept)} == {D(60)}
    assert set(FundingRate.objects.filter(concept=concept).values_list("pk", flat=True)) == pks

    first = FundingRate.objects.get(concept=concept, year=2026)
    row = {"id": str(first.pk), "year": "2026", "until_year": "2035", "rate": "66 2/3", "basis": "Bescheid"}
    r = client.post(url, {**_rates_post(row), "r-INITIAL_FORMS": "1"})
    assert r.status_code == 302, r.content.decode()[:3000]
    rates = FundingRate.objects.filter(concept=concept)
    assert {x.rate for x in rates} == {D("66.6666666667")} and set(rates.values_list("pk", flat=True)) == pks  # changed, not new
    assert _rows(client, url) == [("2026", "2035", "66 2/3")]

    r = client.post(url, {**_rates_post({**row, "until_year": "2030"}), "r-INITIAL_FORMS": "1"})  # shortened
    assert r.status_code == 302
    assert list(FundingRate.objects.filter(concept=concept).values_list("year", flat=True)) == list(range(2026, 2031))

    r = client.post(url, {**_rates_post({**row, "until_year": "2030", "DELETE": "on"}), "r-INITIAL_FORMS": "1"})
    assert r.status_code == 302 and not FundingRate.objects.filter(concept=concept).exists()


def test_years_with_different_rates_stay_rows_of_their_own(client):
    concept = ConceptFactory(start_year=2026, end_year=2029, **OFFENBACH)
    client.force_login(member(concept, "planner"))
    for year, rate in ((2026, "60"), (2027, "60"), (2028, "66.6666666667"), (2029, "60")):
        FundingRate.objects.create(concept=concept, year=year, rate=D(rate))
    assert _rows(client, f"/concepts/{concept.slug}/kuf/rates/") == [("2026", "2027", "60"), ("2028", "", "66 2/3"),
                                                                     ("2029", "", "60")]
