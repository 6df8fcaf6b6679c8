"""Cost groups per Land: NRW keeps the groups of its FRL 2023 (Nr. 7–11); a concept in another Land
uses isek's general catalogue, whose codes are no Land's numbering, and every document names it."""

from __future__ import annotations

import importlib
import re
import subprocess
from decimal import Decimal as D

import openpyxl
import pytest
from django.apps import apps

from isek import access
from isek.finance import services
from isek.finance.models import CostGroup, CostItem, ImportMapping
from isek.monitoring import reports
from tests.factories import ConceptFactory, FieldFactory, MeasureFactory, member, multipolygon, square

pytestmark = pytest.mark.django_db

# "7.3", "9.1", "11.1" – a group number of NRW's FRL 2023, not part of a date or an amount.
NRW_CODE = re.compile(r"(?<![\d.,])(?:7|8|9|10|11)\.[1-3](?![\d.,])")
NRW_NAMES = ("Straßen, Wege und Plätze", "Quartiersmanagement und Steuerung", "Nr. 7–11", "FRL Städtebauförderung NRW")
GENERAL = "allgemeine Gliederung (isek)"


def _bayreuth():
    concept = ConceptFactory(city__ags="09462000", city__name="Bayreuth", name="ISEK Innenstadt Bayreuth",
                             area=multipolygon(square(11.58, 49.94)))
    m = MeasureFactory(concept=concept, title="Umgestaltung Marktplatz")
    for year, number in ((2025, "1"), (2026, "3")):
        CostItem.objects.create(measure=m, year=year, cost_group=CostGroup.of(concept).get(number=number),
                                amount=D("250000"), eligible=D("200000"))
    return concept


def _pdf_text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def _no_nrw_groups(text: str, where: str):
    assert GENERAL in text, f"{where} does not name the catalogue"
    assert not NRW_CODE.findall(text), f"{where} shows NRW group numbers {NRW_CODE.findall(text)}"
    for name in NRW_NAMES:
        assert name not in text, f"{where} shows {name!r}"


def test_catalogues_per_land():
    assert CostGroup.catalogue_of(ConceptFactory(city__ags="05911000")).key == "nrw-frl-2023"
    for ags in ("09462000", "14625240", "16051000"):
        concept = ConceptFactory(city__ags=ags)
        assert CostGroup.catalogue_of(concept).name == GENERAL
        assert [(g.number, g.name) for g in CostGroup.of(concept)] == [
            ("1", "Vorbereitung"), ("2", "Ordnungsmaßnahmen"), ("3", "Baumaßnahmen"),
            ("4", "Verfügungsfonds und andere Fonds"), ("5", "Sonstige Ausgaben")]


def test_a_bavarian_concepts_documents_carry_no_nrw_group_numbers(client, tmp_path):
    concept = _bayreuth()
    client.force_login(member(concept, "planner"))
    page = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    _no_nrw_groups(page, "KuF page")
    assert "3 Baumaßnahmen" in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    form = client.get(f"/concepts/{concept.slug}/kuf/measures/{concept.measures.get().pk}/").content.decode()
    assert "Baumaßnahmen" in form and "Straßen, Wege und Plätze" not in form
    r = client.get(f"/concepts/{concept.slug}/kuf.xlsx")
    (tmp_path / "k.xlsx").write_bytes(b"".join(r.streaming_content))
    wb = openpyxl.load_workbook(tmp_path / "k.xlsx")
    cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    _no_nrw_groups(cells, "Excel")
    assert "3 Baumaßnahmen" in cells
    r = client.get(f"/concepts/{concept.slug}/kuf.pdf")
    (tmp_path / "k.pdf").write_bytes(b"".join(r.streaming_content))
    _no_nrw_groups(_pdf_text(tmp_path / "k.pdf"), "KuF PDF")
    reports.isek_pdf(concept, tmp_path / "isek.pdf")
    _no_nrw_groups(_pdf_text(tmp_path / "isek.pdf"), "ISEK PDF")


