"""Financing above the cost (walk 4): a measure's year of 30.000 € with a grant of 60 % and private
co-financing of 15.000 € read "Eigenanteil der Gemeinde -3.000,00". The own share is never
negative: it is 0,00 and the excess is shown as "Überfinanzierung" on the measure's KuF page, the
KuF overview, its PDF and the Excel file (whose formulas give the same)."""

from __future__ import annotations

import subprocess
from decimal import Decimal as D

import lxml.html
import openpyxl
import pytest
from pycel import ExcelCompiler

from isek.finance import services as finance
from isek.finance.models import CostItem, Financing, FundingRate
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, member

from .test_excel import without_cached_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def overfinanced():
    concept = ConceptFactory(start_year=2026, end_year=2026)
    m = MeasureFactory(concept=concept, primary_field=FieldFactory(concept=concept), number="1.1", title="Platz",
                       start="2026-01-01", end="2026-12-31")
    FundingRate.objects.create(concept=concept, year=2026, rate=D(60))
    group = finance.CostGroup.of(concept).first()
    CostItem.objects.create(measure=m, year=2026, cost_group=group, amount=D("30000"), eligible=D("30000"))
    Financing.objects.create(measure=m, year=2026, source="private", amount=D("15000"), status="secured",
                             reason="Zuschuss eines Eigentümers")
    return concept, m


def test_the_engine_keeps_the_own_share_at_zero_and_names_the_excess(overfinanced):
    concept, m = overfinanced
    result = finance.current(concept)
    cell = result.cells[(str(m.pk), 2026)]
    assert cell.sources["municipality"] == D("0.00") and cell.overfinanced == D("3000.00")
    assert result.year_total(2026, "overfinanced") == D("3000.00") and result.total("municipality") == D("0.00")
    assert "third_party" in [w.code for w in result.warnings]  # private money: lower the eligible cost (test_kuf_rules)


def test_pages_show_zero_own_share_and_the_overfinancing(overfinanced, client):
    concept, m = overfinanced
    client.force_login(member(concept, "planner"))
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/measures/{m.pk}/").content.decode())
    row = doc.get_element_by_id("measure-figures").find("tr")
    shown = {td.get("data-figure"): td.text_content().strip() for td in row.findall("td")}
    assert shown["municipality"] == "0,00" and shown["overfinanced"] == "3.000,00"
    assert "Überfinanzierung" in doc.xpath("string(//thead)")
    page = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    assert "-3.000,00" not in page
    doc = lxml.html.fromstring(page)
    over = doc.get_element_by_id("kuf-financing").xpath(".//tr[@data-source='overfinanced']")[0]
    assert over.find("th").text_content().startswith("Überfinanzierung")
    assert [td.text_content().strip() for td in over.findall("td")] == ["3.000,00", "3.000,00"]
    assert "Finanzierung übersteigt die Kosten (30.000,00 €) um 3.000,00 €." in page  # the hint names the excess (walk 6)


def test_the_pdf_and_the_excel_formulas_agree(overfinanced, tmp_path):
    concept, _m = overfinanced
    pdf = tmp_path / "kuf.pdf"
    finance.export_kuf(concept, None, "pdf", pdf)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "-3.000,00" not in text and "Überfinanzierung (über den Kosten) 3.000,00 3.000,00" in text
    path = tmp_path / "kuf.xlsx"
    finance.export_kuf(concept, None, "xlsx", path)
    path = without_cached_values(path, tmp_path)
    ws = openpyxl.load_workbook(path)["KuF"]
    xl = ExcelCompiler(filename=str(path))
    sums = {row[1].value: row[3].coordinate for row in ws.iter_rows(min_row=5)
            if isinstance(row[1].value, str) and row[1].value.startswith("Summe ")}
    assert xl.evaluate(f"KuF!{sums['Summe Eigenanteil der Gemeinde']}") == 0
    assert xl.evaluate(f"KuF!{sums['Summe Überfinanzierung (über den Kosten)']}") == 3000
