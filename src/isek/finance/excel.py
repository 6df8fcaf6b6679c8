"""KuF as an Excel workbook whose sums and grant cells are live formulas.

Sheet ``Parameter`` holds the funding rate of each year, the federal share and the funding cap;
sheet ``KuF`` holds the measure rows with one column per year and a total column. Grants,
federal and Land parts, the own share, every sum and total refer to these cells, so a funding
officer can check them and change a rate. Overridden figures are values, marked in colour; their
reasons stand in the row's last column, "Begründung", with their years (one text per row, not a
cell comment per figure: 30,000 comments took longer than the rest of the export,
docs/decisions/0052-kuf-excel-reasons-in-a-column.md). Each formula also carries the engine's result as its cached value,
so viewers that do not recalculate show the right figures. Products are rounded as the engine
rounds them (``engine.share``: ROUND(ROUND(x,6),2)), so a recalculating spreadsheet gives the
engine's cent even where binary floating point lands just below a half cent.

Written with XlsxWriter (docs/decisions/0003-xlsx-writer.md): 1,000 measures in well under 2 s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from isek.core.numbering import number_sort_key

from . import engine

SOURCE_LABELS = {
    "bund": "Städtebauförderung Bund", "land": "Städtebauförderung Land", "eu": "EU",
    "municipality": "Eigenanteil der Gemeinde", "private": "Private / Dritte", "other": "andere Programme",
    "unidentified": "ungeklärt", engine.OVERFINANCED: "Überfinanzierung (über den Kosten)",
}
FIRST_YEAR_COL = 3  # 0-based: A Nr., B Maßnahme, C Kostengruppe / Position, D… years
HEADER_ROWS = 4


class PlainFormulaSheet(Worksheet):
    """Our formulas use only SUM, ROUND, MIN, MAX and IF, which need no "_xlfn." prefixes, so the
    prefix scan (about 30 regular expressions per formula, most of the export's time) is skipped.
    tests/finance/test_excel.py recomputes every formula, so a change in XlsxWriter shows."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        return formula[1:] if formula.startswith("=") else formula


@dataclass
class F:
    """A formula with the value the engine computed for it."""

    text: str
    value: object = 0


@dataclass
class Override:
    """A figure fixed by the planner, with the reason given."""

    value: Decimal
    reason: str


def reasons(overrides: list[tuple[int, str]]) -> str:
    """The "Begründung" text of a row from its (year, reason) pairs in year order: consecutive
    years with the same reason once, as a span ("2020–2021: Bescheid; 2023: Zusage")."""
    runs: list[list] = []  # [first year, last year, reason]
    for year, reason in overrides:
        if runs and runs[-1][2] == reason and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year, reason])
    return "; ".join(f"{a}: {r}" if a == b else f"{a}–{b}: {r}" for a, b, r in runs)