def test_the_bochum_demo_keeps_nrws_groups(bochum, users, tmp_path):
    before = sorted(CostItem.objects.filter(measure__concept=bochum).values_list("cost_group__catalogue", "cost_group__number"))
    assert before and {c for c, _n in before} == {"nrw-frl-2023"}
    services.export_kuf(bochum, None, "xlsx", tmp_path / "b.xlsx")
    cells = " ".join(str(c.value) for ws in openpyxl.load_workbook(tmp_path / "b.xlsx")
                     for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "Fördergegenstände nach FRL Städtebauförderung NRW 2023, Nr. 7–11" in cells and GENERAL not in cells
    assert NRW_CODE.search(cells)
    migration = importlib.import_module("isek.finance.migrations.0006_general_cost_groups")
    migration.forward(apps, None)
    assert sorted(CostItem.objects.filter(measure__concept=bochum).values_list(
        "cost_group__catalogue", "cost_group__number")) == before


def test_the_migration_moves_other_laender_to_the_general_catalogue():
    nrw = {g.number: g for g in CostGroup.objects.filter(catalogue="nrw-frl-2023")}
    concept = ConceptFactory(city__ags="09462000")
    m = MeasureFactory(concept=concept)
    # Written as before the catalogues: NRW's groups for a Bavarian concept.
    CostItem.objects.create(measure=m, year=2026, cost_group=nrw["9.1"], amount=D("100"), eligible=D("80"), note="Platz")
    CostItem.objects.create(measure=m, year=2026, cost_group=nrw["9.2"], amount=D("50.50"), eligible=D("50"), note="Grün")
    CostItem.objects.create(measure=m, year=2026, cost_group=nrw["7.3"], amount=D("10"), eligible=D("10"))
    CostItem.objects.create(measure=m, year=2027, cost_group=nrw["10.2"], amount=D("5"), eligible=D("5"))
    ImportMapping.objects.create(concept=concept, mapping={"columns": {}, "years": {}, "cost_group": "9.1", "ignore": []})
    importlib.import_module("isek.finance.migrations.0006_general_cost_groups").forward(apps, None)
    assert sorted(CostItem.objects.filter(measure=m).values_list("year", "cost_group__catalogue", "cost_group__number",
                                                                 "amount", "eligible", "note")) == [
        (2026, "general", "1", D("10"), D("10"), ""),
        (2026, "general", "3", D("150.50"), D("130"), "Platz; Grün"),
        (2027, "general", "4", D("5"), D("5"), "")]
    assert ImportMapping.objects.get(concept=concept).mapping["cost_group"] == "3"


def test_the_import_resolves_groups_in_the_concepts_catalogue(tmp_path):
    op = access.Operator("test")
    concept = ConceptFactory(city__ags="09462000", start_year=2025, end_year=2028)
    FieldFactory(concept=concept, number=1, name="Öffentlicher Raum")
    wb = openpyxl.Workbook()
    for row in (["Nr.", "Maßnahme", "Handlungsfeld", "Kostengruppe", "2025"], ["1.1", "Marktplatz", "1", "3", 1000]):
        wb.active.append(row)
    wb.save(tmp_path / "l.xlsx")
    plan = services.plan_measure_import(op, concept, tmp_path / "l.xlsx")
    assert not plan.problems
    services.commit_measure_import(op, concept, plan)
    assert list(CostItem.objects.filter(measure__concept=concept).values_list("cost_group__catalogue", "cost_group__number")) \
        == [("general", "3")]
    wb.active["D2"] = "9.1"  # an NRW number is not a group of a Bavarian concept
    wb.save(tmp_path / "nrw.xlsx")
    problems = " ".join(str(p) for p in services.plan_measure_import(op, concept, tmp_path / "nrw.xlsx").problems)
    assert "gibt es nicht" in problems and "9.1" in problems
    nrw = ConceptFactory(city__ags="05911000", start_year=2025, end_year=2028)
    FieldFactory(concept=nrw, number=1, name="Öffentlicher Raum")
    assert not services.plan_measure_import(op, nrw, tmp_path / "nrw.xlsx").problems


def test_the_excel_marks_fixed_private_money_yellow_with_its_reason(tmp_path):
    from isek.finance.models import Financing

    concept = _bayreuth()
    m = concept.measures.get()
    Financing.objects.create(measure=m, year=2026, source="private", amount=D("200000"), reason="Zusage des Eigentümers")
    services.export_kuf(concept, None, "xlsx", tmp_path / "k.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "k.xlsx").active
    assert "Gelb: abweichend festgelegter Betrag" in ws["A2"].value
    cells = [c for row in ws.iter_rows() for c in row if c.value == 200000 and ws.cell(c.row, 3).value == "Private / Dritte"]
    assert len(cells) == 1
    cell = cells[0]
    assert cell.fill.fgColor.rgb.upper().endswith("FFF4CE")
    reason = next(c.column for c in ws[4] if str(c.value or "").startswith("Begründung"))
    assert ws.cell(cell.row, reason).value == "2026: Zusage des Eigentümers"


def test_an_estimate_is_shown_in_one_money_format_everywhere(client):
    concept = ConceptFactory(city__ags="09462000")
    m = MeasureFactory(concept=concept, title="Neue Mitte", estimated_cost=D("1250000.50"))
    whole = MeasureFactory(concept=concept, title="Alter Markt", estimated_cost=D("80000"))
    for page in (client.get(m.get_absolute_url()).content.decode(),  # public
                 client.get(whole.get_absolute_url()).content.decode()):
        assert "1.250.001" not in page
    assert "1.250.000,50 €" in client.get(m.get_absolute_url()).content.decode()
    assert "80.000 €" in client.get(whole.get_absolute_url()).content.decode()
    client.force_login(member(concept, "planner"))
    team = client.get(m.get_absolute_url()).content.decode()
    kuf = client.get(f"/concepts/{concept.slug}/kuf/").content.decode()
    form = client.get(f"/concepts/{concept.slug}/kuf/measures/{m.pk}/").content.decode()
    for where, page in (("team", team), ("KuF", kuf), ("Kosten erfassen", form)):
        assert "1.250.000,50 €" in page, where
    assert "80.000 €" in kuf and "80.000,00" not in kuf


def test_a_cost_item_refuses_a_group_of_another_catalogue():
    from django.core.exceptions import ValidationError

    concept = ConceptFactory(city__ags="09462000", start_year=2025, end_year=2028)
    item = CostItem(measure=MeasureFactory(concept=concept), year=2026, amount=D("10"), eligible=D("10"),
                    cost_group=CostGroup.objects.get(catalogue="nrw-frl-2023", number="9.1"))
    with pytest.raises(ValidationError) as err:
        item.full_clean()
    assert "allgemeine Gliederung (isek)" in str(err.value.message_dict["cost_group"])
    item.cost_group = CostGroup.of(concept).get(number="3")
    item.full_clean()
