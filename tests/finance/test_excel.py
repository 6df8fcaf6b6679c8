"""The exported workbook: every formula, recomputed by an independent evaluator (pycel), gives
the engine's figures to the cent; changing a rate cell changes the grants."""

from decimal import Decimal as D

import openpyxl
import pytest
from pycel import ExcelCompiler

from isek.finance import engine as e
from isek.finance import excel

pytestmark = pytest.mark.database_independent

RULES = e.Rules(rates={2020: D("0.6"), 2021: D("0.7"), 2022: D("0.55")}, federal_share=D("0.33333333"),
                start_year=2020, end_year=2022, cap=D("100000"))
MEASURES = [e.MeasureRef("1", "1.1", "Platz"), e.MeasureRef("2", "2.1", "Fonds"), e.MeasureRef("3", "2.2", "Büro")]
COSTS = [
    e.CostLine("1", 2020, "9.1", D("100000.01"), D("90000.33")),
    e.CostLine("1", 2021, "9.1", D("50000"), D("50000")),
    e.CostLine("1", 2021, "7.1", D("3333.33"), D("3333.33")),
    e.CostLine("2", 2021, "10.2", D("20000"), D("10000")),
    e.CostLine("3", 2022, "7.3", D("80000"), D("80000")),
]
FIN = [
    e.FinancingLine("2", 2021, "private", D("10000"), "secured", "Eigentümer"),
    e.FinancingLine("3", 2022, "bund", D("30000"), "secured", "Bescheid"),
    e.FinancingLine("3", 2022, "municipality", D("10000"), "secured", "Haushalt"),
    e.FinancingLine("1", 2020, "eu", D("5000"), "applied", "EFRE"),
]


def rows_by_label(ws):
    out = {}
    for row in ws.iter_rows(min_row=5):
        number, label = row[0].value, row[2].value
        if number and label:
            out[(str(number), str(label))] = row[0].row
    return out


