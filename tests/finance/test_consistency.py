"""One computation of the financing, shown the same everywhere.

For every measure and year of the Bochum demo and of a new city with a funding rate of 60 %, the
figures (cost, eligible cost, grant, each source – Bund, Land, EU, Eigenanteil, private, other,
ungeklärt) are read back from what each channel gives its users and compared with the engine's
result: the measure's KuF page, the KuF overview, the Excel export (its formulas evaluated by
pycel, cached values removed), the KuF PDF and the ISEK PDF (text by pdftotext), the dashboard and
the API. The other demo concepts (Lauf, Hoyerswerda) have no KuF lines: nothing to compare there;
the new city is built the way Hoyerswerda is, with a KuF added.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from decimal import Decimal as D

import lxml.html
import openpyxl
import pytest
from pycel import ExcelCompiler

from isek.api import tokens
from isek.finance import engine, excel, kuf, presenters
from isek.finance import services as finance
from isek.monitoring import reports

from ..conftest import client_for
from .test_excel import without_cached_values

ZERO = D("0.00")
FIGURES = ("cost", "eligible", "grant", *engine.SOURCES, engine.OVERFINANCED)
FIGURE_LABELS = {"Kosten": "cost", "förderfähig": "eligible", "Zuwendung (Bund + Land)": "grant",
                 **{str(label): key for key, label in presenters.SOURCE_LABELS.items()},
                 str(presenters.OVERFINANCED_LABEL): engine.OVERFINANCED}
OVERVIEW = ["cost", "grant", *engine.SOURCES, engine.OVERFINANCED]  # the per-year rows of the KuF page and PDF
NUMBER = re.compile(r"(?<![\d.,])-?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?![\d.,])")  # "1.234,56", "12.345", not "2024"


def de(text: str) -> D:
    """A German-formatted amount ("1.234,56 €") as a Decimal; blank is 0."""
    text = text.replace("€", "").replace("\xa0", "").strip()
    return D(text.replace(".", "").replace(",", ".")) if text else ZERO


def pdf_lines(path) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout.splitlines()


def numbers_after(line: str, label: str) -> list[D]:
    return [de(n) for n in NUMBER.findall(line[line.index(label) + len(label):])]


def pdf_rows(lines: list[str]) -> list[tuple[str, list[D]]]:
    """Table rows of pdftotext's layout text: (label, amounts); a label that the PDF wrapped
    onto the next lines (which then hold no amounts) is joined again."""
    rows = []
    for ln in lines:
        found = NUMBER.search(ln)
        if found and ln[:found.start()].strip():
            rows.append((" ".join(ln[:found.start()].split()), [de(n) for n in NUMBER.findall(ln)]))
        elif rows and ln.strip() and not found and len(ln.split()) <= 3:
            rows[-1] = (f"{rows[-1][0]} {' '.join(ln.split())}", rows[-1][1])
        elif not ln.strip() and rows:
            rows.append(("", []))  # a blank line ends a wrapped label
    return [r for r in rows if r[0]]


def year_rows(lines: list[str], labels: dict[str, str]) -> dict[int, dict[str, D]]:
    """Per year the figures of the rows labelled as in ``labels`` (label → figure), from the
    table whose header starts with "Quelle" (the years, then "Summe")."""
    head = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Quelle"))
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", lines[head])]
    per_year: dict = {y: {} for y in years}
    for label, values in pdf_rows(lines[head + 1:]):
        if label in labels:
            assert len(values) == len(years) + 1, (label, values)
            for y, v in zip(years, values, strict=False):
                per_year[y][labels[label]] = v
    return per_year


def _text(el) -> str:
    return " ".join(el.text_content().split())


# --- the engine: what every channel must show ------------------------------------------------------


def expected(result: engine.KufResult) -> tuple[dict, dict]:
    """(per measure number and year: {figure: amount}, per year: {figure: total})."""
    numbers = {m.key: m.number for m in result.measures}
    cells = {(numbers[m], y): {"cost": c.cost, "eligible": c.eligible, "grant": c.grant,
                               **{s: c.sources.get(s, ZERO) for s in engine.SOURCES},
                               engine.OVERFINANCED: c.overfinanced} for (m, y), c in result.cells.items()}
    years = {y: {w: result.year_total(y, w) for w in FIGURES} for y in result.years}
    return cells, years


# --- the channels ------------------------------------------------------------------------------------


def measure_page_figures(client, concept, measure) -> dict[int, dict[str, D]]:
    """The measure's KuF page: year → {column label: amount} as the table shows it."""
    page = client.get(f"/concepts/{concept.slug}/kuf/measures/{measure.pk}/")
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.content.decode())
    table = next(t for t in doc.iter("table") if "Berechnete Finanzierung" in _text(t.find("caption")))
    head = [_text(th) for th in table.find("thead").iter("th")][1:]
    out = {}
    for tr in table.find("tbody").iter("tr"):
        year = int(_text(tr.find("th")))
        out[year] = dict(zip(head, (de(_text(td)) for td in tr.findall("td")), strict=False))
    return out