def write(result: engine.KufResult, path, title: str, group_names: dict[str, str] | None = None,
          attribution: str = "", notes: list[str] = (), labels: dict[str, str] | None = None) -> None:
    """Write the KuF workbook to ``path``; ``notes`` (the Land's funding rules) go below the
    parameters; ``labels`` name the sources (a city-state's own words), German by default."""
    labels = {**SOURCE_LABELS, **(labels or {})}
    group_names = group_names or {}
    years = result.years
    cells = result.cells
    measures = list(result.measures)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": False, "in_memory": True})
    fmt = {
        "money": wb.add_format({"num_format": '#,##0.00 "€"'}),
        "money_bold": wb.add_format({"num_format": '#,##0.00 "€"', "bold": True}),
        "override": wb.add_format({"num_format": '#,##0.00 "€"', "bg_color": "#FFF4CE"}),
        "bold": wb.add_format({"bold": True}),
        "header": wb.add_format({"bold": True, "bg_color": "#DCE6F2"}),
        "percent": wb.add_format({"num_format": "0.00##%"}),  # 66,6667 % for a rate of two thirds
        "share": wb.add_format({"num_format": "0.00000000"}),
    }

    # --- Parameter -----------------------------------------------------------------------
    ws_p = wb.add_worksheet("Parameter")
    ws_p.write(0, 0, "Parameter der KuF", fmt["bold"])
    ws_p.write_row(1, 0, ["Jahr", "Fördersatz"], fmt["header"])
    rate_ref, rate_val = {}, {}
    for i, y in enumerate(years):
        rate = result.rules.rates.get(y, Decimal(0))
        ws_p.write_number(2 + i, 0, y)
        ws_p.write_number(2 + i, 1, float(rate), fmt["percent"])
        rate_ref[y], rate_val[y] = f"Parameter!$B${3 + i}", rate
    row = 3 + len(years)
    ws_p.write(row, 0, "Bundesanteil an den förderfähigen Kosten")
    ws_p.write_number(row, 1, float(result.rules.federal_share), fmt["share"])
    fed_ref = f"Parameter!$B${row + 1}"
    ws_p.write(row + 1, 0, "Förderobergrenze")
    if result.rules.cap is not None:
        ws_p.write_number(row + 1, 1, float(result.rules.cap), fmt["money"])
    cap_ref = f"Parameter!$B${row + 2}"
    for i, note in enumerate(notes):
        ws_p.write_string(row + 3 + i, 0, note)
    ws_p.set_column(0, 0, 42)
    ws_p.set_column(1, 1, 16)

    # --- KuF: rows are collected first, then written ---------------------------------------
    ycol = {y: xl_col_to_name(FIRST_YEAR_COL + i) for i, y in enumerate(years)}
    first_y, last_y = ycol[years[0]], ycol[years[-1]]
    rows: list[tuple[list, str | None]] = []

    def excel_row() -> int:
        """1-based Excel row number of the next row."""
        return HEADER_ROWS + len(rows) + 1

    def emit(items, style=None):
        rows.append((items, style))

    def year_row(labels, values: dict[int, object], totals, style=None) -> int:
        r = excel_row()
        total = sum((_num(v) for v in values.values()), Decimal(0)) if totals is None else totals
        fixed = [(y, v.reason) for y, v in sorted(values.items()) if isinstance(v, Override)]
        emit(list(labels) + [values.get(y) for y in years] + [F(f"=SUM({first_y}{r}:{last_y}{r})", total)]
             + ([reasons(fixed)] if fixed else []), style)
        return r

    # Block A: cost by cost group and measure.
    emit(["Kosten nach Kostengruppe"], "header")
    groups = sorted({g for (g, _m, _y) in result.cost_by_group}, key=number_sort_key)
    cost_rows: dict[str, list[int]] = defaultdict(list)
    group_sum_rows = []
    for g in groups:
        emit([f"{g} {group_names.get(g, '')}".strip()], "bold")
        start = excel_row()
        members = {mk for (gg, mk, _y) in result.cost_by_group if gg == g}
        for m in _ordered(measures, members):
            vals = {y: result.cost_by_group.get((g, m.key, y)) for y in years}
            cost_rows[m.key].append(year_row([m.number, m.title, g], {y: v for y, v in vals.items() if v}, None))
        end = excel_row() - 1
        sums = {y: F(f"=SUM({ycol[y]}{start}:{ycol[y]}{end})",
                     sum((result.cost_by_group.get((g, mk, y), Decimal(0)) for mk in members), Decimal(0)))
                for y in years}
        group_sum_rows.append(year_row(["", f"Summe {g}", ""], sums, None, "bold"))
    cost_total_row = year_row(
        ["", "Kosten gesamt", ""],
        {y: F("=" + "+".join(f"{ycol[y]}{r}" for r in group_sum_rows), result.year_total(y)) if group_sum_rows else 0
         for y in years}, None, "bold")

    fin_measures = _ordered(measures, {m for (m, _y) in cells})
    by_key = {m.key: m for m in measures}
    block_rows: dict[str, dict[str, int]] = defaultdict(dict)
    pending: dict[str, dict[tuple[str, int], int]] = {}  # formulas filled once every row is known

    def cell_of(m, y) -> engine.Cell:
        return cells.get((m.key, y)) or engine.Cell()

    def block(name: str, label: str, value_for, figure) -> int:
        emit([])
        emit([label], "header")
        start = excel_row()
        for m in fin_measures:
            block_rows[name][m.key] = year_row([m.number, m.title, label], {y: value_for(m, y) for y in years},
                                               sum((figure(cell_of(m, y)) for y in years), Decimal(0)))
        end = excel_row() - 1
        sums = {y: F(f"=SUM({ycol[y]}{start}:{ycol[y]}{end})", result.year_total(y, name)) for y in years}
        return year_row(["", f"Summe {label}", ""], sums, result.total(name), "bold")

    def override(m, y, source):
        c = cells.get((m.key, y))
        if c is not None and source in c.overridden:
            return Override(c.sources[source], c.overridden[source])
        return None

    def cost_expr(m, y) -> str:
        """The measure's cost in year y: the sum of its rows in the cost-group block."""
        refs = [f"{ycol[y]}{r}" for r in cost_rows.get(m.key, [])]
        return "(" + "+".join(refs) + ")" if refs else "0"

    sum_rows = {"cost": cost_total_row}
    sum_rows["eligible"] = block("eligible", "förderfähige Kosten",
                                 lambda m, y: cell_of(m, y).eligible or None, lambda c: c.eligible)

    def elig(m, y):
        return f"{ycol[y]}{block_rows['eligible'][m.key]}"

    def default_grant(m, y):  # engine.share(): to 6 places, then to cents
        return f"ROUND(ROUND({elig(m, y)}*{rate_ref[y]},6),2)"

    def fed(m, y):
        return f"MIN({default_grant(m, y)},ROUND(ROUND({elig(m, y)}*{fed_ref},6),2))"

    def src(s):
        return lambda c: c.sources.get(s, Decimal(0))

    sum_rows["bund"] = block("bund", labels["bund"],
                             lambda m, y: override(m, y, "bund") or F(f"={fed(m, y)}", cell_of(m, y).sources.get("bund", 0)), src("bund"))
    def land(m, y):  # engine.grant_shares(): the rest of the grant (decision 0091), or each share on its own (0075)
        if result.rules.split == "each":
            return f"ROUND(ROUND({elig(m, y)}*MAX({rate_ref[y]}-{fed_ref},0),6),2)"
        return f"{default_grant(m, y)}-{fed(m, y)}"

    sum_rows["land"] = block("land", labels["land"],
                             lambda m, y: override(m, y, "land") or F(f"={land(m, y)}", cell_of(m, y).sources.get("land", 0)),
                             src("land"))
    # EU, private and other money are inputs, not computed figures: values, marked like every figure
    # fixed with a reason.
    for s in ("eu", "private", "other"):
        sum_rows[s] = block(s, labels[s], lambda m, y, s=s: override(m, y, s) or cell_of(m, y).sources.get(s) or None,
                            src(s))

    # Own share and gap refer to each other's rows: their formulas are placeholders filled below.
    def balancing(name):
        def value(m, y):
            ov = override(m, y, name)
            if ov is not None:
                return ov
            if name == "unidentified" and "municipality" not in cell_of(m, y).overridden:
                return None
            pending.setdefault(name, {})[(m.key, y)] = 1
            return ("pending", name, m.key, y, cell_of(m, y).sources.get(name, Decimal(0)))
        return value

    sum_rows["unidentified"] = block("unidentified", labels["unidentified"], balancing("unidentified"), src("unidentified"))
    sum_rows["municipality"] = block("municipality", labels["municipality"], balancing("municipality"), src("municipality"))

    def overfinanced(m, y):  # every source above the cost
        refs = "+".join(f"{ycol[y]}{block_rows[s][m.key]}" for s in engine.SOURCES)
        return F(f"=MAX(0,{refs}-{cost_expr(m, y)})", cell_of(m, y).overfinanced)

    over = engine.OVERFINANCED
    sum_rows[over] = block(over, labels[over], overfinanced, lambda c: c.overfinanced)

    def resolve(item):
        if isinstance(item, tuple) and item and item[0] == "pending":
            _, name, mkey, y, cached = item
            parts = [cost_expr(by_key[mkey], y)] + [
                f"{ycol[y]}{block_rows[n][mkey]}" for n in ("bund", "land", "eu", "private", "other", "unidentified", "municipality") if n != name]
            return F(f"=MAX(0,{'-'.join(parts)})", cached)  # financing above the cost is not a negative remainder
        return item

    emit([])
    emit(["Summen"], "header")
    sum_rows["grant"] = year_row(
        ["", "Summe Zuwendung Städtebauförderung (Bund + Land)", ""],
        {y: F(f"={ycol[y]}{sum_rows['bund']}+{ycol[y]}{sum_rows['land']}", result.year_total(y, "grant")) for y in years},
        result.total("grant"), "bold")
    year_row(["", "Jährliche Tranche (Zuwendung)", ""], {y: F(f"={ycol[y]}{sum_rows['grant']}", result.year_total(y, "grant")) for y in years},
             result.total("grant"), "bold")
    year_row(["", "Finanzierung gesamt", ""],
             {y: F("=" + "+".join(f"{ycol[y]}{sum_rows[s]}" for s in engine.SOURCES),
                   result.year_total(y) + result.year_total(y, engine.OVERFINANCED)) for y in years},
             result.total() + result.total(engine.OVERFINANCED), "bold")
    year_row(["", "Kosten gesamt (Kontrolle)", ""], {y: F(f"={ycol[y]}{cost_total_row}", result.year_total(y)) for y in years},
             result.total(), "bold")
    total_col = xl_col_to_name(FIRST_YEAR_COL + len(years))
    cap = result.rules.cap
    verdict = ("keine Förderobergrenze" if cap is None else
               "über der Förderobergrenze" if result.total("grant") > cap else "innerhalb der Förderobergrenze")
    emit(["", "Zuwendung gesamt gegen Förderobergrenze", "",
          F(f'=IF({cap_ref}="","keine Förderobergrenze",IF({total_col}{sum_rows["grant"]}>{cap_ref},'
            f'"über der Förderobergrenze","innerhalb der Förderobergrenze"))', verdict)], "bold")

    ws = wb.add_worksheet("KuF", worksheet_class=PlainFormulaSheet)
    ws.write(0, 0, title, fmt["bold"])
    ws.write(1, 0, "Formeln beziehen sich auf das Blatt „Parameter“ (Fördersätze, Bundesanteil). "
                   "Gelb: abweichend festgelegter Betrag, Begründung in der Spalte „Begründung“.")
    if attribution:
        ws.write(2, 0, attribution)
    ws.write_row(3, 0, ["Nr.", "Maßnahme", "Kostengruppe / Position", *years, "Summe", "Begründung"], fmt["header"])
    for i, (items, style) in enumerate(rows):
        r = HEADER_ROWS + i
        for c, item in enumerate(items):
            _write(ws, r, c, resolve(item), style, fmt)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 46)
    ws.set_column(2, 2, 26)
    ws.set_column(FIRST_YEAR_COL, FIRST_YEAR_COL + len(years), 15)
    ws.set_column(FIRST_YEAR_COL + len(years) + 1, FIRST_YEAR_COL + len(years) + 1, 40)
    ws.freeze_panes(HEADER_ROWS, FIRST_YEAR_COL)
    ws.activate()
    wb.close()