def without_cached_values(path, tmp_path):
    """The workbook re-saved by openpyxl, which keeps the formulas but drops their cached
    results: whatever pycel reports afterwards it must have computed itself."""
    stripped = tmp_path / "stripped.xlsx"
    openpyxl.load_workbook(path).save(stripped)
    formulas = [c.coordinate for row in openpyxl.load_workbook(stripped)["KuF"].iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    cached = openpyxl.load_workbook(stripped, data_only=True)["KuF"]
    assert formulas and all(cached[c].value is None for c in formulas)
    return stripped


@pytest.fixture
def workbook(tmp_path):
    result = e.compute(MEASURES, COSTS, FIN, RULES)
    path = tmp_path / "kuf.xlsx"
    excel.write(result, path, "KuF Test")
    return result, without_cached_values(path, tmp_path)


def test_every_figure_recomputed_independently(workbook):
    result, path = workbook
    ws = openpyxl.load_workbook(path)["KuF"]
    xl = ExcelCompiler(filename=str(path))
    rows = rows_by_label(ws)
    years = result.years
    labels = {"eligible": "förderfähige Kosten", **excel.SOURCE_LABELS}
    checked = 0
    for m in MEASURES:
        for what, label in labels.items():
            r = rows.get((m.number, label))
            if r is None:
                continue
            for i, y in enumerate(years):
                col = chr(ord("D") + i)
                got = xl.evaluate(f"KuF!{col}{r}") or 0
                cell = result.cells.get((m.key, y), e.Cell())
                want = {"cost": cell.cost, "eligible": cell.eligible}.get(what, cell.sources.get(what, D(0)))
                assert D(str(round(got, 2))) == want, (m.number, what, y, got, want)
                checked += 1
    assert checked == len(MEASURES) * len(labels) * len(years)  # every measure, figure and year


def test_sums_and_totals_are_formulas_matching_the_engine(workbook):
    result, path = workbook
    ws = openpyxl.load_workbook(path)["KuF"]
    xl = ExcelCompiler(filename=str(path))
    total_col = chr(ord("D") + len(result.years))
    sums = {}
    for row in ws.iter_rows(min_row=5):
        if isinstance(row[1].value, str) and (row[1].value.startswith("Summe ") or row[1].value == "Kosten gesamt"):
            sums[row[1].value] = row[0].row
    grant_row = sums["Summe Zuwendung Städtebauförderung (Bund + Land)"]
    assert str(ws[f"{total_col}{grant_row}"].value).startswith("=SUM(")
    assert D(str(round(xl.evaluate(f"KuF!{total_col}{grant_row}"), 2))) == result.total("grant")
    assert D(str(round(xl.evaluate(f"KuF!{total_col}{sums['Summe Eigenanteil der Gemeinde']}"), 2))) == result.total("municipality")
    assert D(str(round(xl.evaluate(f"KuF!{total_col}{sums['Kosten gesamt']}"), 2))) == result.total("cost")
    # each cost-group subtotal too
    for g in ("9.1", "7.1", "10.2", "7.3"):
        want = sum((v for (gg, _m, _y), v in result.cost_by_group.items() if gg == g), D(0))
        assert D(str(round(xl.evaluate(f"KuF!{total_col}{sums['Summe ' + g]}"), 2))) == want


def test_grant_cells_refer_to_the_rate_cells(workbook):
    result, path = workbook
    wb = openpyxl.load_workbook(path)
    ws, params = wb["KuF"], wb["Parameter"]
    assert [r[0].value for r in params.iter_rows(min_row=3, max_row=5)] == [2020, 2021, 2022]
    rows = rows_by_label(ws)
    bund_2021 = ws[f"E{rows[('1.1', 'Städtebauförderung Bund')]}"].value
    assert "Parameter!$B$4" in bund_2021 and "Parameter!$B$" in bund_2021
    # A funding officer changes the 2021 rate to 80 %: the grant follows.
    xl = ExcelCompiler(filename=str(path))
    assert xl.evaluate("Parameter!B4") == pytest.approx(0.7)
    xl.set_value("Parameter!B4", 0.8)
    land = xl.evaluate(f"KuF!E{rows[('1.1', 'Städtebauförderung Land')]}")
    bund = xl.evaluate(f"KuF!E{rows[('1.1', 'Städtebauförderung Bund')]}")
    # the grant rounded once, the Bund its share to the cent, the Land the rest (decision 0091):
    # 53.333,33 × 0,8 = 42.666,664 → 42.666,66; × 0,33333333 = 17.777,7749 → 17.777,78; Land 24.888,88
    assert (round(bund, 2), round(land, 2)) == (17777.78, 24888.88)


def reason_of(ws, row: int) -> str | None:
    """The text of the row's "Begründung" column (header row 4)."""
    column = next(c.column for c in ws[4] if str(c.value or "").startswith("Begründung"))
    return ws.cell(row, column).value


def test_overrides_are_yellow_values_with_their_reason_in_the_row(workbook):
    _result, path = workbook
    ws = openpyxl.load_workbook(path)["KuF"]
    rows = rows_by_label(ws)
    cell = ws[f"F{rows[('2.2', 'Städtebauförderung Bund')]}"]
    assert cell.value == 30000 and cell.fill.fgColor.rgb.upper().endswith("FFF4CE")
    assert reason_of(ws, rows[("2.2", "Städtebauförderung Bund")]) == "2022: Bescheid"
    assert reason_of(ws, rows[("2.2", "Eigenanteil der Gemeinde")]) == "2022: Haushalt"
    assert reason_of(ws, rows[("1.1", "EU")]) == "2020: EFRE"
    assert reason_of(ws, rows[("1.1", "Städtebauförderung Bund")]) is None  # computed: no reason
    assert "Begründung in der Spalte" in ws["A2"].value


def test_a_reason_for_several_years_is_written_once_with_their_span(tmp_path):
    fin = [e.FinancingLine("1", y, "eu", D("100"), "secured", "EFRE-Bescheid") for y in (2020, 2021)]
    fin += [e.FinancingLine("1", 2022, "eu", D("100"), "applied", "EFRE-Antrag"),
            e.FinancingLine("2", 2020, "eu", D("100"), "secured", "Zusage"),
            e.FinancingLine("2", 2022, "eu", D("100"), "secured", "Zusage")]
    costs = [*COSTS, e.CostLine("1", 2022, "9.1", D("1000"), D("1000"))]
    path = tmp_path / "k.xlsx"
    excel.write(e.compute(MEASURES, costs, fin, RULES), path, "KuF Test")
    ws = openpyxl.load_workbook(path)["KuF"]
    rows = rows_by_label(ws)
    assert reason_of(ws, rows[("1.1", "EU")]) == "2020–2021: EFRE-Bescheid; 2022: EFRE-Antrag"
    assert reason_of(ws, rows[("2.1", "EU")]) == "2020: Zusage; 2022: Zusage"


def test_a_half_cent_gives_the_engines_cent_in_the_spreadsheet_too(tmp_path):
    """17,500,000 € × a federal share of 0.33333333 is 5,833,333.275 €: the engine rounds it to
    …,28; a spreadsheet multiplies in binary (…,274999999) and, without the formulas' first
    rounding to 6 places, gave …,27 (Bochum's measure 5.1 in 2024)."""
    rules = e.Rules(rates={2024: D("0.6")}, federal_share=D("0.33333333"), start_year=2024, end_year=2024)
    result = e.compute([e.MeasureRef("1", "5.1", "Haus")], [e.CostLine("1", 2024, "9.3", D("17500000"), D("17500000"))],
                       [], rules)
    assert result.cells[("1", 2024)].sources["bund"] == D("5833333.28")
    path = tmp_path / "kuf.xlsx"
    excel.write(result, path, "KuF")
    path = without_cached_values(path, tmp_path)
    xl = ExcelCompiler(filename=str(path))
    rows = rows_by_label(openpyxl.load_workbook(path)["KuF"])
    assert round(xl.evaluate(f"KuF!D{rows[('5.1', 'Städtebauförderung Bund')]}"), 2) == 5833333.28
    # the Land the rest of the grant (decision 0091): 10.500.000,00 − 5.833.333,28
    assert result.cells[("1", 2024)].sources["land"] == D("4666666.72")
    assert round(xl.evaluate(f"KuF!D{rows[('5.1', 'Städtebauförderung Land')]}"), 2) == 4666666.72


def test_shares_are_rounded_to_6_places_then_to_cents():
    assert e.share(D("17500000"), D("0.33333333")) == D("5833333.28")
    assert e.share(D("100000.01"), D("0.6")) == D("60000.01")
    assert e.share(D("0.05"), D("0.5")) == D("0.03")  # half a cent rounds up