def measure_pages(client, concept) -> dict:
    out = {}
    for m in concept.measures.all():
        for year, row in measure_page_figures(client, concept, m).items():
            out[(m.number, year)] = {FIGURE_LABELS[label]: v for label, v in row.items()}
    return out


def overview_page(client, concept) -> tuple[dict, dict]:
    """The KuF overview: cost per measure and year (summed over its cost groups), and per year
    each source, the cost and the grant (tranche)."""
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/kuf/").content.decode())
    numbers = {str(m.pk): m.number for m in concept.measures.all()}
    costs = doc.get_element_by_id("kuf-table")
    years = [int(t) for t in (_text(th) for th in costs.find("thead").iter("th")) if t.isdigit()]
    cells: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    for tr in costs.iter("tr"):
        if tr.get("data-measure"):
            for y, td in zip(years, tr.findall("td")[:-1], strict=True):
                cells[(numbers[tr.get("data-measure")], y)]["cost"] += de(_text(td))
        elif _text(tr.find("th")) == "Kosten gesamt":
            total_cost = [de(_text(td)) for td in tr.findall("td")[:-1]]
    per_year = {y: {"cost": total_cost[i]} for i, y in enumerate(years)}
    for tr in doc.get_element_by_id("kuf-financing").find("tbody").iter("tr"):
        key = tr.get("data-source") or ("grant" if "Tranche" in _text(tr.find("th")) else None)
        for y, td in zip(years, tr.findall("td")[:-1], strict=True):
            per_year[y][key] = de(_text(td))
    return {k: dict(v) for k, v in cells.items()}, per_year


def excel_export(concept, tmp_path) -> tuple[dict, dict]:
    """The Excel export, every formula evaluated by pycel (no cached values)."""
    path = tmp_path / "kuf.xlsx"
    finance.export_kuf(concept, None, "xlsx", path)
    path = without_cached_values(path, tmp_path)
    ws = openpyxl.load_workbook(path)["KuF"]
    xl = ExcelCompiler(filename=str(path))
    head = [c.value for c in ws[4]]
    years = {i: y for i, y in enumerate(head) if isinstance(y, int)}
    keys = {"förderfähige Kosten": "eligible", **{v: k for k, v in excel.SOURCE_LABELS.items()}}
    groups = set(finance.cost_groups(concept))
    cells: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    per_year: dict = defaultdict(dict)

    def value(row, col) -> D:
        v = xl.evaluate(f"KuF!{ws.cell(row, col + 1).coordinate}")
        return D(str(round(v or 0, 2))) + ZERO

    for row in ws.iter_rows(min_row=5):
        number, label, what = row[0].value, row[1].value, row[2].value
        r = row[0].row
        if number and (what in keys or what in groups):
            key = keys.get(what, "cost")
            for col, y in years.items():
                cells[(str(number), y)][key] += value(r, col)
        elif isinstance(label, str) and label.startswith("Summe ") and label[6:] in keys:
            for col, y in years.items():
                per_year[y][keys[label[6:]]] = value(r, col)
        elif label in ("Kosten gesamt", "Summe Zuwendung Städtebauförderung (Bund + Land)"):
            for col, y in years.items():
                per_year[y]["cost" if label == "Kosten gesamt" else "grant"] = value(r, col)
    for figures in cells.values():  # the file has a row for Bund and one for Land, not for their sum
        figures["grant"] = figures["bund"] + figures["land"]
    return {k: dict(v) for k, v in cells.items()}, dict(per_year)