def _write(ws, r, c, item, style, fmt):
    """One cell, through XlsxWriter's undecorated ``_write_*`` methods (row and column are numbers
    here, so the decorators' A1-notation check is skipped: a tenth of the export's time)."""
    money = fmt["money_bold"] if style == "bold" else fmt["money"]
    if isinstance(item, F):  # most cells: first
        value = item.value
        ws._write_formula(r, c, item.text, money, float(value) if isinstance(value, Decimal) else value)
    elif item is None or item == "":
        if style == "header":
            ws._write_blank(r, c, None, fmt["header"])
    elif isinstance(item, Override):
        ws._write_number(r, c, float(item.value), fmt["override"])
    elif isinstance(item, (int, float, Decimal)) and c >= FIRST_YEAR_COL:
        ws._write_number(r, c, float(item), money)
    elif isinstance(item, (int, float, Decimal)):
        ws._write_number(r, c, float(item), fmt[style] if style in ("bold", "header") else None)
    elif style in ("bold", "header"):
        ws._write_string(r, c, str(item), fmt[style])
    else:
        ws._write_string(r, c, str(item))


def _num(v) -> Decimal:
    if isinstance(v, F):
        return Decimal(str(v.value)) if isinstance(v.value, (int, float, Decimal)) else Decimal(0)
    if isinstance(v, Override):
        return v.value
    if isinstance(v, (int, float, Decimal)):
        return Decimal(str(v))
    return Decimal(0)


def _ordered(measures, keys):
    return sorted([m for m in measures if m.key in keys], key=lambda m: number_sort_key(m.number))
