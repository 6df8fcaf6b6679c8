"""A planner's walk in Berlin (Bezirksamt Mitte, "Lebendige Zentren", 2027–2034): the reports read
as text (pdftotext) must add up as printed, label the planner's assumptions as what they are, cite
the template of the fields of action as a template and name the basis of the funding rates."""

from __future__ import annotations

import csv
import datetime
import re
import subprocess
from decimal import Decimal as D

import pytest

from isek.finance import kuf
from isek.finance import services as finance
from isek.monitoring import reports

from ..conftest import client_for

BUND, LAND = "Städtebauförderung Bund", "Städtebauförderung Land"
BASIS = "Annahme: Bund 1/3, Land Berlin Rest"
AMOUNT = re.compile(r"(?<![\d.,])-?\d{1,3}(?:\.\d{3})*(?:,\d\d)?(?![\d.,])")  # "1.234,56", "12.345"; not "2027"


def de(text: str) -> D:
    return D(text.replace(".", "").replace(",", "."))


def pdf_lines(path) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout.splitlines()


def pdf_text(path) -> str:
    return " ".join(" ".join(pdf_lines(path)).split())


def amounts(line: str) -> list[D]:
    """The amounts of a table row (years such as "2027" are no amounts: no thousands dot)."""
    return [de(n) for n in AMOUNT.findall(line) if "." in n or "," in n or n == "0"]


def between(lines: list[str], start: str, end: str) -> list[str]:
    i = next(n for n, ln in enumerate(lines) if ln.strip().startswith(start))
    j = next(n for n, ln in enumerate(lines) if n > i and ln.strip().startswith(end))
    return lines[i:j]


def labelled(lines: list[str]) -> dict[str, list[D]]:
    """Rows that start with a label and carry amounts: label → amounts."""
    out = {}
    for ln in lines:
        found = AMOUNT.search(ln)
        label = " ".join(ln[:found.start()].split()) if found else ""
        if label and amounts(ln):
            out.setdefault(label, amounts(ln))
    return out


@pytest.fixture
def berlin(db):
    from django.contrib.auth import get_user_model

    from isek.concepts import services as concepts
    from isek.concepts.models import ConceptRole, Measure
    from isek.demo.loader import DEMO

    concept = concepts.start_concept(DEMO, ags="11000000", city_name="Berlin", slug="mitte", name="Müllerstraße",
                                     programme="lebendige_zentren", legal_basis="baugb_141", start_year=2027,
                                     end_year=2034, template="isek-allgemein")
    fields = {f.number: f for f in concept.fields_of_action.all()}
    groups = {g.number: g for g in finance.CostGroup.of(concept)}
    finance.save_rates(DEMO, concept, rates=[finance.FundingRate(year=y, rate=D("60"), basis=BASIS)
                                             for y in range(2027, 2035)])
    measures = [  # number, field, title, start, end, [(year, cost)], [(year, source, amount)]
        ("1.1", 1, "Leopoldplatz", "2027-01-01", "2028-12-31", [(2027, "1250000.50"), (2028, "1000000.25")], []),
        ("2.1", 2, "Geschäftsstraßenmanagement", "2027-01-01", "2034-12-31",
         [(y, "123456.78") for y in range(2027, 2035)], [(2029, "private", "12000.00")]),
        ("3.1", 3, "Grünzug am Nordufer", "2029-01-01", "2031-12-31", [(2029, "1456789.33"), (2030, "977000.01")], []),
        ("4.1", 4, "Ideenwerkstatt ohne Termin", None, None, [], []),
    ]
    for number, field, title, start, end, costs, extra in measures:
        m = concepts.save_measure(DEMO, concept, Measure(
            number=number, title=title, primary_field=fields[field], status="planned",
            start=start and datetime.date.fromisoformat(start), end=end and datetime.date.fromisoformat(end)))
        finance.save_costs(DEMO, concept, m, cost_items=[
            finance.CostItem(year=y, cost_group=groups["3"], amount=D(a), eligible=D(a)) for y, a in costs],
            financings=[finance.Financing(year=y, source=s, amount=D(a), status="planned", reason="Zusage")
                        for y, s, a in extra])
    planner = get_user_model().objects.create_user("planer-mitte", password="pw-test-123")
    ConceptRole.objects.create(concept=concept, user=planner, role=ConceptRole.Role.PLANNER)
    concept.refresh_from_db()
    return concept


@pytest.fixture
def isek_lines(berlin, tmp_path):
    out = tmp_path / "isek.pdf"
    reports.isek_pdf(berlin, out)
    return pdf_lines(out)


def test_isek_measure_table_adds_up_as_printed(berlin, isek_lines):
    """Section 6: each row's cost = grant + own share + further money, and the sum row is the sum of the rows."""
    rows = [amounts(ln)[-4:] for ln in between(isek_lines, "6 Maßnahmen", "7 Kosten und Finanzierung")
            if ln.split() and ln.split()[0] in {"1.1", "2.1", "3.1", "4.1"} and len(amounts(ln)) >= 4]
    assert len(rows) == 4
    total = next(amounts(ln)[-4:] for ln in isek_lines if ln.strip().startswith("Summe"))
    for cost, grant, own, further in [*rows, total]:
        assert cost == grant + own + further, (cost, grant, own, further)
    assert [sum(col) for col in zip(*rows, strict=True)] == total
    assert total[0] == kuf.current(berlin).total("cost")