def kuf_pdf(concept, tmp_path) -> dict:
    """The KuF PDF: per year each source, the cost and the tranche."""
    path = tmp_path / "kuf.pdf"
    finance.export_kuf(concept, None, "pdf", path)
    lines = pdf_lines(path)
    labels = {str(label): key for key, label in presenters.SOURCE_LABELS.items()}
    labels[str(presenters.OVERFINANCED_LABEL)] = engine.OVERFINANCED
    labels["Jährliche Tranche (Zuwendung Bund + Land)"] = "grant"
    start = next(i for i, ln in enumerate(lines) if "Finanzierung nach Quellen" in ln)
    end = next(i for i, ln in enumerate(lines) if "Prüfhinweise" in ln)
    per_year = year_rows(lines[start:end], labels)
    for label, values in pdf_rows(lines[:start]):
        if label == "Kosten gesamt":
            for y, v in zip(per_year, values, strict=False):
                per_year[y]["cost"] = v
    return per_year


MEASURE_COLUMNS = ("cost", "grant", "municipality", "further")  # section 6; further: EU, private, other, unidentified


def further(total) -> object:
    return sum(total(w) for w in ("eu", "private", "other", "unidentified"))


def isek_pdf(concept, tmp_path) -> tuple[dict, dict, dict]:
    """The ISEK PDF: per measure cost, grant, own share and further money (to the cent) with their sums
    (section 6), per year each source, the cost and the tranche (section 7)."""
    path = tmp_path / "isek.pdf"
    reports.isek_pdf(concept, path)
    lines = pdf_lines(path)
    six = next(i for i, ln in enumerate(lines) if ln.strip().startswith("6 Maßnahmen"))
    seven = next(i for i, ln in enumerate(lines) if ln.strip().startswith("7 Kosten und Finanzierung"))
    numbers = {m.number for m in concept.measures.all()}
    per_measure, sums = {}, {}
    # financing above the cost adds a column "Überfinanzierung" (read, then left to tests/finance/test_overfinancing.py)
    columns = (*MEASURE_COLUMNS, "over") if any("Überfinanzierung (€)" in ln for ln in lines[six:seven]) else MEASURE_COLUMNS
    for ln in lines[six:seven]:
        first = ln.split()[0] if ln.split() else ""
        if first in numbers and first not in per_measure and NUMBER.findall(ln):
            row = dict(zip(columns, (de(n) for n in NUMBER.findall(ln)[-len(columns):]), strict=True))
            per_measure[first] = {k: row[k] for k in MEASURE_COLUMNS}
        elif first == "Summe" and not sums:
            sums = dict(zip(MEASURE_COLUMNS, numbers_after(ln, "Summe"), strict=False))
    labels = {str(label): key for key, label in presenters.SOURCE_LABELS.items()}
    labels.update({"Kosten": "cost", "Tranche (Bund + Land)": "grant"})
    end = next(i for i, ln in enumerate(lines) if "Beträge in Euro, centgenau" in ln)
    per_year = year_rows(lines[seven:end], labels)
    return per_measure, sums, per_year


def dashboard(client, concept) -> dict:
    """The dashboard's table of financing per year and source (to the cent, as every other page)."""
    doc = lxml.html.fromstring(client.get(f"/concepts/{concept.slug}/dashboard/").content.decode())
    table = doc.get_element_by_id("finance-table")
    years = [int(t) for t in (_text(th) for th in table.find("thead").iter("th")) if t.isdigit()]
    rows = {str(label): key for key, label in presenters.SOURCE_LABELS.items()}
    per_year: dict = {y: {} for y in years}
    for tr in table.find("tbody").iter("tr"):
        for y, td in zip(years, tr.findall("td"), strict=True):
            per_year[y][rows[_text(tr.find("th"))]] = de(_text(td))
    return per_year


def api(user, concept) -> dict:
    _t, key = tokens.create(user, "Test")
    from django.test import Client

    data = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"/api/v1/concepts/{concept.slug}/kuf/").json()
    return {(r["measure"], r["year"]): {"cost": D(r["cost"]), "eligible": D(r["eligible"]), "grant": D(r["grant"]),
                                        **{k: D(v) for k, v in r["sources"].items()}} for r in data["rows"]}


# --- the comparison ------------------------------------------------------------------------------------


def differences(channel: str, got: dict, want: dict, figures=None, rounding=None) -> list[str]:
    """Every key and figure where ``got`` differs from ``want`` (optionally only ``figures``,
    ``want`` rounded as the channel rounds); a figure the channel does not show counts as 0
    only where the channel omits zero rows."""
    out = []
    for key in sorted(set(got) | set(want), key=str):
        g, w = got.get(key, {}), want.get(key, {})
        for what in figures or FIGURES:
            wv = w.get(what, ZERO)
            if rounding:
                wv = rounding(wv)
            gv = g.get(what, ZERO)
            if gv != wv:
                out.append(f"{channel}: {key} {what}: shows {gv}, engine {wv}")
    return out


