"""The KuF as a planner uses it in the browser: warnings, a scenario, a version, a comparison,
and an Excel download whose formulas give the page's totals."""

import re
from decimal import Decimal as D

import openpyxl
import pytest
from pycel import ExcelCompiler

from isek.concepts.models import Measure
from tests.finance.test_excel import without_cached_values

from .conftest import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def euro(text: str) -> D:
    """A German money figure as shown on the page ("1.234,56"); an empty cell is 0."""
    text = text.strip().replace(".", "").replace(",", ".")
    return D(text) if text else D(0)


def test_planner_works_with_the_kuf(page, live_bochum, tmp_path):
    base, concept = live_bochum
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/kuf/")
    warnings = page.locator("#kuf-warnings li")
    assert warnings.count() >= 2
    assert "außerhalb des Zeitraums" in page.inner_text("#kuf-warnings")
    assert axe_violations(page) == []

    # Scenario: the Husemannplatz one year later.
    husemann = Measure.objects.get(concept=concept, number="2.1")
    page.select_option("#id_shift_measure", str(husemann.pk))
    page.fill("#id_shift_years", "1")
    page.locator("#scenario-form button[type=submit]").click()
    page.wait_for_selector("#scenario-table")
    row_2027 = page.locator("#scenario-table tr[data-year='2027'] td")
    plan_cost, scenario_cost = euro(row_2027.nth(0).text_content()), euro(row_2027.nth(1).text_content())
    assert scenario_cost - plan_cost == D("4000000.00")
    assert page.locator("#scenario-table .isek-changed").count() >= 4

    # Freeze the current plan and compare it with the first application.
    page.goto(f"{base}/concepts/bochum-innenstadt/kuf/")
    page.fill("#freeze-form #id_name", "Fortschreibung 2026 (Test)")
    page.select_option("#freeze-form #id_kind", "update")
    page.locator("#freeze-form button[type=submit]").click()
    page.wait_for_selector("text=Fortschreibung 2026 (Test)")
    page.select_option("#cmp-a", label="Erstantrag 2019 (illustrativ)")
    page.select_option("#cmp-b", label="Fortschreibung 2026 (Test)")
    page.locator("#compare-form button[type=submit]").click()
    page.wait_for_selector("#compare-table")
    assert "2.1 Umgestaltung des Husemannplatzes" in page.inner_text("#compare-table")

    # Download the Excel file: its formulas give the totals on the page.
    page_grant = euro(page.text_content("#kuf-grant-total"))
    page_cost = euro(page.text_content("#kuf-cost-total"))
    with page.expect_download() as dl:
        page.get_by_role("link", name="Excel (mit Formeln)").click()
    path = tmp_path / "kuf.xlsx"
    dl.value.save_as(path)
    stripped = without_cached_values(path, tmp_path)
    ws = openpyxl.load_workbook(stripped)["KuF"]
    rows = {row[1].value: row[0].row for row in ws.iter_rows(min_row=5) if isinstance(row[1].value, str)}
    header = [c.value for c in ws[4]]
    total_col = openpyxl.utils.get_column_letter(header.index("Summe") + 1)
    xl = ExcelCompiler(filename=str(stripped))
    grant = D(str(round(xl.evaluate(f"KuF!{total_col}{rows['Summe Zuwendung Städtebauförderung (Bund + Land)']}"), 2)))
    cost = D(str(round(xl.evaluate(f"KuF!{total_col}{rows['Kosten gesamt']}"), 2)))
    assert (grant, cost) == (page_grant, page_cost)


def test_analysis_page_shows_values_per_quarter(page, live_bochum):
    from isek.demo import loader

    base, concept = live_bochum
    loader.analyse(concept)
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/analysis/")
    row = page.locator("#indicator-table tr[data-indicator='schools_count'] td")
    assert row.count() == 1 + 1 + concept.quarters.count()  # unit, funding area, quarters
    assert int(re.match(r"\d+", row.nth(1).text_content().strip()).group()) > 0
    assert "Überbauungsgrad: braucht einen OSM-Extrakt" in page.inner_text("#runs")
    assert axe_violations(page) == []


def test_planner_takes_over_a_measure_list_from_a_spreadsheet(page, live_bochum, tmp_path):
    """Upload, preview with the column mapping, a changed mapping, commit: the KuF shows the new
    measure; the preview and the page are checked with axe."""
    base, concept = live_bochum
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/kuf/")
    page.click("text=Maßnahmenliste übernehmen")
    sheet = tmp_path / "liste.csv"
    sheet.write_bytes("Nr.;Titel;Handlungsfeld;Jahr;Kosten;Notiz\r\n"
                      "9.9;Neue Sitzbänke (Test);1;2026;12.000,00;aus der Bürgerbeteiligung\r\n".encode("cp1252"))
    assert axe_violations(page) == []
    page.set_input_files("#id_file", str(sheet))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-counts")
    # Without a cost group the row cannot be taken over; the message names the row and the way out.
    assert "Zeile 2: keine Kostengruppe angegeben; bitte eine Spalte zuordnen" in page.inner_text("#import-errors")
    # The mapping's heading stands above its first select's label, not run into it; selects are KERN's.
    legend = page.locator("main fieldset legend").first.bounding_box()
    label = page.locator("main fieldset label").first.bounding_box()
    assert legend["y"] + legend["height"] <= label["y"]
    assert page.locator("main form select:not(.kern-form-input__select)").count() == 0
    assert axe_violations(page) == []
    page.select_option("#id_cost_group", "9.1")
    page.click("button[value=preview]")
    page.wait_for_selector("#import-counts")
    assert "1 neu" in page.inner_text("#import-counts") and page.locator("#import-errors").count() == 0
    page.click("button[value=commit]")
    page.wait_for_url(f"{base}/concepts/bochum-innenstadt/kuf/")
    assert "Maßnahmenliste übernommen: 1 neu" in page.inner_text("main")
    m = Measure.objects.get(concept=concept, number="9.9")
    assert m.title == "Neue Sitzbänke (Test)" and m.cost_items.get().amount == D("12000.00")
    assert "Neue Sitzbänke (Test)" in page.inner_text("main")