def test_isek_financing_table_adds_up_as_printed(berlin, isek_lines):
    """Section 7: per year the sources add up to the cost, Bund + Land to the tranche, each row to its sum."""
    table = labelled(between(isek_lines, "7 Kosten und Finanzierung", "8 Zeitplan"))
    cost, tranche = table.pop("Kosten"), table.pop("Tranche (Bund + Land)")
    sources = {label: row for label, row in table.items() if len(row) == len(cost)}
    # Berlin's own words for the Land's part (a city-state; walk 9 found the generic ones here)
    land = finance.source_labels(berlin, "de")["land"]
    assert land != LAND and {BUND, land, "Private / Dritte"} <= set(sources), table
    for row in [*sources.values(), cost, tranche]:
        assert sum(row[:-1]) == row[-1], row
    for col in range(len(cost)):
        assert sum(r[col] for r in sources.values()) == cost[col]
        assert sources[BUND][col] + sources[land][col] == tranche[col]


def test_sachbericht_tables_add_up_as_printed(berlin, tmp_path):
    out = tmp_path / "sb.pdf"
    reports.sachbericht_pdf(berlin, 2027, out)
    lines = pdf_lines(out)
    spend = between(lines, "Im Berichtsjahr 2027", "Kumuliert bis")
    rows = [amounts(ln) for ln in spend if len(amounts(ln)) == 3 and not ln.strip().startswith("Summe")]
    total = next(amounts(ln) for ln in spend if ln.strip().startswith("Summe 2027"))
    assert rows and [sum(c) for c in zip(*rows, strict=True)] == total
    for plan, paid, delta in [*rows, total]:
        assert paid - plan == delta
    progress = between(lines, "Fortschritt nach Handlungsfeldern", "3 Ausgaben")
    weights = [amounts(ln)[-1] for ln in progress if re.match(r"\s*\d \D", ln) and amounts(ln)]
    whole = next(amounts(ln)[-1] for ln in progress if ln.strip().startswith("Gesamtmaßnahme"))
    assert weights and sum(weights) == whole


def test_planners_illustrative_text_is_labelled_an_assumption_not_demo_content(berlin, tmp_path):
    client = client_for(berlin.roles.get().user)
    page = client.get(f"/concepts/{berlin.slug}/reports/texts/").content.decode()
    assert "Annahme / illustrativ" in page
    data = {f"{key}-{f}": "" for key in ("area", "population", "retail", "strengths", "weaknesses", "opportunities",
                                          "threats", "steering", "continuation", "monitoring") for f in ("text", "source")}
    data.update({"population-text": "Rund 30.000 Einwohner im Gebiet.", "population-illustrative": "on"})
    assert client.post(f"/concepts/{berlin.slug}/reports/texts/", data).status_code == 302
    out = tmp_path / "isek.pdf"
    reports.isek_pdf(berlin, out)
    text = pdf_text(out)
    assert "Rund 30.000 Einwohner im Gebiet. Annahme / illustrativ" in text
    assert "Demo" not in text


def test_sachbericht_names_no_demo_payments_of_a_real_concept(berlin, tmp_path):
    from isek.monitoring.models import Payment

    m = berlin.measures.get(number="1.1")
    Payment.objects.create(measure=m, year=2027, amount=D("100000.00"), illustrative=True)
    out = tmp_path / "sb.pdf"
    reports.sachbericht_pdf(berlin, 2027, out)
    text = pdf_text(out)
    assert "Demo" not in text
    assert "als Annahme / illustrativ erfasst" in text


def test_isek_cites_the_template_as_a_template_for_every_field_it_gave(berlin, isek_lines):
    text = " ".join(" ".join(isek_lines).split())
    assert "stadtumbaunetzwerk" not in text
    assert "Quelle aller Handlungsfelder" not in text
    assert "Handlungsfelder 1–8: Vorlage nach „Allgemeines ISEK nach den Zielen der Städtebauförderung“" in text


def test_isek_template_citation_is_the_same_for_a_field_whose_goals_the_planner_confirmed(berlin, tmp_path):
    from isek.concepts import services as concepts
    from isek.demo.loader import DEMO

    goals = list(berlin.goals.filter(field_of_action__number=1))
    for g in goals:
        g.illustrative = False
    concepts.save_structure(DEMO, berlin, goals=goals)
    out = tmp_path / "isek.pdf"
    reports.isek_pdf(berlin, out)
    text = pdf_text(out)
    assert "Handlungsfelder 1–8: Vorlage nach „Allgemeines ISEK" in text