@pytest.fixture
def overfinanced_city(new_city):
    """The new city where private money is added to a year already financed: 5.000 € above the cost."""
    from isek.finance.models import Financing

    Financing.objects.create(measure=new_city.measures.get(number="1.1"), year=2027, source="private",
                             amount=D("45000.00"), status="planned", reason="Stiftung")
    return new_city


@pytest.fixture
def two_thirds_city(new_city):
    """Issue 23: the new city at 66 ⅔ % ("66 2/3") with 500.000 € eligible in 2030 on measure 1.2 – the
    year whose grant was shown as 166.666,67 + 166.666,67 = 333.333,34 €, a cent above the rate."""
    from isek.demo.loader import DEMO
    from isek.finance.models import CostItem

    rates = list(finance.FundingRate.objects.filter(concept=new_city))
    for r in rates:
        r.rate = D("66.6666666667")  # "66 2/3" as the rates form keeps it
    finance.save_rates(DEMO, new_city, rates=rates)
    CostItem.objects.create(measure=new_city.measures.get(number="1.2"), year=2030, amount=D("500000.00"),
                            eligible=D("500000.00"), cost_group=next(g for g in finance.CostGroup.of(new_city) if g.number == "3"))
    return new_city


@pytest.fixture(params=["bochum", "new_city", "overfinanced_city", "two_thirds_city"])
def concept_and_user(request, db):
    concept = request.getfixturevalue(request.param)
    if request.param == "overfinanced_city":
        assert kuf.current(concept).total(engine.OVERFINANCED) == D("5000.00")
    if request.param == "two_thirds_city":  # the grant rounded once, the Land the rest (decision 0091)
        cell = kuf.current(concept).cells[(str(concept.measures.get(number="1.2").pk), 2030)]
        assert (cell.eligible, cell.grant, cell.sources["bund"], cell.sources["land"]) == (
            D("500000.00"), D("333333.33"), D("166666.67"), D("166666.66"))
    if request.param == "bochum":
        return concept, request.getfixturevalue("users")["planner"]
    return concept, concept.roles.get().user


def test_every_channel_shows_the_engines_figures(concept_and_user, tmp_path):
    concept, user = concept_and_user
    client = client_for(user)
    result = kuf.current(concept)
    cells, years = expected(result)
    # What the test reads must carry the interesting figures, or it could not fail.
    assert any(f["municipality"] for f in cells.values()) and any(f["grant"] for f in cells.values())
    # Per measure and year, to the cent.
    problems = differences("measure page", measure_pages(client, concept), cells)
    problems += differences("API", api(user, concept), cells, figures=FIGURES[:-1])  # the API has no overfinancing yet
    xl_cells, xl_years = excel_export(concept, tmp_path)
    problems += differences("Excel", xl_cells, cells)
    problems += differences("Excel sums", xl_years, years)
    page_cells, page_years = overview_page(client, concept)
    problems += differences("KuF overview (costs)", page_cells, cells, figures=["cost"])
    problems += differences("KuF overview (sources)", page_years, years, figures=OVERVIEW)
    problems += differences("KuF PDF", kuf_pdf(concept, tmp_path), years, figures=OVERVIEW)
    problems += differences("dashboard", dashboard(client, concept), years, figures=engine.SOURCES)
    per_measure, sums, isek_years = isek_pdf(concept, tmp_path)
    want_measures = {m.number: {**{w: result.measure_total(m.key, w) for w in MEASURE_COLUMNS[:3]},
                                "further": further(lambda w, key=m.key: result.measure_total(key, w))}
                     for m in result.measures}
    problems += differences("ISEK PDF (measures)", per_measure, want_measures, figures=list(MEASURE_COLUMNS))
    want_sums = {**{w: result.total(w) for w in MEASURE_COLUMNS[:3]}, "further": further(result.total)}
    problems += differences("ISEK PDF (sum)", {"Summe": sums}, {"Summe": want_sums}, figures=list(MEASURE_COLUMNS))
    problems += differences("ISEK PDF (finance)", isek_years, years, figures=["cost", "grant", *engine.SOURCES])
    channels = sorted({p.split(":")[0] for p in problems})
    assert not problems, f"{len(problems)} differences in {', '.join(channels)}:\n" + "\n".join(problems[:40])