def test_measure_finance_page_shows_each_figure_under_its_heading(page, live_bochum):
    """The measure's computed financing: the own share under „Eigenanteil der Gemeinde“, nothing
    under „ungeklärt“ (the engine's figures); the page passes axe."""
    from isek.finance import kuf

    base, concept = live_bochum
    husemann = Measure.objects.get(concept=concept, number="2.1")
    year, cell = kuf.current(concept).measure_years(str(husemann.pk))[0]
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/kuf/measures/{husemann.pk}/")
    heads = [h.strip() for h in page.locator("main table").first.locator("thead th").all_text_contents()]
    row = page.locator(f"#measure-figures tr[data-year='{year}'] td").all_text_contents()
    shown = dict(zip(heads[1:], (euro(v) for v in row), strict=True))
    assert shown["Eigenanteil der Gemeinde"] == cell.sources["municipality"] > 0
    assert shown["ungeklärt"] == cell.sources["unidentified"] == 0
    assert shown["Zuwendung (Bund + Land)"] == cell.grant
    assert axe_violations(page) == []


def test_a_new_measure_reaches_the_kuf_from_its_page(page, live_bochum):
    """A measure made on the measure form (no costs, an estimate) has its row in the KuF; from its
    own page the planner enters its costs, the first line filled in from the estimate."""
    from isek import access
    from isek.concepts import services as concepts
    from isek.finance.models import CostGroup

    base, concept = live_bochum
    m = concepts.save_measure(access.Operator("test"), concept, Measure(
        number="9.8", title="Neue Spielfläche (Test)", primary_field=concept.fields_of_action.first(),
        estimated_cost=D("80000")))
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/kuf/")
    row = page.locator(f"#kuf-table tr[data-measure='{m.pk}']")
    assert "80.000 €" in row.inner_text() and "Kosten erfassen" in row.inner_text()
    assert "Maßnahme 9.8 hat weder Kosten noch Finanzierung." in page.inner_text("#kuf-warnings")
    assert axe_violations(page) == []

    page.goto(f"{base}/concepts/bochum-innenstadt/measures/{m.pk}/")
    assert "noch keine Kosten erfasst" in page.inner_text("#measure-kuf")
    assert axe_violations(page, exclude_map=True) == []
    page.click("#measure-kuf-link")
    page.wait_for_url(f"{base}/concepts/bochum-innenstadt/kuf/measures/{m.pk}/")
    assert page.input_value("#id_c-0-amount") == "80.000,00"  # in the German notation of the UI
    assert axe_violations(page) == []
    page.select_option("#id_c-0-cost_group", str(CostGroup.objects.get(number="9.1").pk))
    page.fill("#id_c-0-eligible", "60000")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/concepts/bochum-innenstadt/kuf/")
    assert "Maßnahme 9.8 hat weder" not in page.inner_text("main")
    assert page.locator(f"#kuf-table tr[data-measure='{m.pk}'][data-uncosted]").count() == 0
    assert m.cost_items.get().eligible == D("60000")


def test_planner_maps_a_value_the_list_names_differently(page, live_bochum, tmp_path):
    """A field of action written as the planner's own list writes it: chosen in the preview
    (checked with axe), then taken over."""
    base, concept = live_bochum
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/kuf/import/")
    sheet = tmp_path / "liste.csv"
    sheet.write_bytes("Nr.;Titel;Handlungsfeld;Kostengruppe;Jahr;Kosten\r\n"
                      "9.8;Baumscheiben (Test);Grün in der Stadt;9.1;2026;4.000,00\r\n".encode("cp1252"))
    page.set_input_files("#id_file", str(sheet))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-counts")
    assert "„Grün in der Stadt“ gibt es in diesem Konzept nicht" in page.inner_text("#import-errors")
    select = page.get_by_label("„Grün in der Stadt“")
    assert axe_violations(page) == []
    field = concept.fields_of_action.order_by("number").first()
    select.select_option(str(field.number))
    page.click("button[value=preview]")
    page.wait_for_selector("#import-counts")
    assert page.locator("#import-errors").count() == 0 and "1 neu" in page.inner_text("#import-counts")
    page.click("button[value=commit]")
    page.wait_for_url(f"{base}/concepts/bochum-innenstadt/kuf/")
    assert Measure.objects.get(concept=concept, number="9.8").primary_field == field