def test_rate_basis_is_shown_in_the_kuf_pdf_and_the_isek(berlin, tmp_path):
    kuf_pdf = tmp_path / "kuf.pdf"
    finance.export_kuf(berlin, None, "pdf", kuf_pdf)
    text = pdf_text(kuf_pdf)
    assert "Fördersätze: 2027: 60 %" in text and "Förderobergrenze: nicht festgelegt" in text
    assert f"Grundlage der Fördersätze: {BASIS}" in text
    isek = tmp_path / "isek.pdf"
    reports.isek_pdf(berlin, isek)
    section7 = pdf_text(isek).split("7 Kosten und Finanzierung")[1].split("8 Zeitplan")[0]
    assert f"Grundlage der Fördersätze: {BASIS}" in section7


def test_sachbericht_lists_only_measures_active_in_the_year(berlin, tmp_path):
    out = tmp_path / "sb.pdf"
    reports.sachbericht_pdf(berlin, 2027, out)
    section2 = pdf_text(out).split("2 Umsetzung im Berichtsjahr 2027")[1].split("Fortschritt nach Handlungsfeldern")[0]
    assert "1.1 Leopoldplatz" in section2 and "2.1 Geschäftsstraßenmanagement" in section2
    assert "Ideenwerkstatt ohne Termin" not in section2
    assert "Grünzug am Nordufer" not in section2  # starts 2029


def test_monitoring_csv_default_columns_add_up_to_the_cost(berlin, tmp_path):
    out = tmp_path / "m.csv"
    reports.monitoring_csv(berlin, out)
    head, row = list(csv.reader(out.open(encoding="utf-8-sig"), delimiter=";"))
    values = dict(zip(head, (D(v.replace(",", ".")) if re.fullmatch(r"-?\d+,\d\d", v) else v for v in row), strict=True))
    parts = [v for h, v in values.items() if h.endswith("_EUR") and h != "Kosten_gesamt_EUR"]
    assert values["Private_Dritte_EUR"] == D("12000.00")
    assert sum(parts) == values["Kosten_gesamt_EUR"] == kuf.current(berlin).total("cost")


@pytest.mark.parametrize(("value", "state"), [(21.7, "im Plan"), (22.9, "nicht im Plan")])
def test_indicator_path_counts_the_years_from_baseline_to_target_alike(berlin, value, state):
    """Baseline 23,0 in 2025, target 18,5 in 2033: a value for 2026 is 1 of 8 years along the path (22,44)."""
    from isek.demo.loader import DEMO
    from isek.monitoring import services
    from isek.monitoring.models import Indicator

    ind = services.save_indicator(DEMO, berlin, Indicator(
        code="leerstand", name="Leerstandsquote", kind="context", unit="%", baseline_value=23.0, baseline_year=2025,
        target_value=18.5, target_year=2033, source="Bezirksamt"))
    services.add_value(DEMO, berlin, ind, None, 2026, value, "Zählung 2026")
    client = client_for(berlin.roles.get().user)
    page = " ".join(client.get(f"/concepts/{berlin.slug}/indicators/{ind.pk}/").content.decode().split())
    assert f"{state}</span> (erwartet nach Zielpfad: 22,44 %)" in page
    if state == "nicht im Plan":
        dashboard = " ".join(client.get(f"/concepts/{berlin.slug}/dashboard/").content.decode().split())
        assert "(erwartet 22,44, Ziel 18,50 bis 2033)" in dashboard


def test_isek_tables_add_up_with_financing_above_the_cost(berlin, tmp_path):
    """A walk in Hoyerswerda: private money above a year's cost — the KuF showed the overfinancing, the
    ISEK PDF left it out, so its rows summed to more than the cost and the shares to 109,7 %."""
    from isek.demo.loader import DEMO

    m = berlin.measures.get(number="2.1")
    finance.save_costs(DEMO, berlin, m, cost_items=[], financings=[
        finance.Financing(year=2030, source="private", amount=D("200000.00"), status="secured", reason="Zusage")])
    over = kuf.current(berlin).total("overfinanced")
    assert over > 0
    out = tmp_path / "isek.pdf"
    reports.isek_pdf(berlin, out)
    lines = pdf_lines(out)
    rows = [amounts(ln)[-5:] for ln in between(lines, "6 Maßnahmen", "7 Kosten und Finanzierung")
            if ln.split() and ln.split()[0] in {"1.1", "2.1", "3.1", "4.1"} and len(amounts(ln)) >= 5]
    total = next(amounts(ln)[-5:] for ln in lines if ln.strip().startswith("Summe"))
    assert len(rows) == 4 and total[-1] == over
    for cost, grant, own, further, above in [*rows, total]:
        assert cost == grant + own + further - above, (cost, grant, own, further, above)
    table = labelled(between(lines, "7 Kosten und Finanzierung", "8 Zeitplan"))
    cost, above = table.pop("Kosten"), table.pop("abzüglich Überfinanzierung (über den Kosten)")
    table.pop("Tranche (Bund + Land)")
    sources = {label: row for label, row in table.items() if len(row) == len(cost)}
    for col in range(len(cost)):
        assert sum(r[col] for r in sources.values()) - above[col] == cost[col]
    assert "daher ergeben die Anteile zusammen mehr als 100 %" in pdf_text(out)
