"""KuF as an Excel workbook whose sums and grant cells are live formulas.

Sheet ``Parameter`` holds the funding rate of each year, the federal share and the funding cap;
sheet ``KuF`` holds the measure rows with one column per year and a total column. Grants,
federal and Land parts, the own share, every sum and total refer to these cells, so a funding
officer can check them and change a rate. Overridden figures are values, marked in colour
with their reason as a comment.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from . import engine

MONEY = '#,##0.00 "€"'
PERCENT = "0.00%"
BOLD = Font(bold=True)
OVERRIDE = PatternFill("solid", fgColor="FFF4CE")
HEADER = PatternFill("solid", fgColor="DCE6F2")

SOURCE_LABELS = {
    "bund": "Städtebauförderung Bund", "land": "Städtebauförderung Land", "eu": "EU",
    "municipality": "Eigenanteil der Gemeinde", "private": "Private / Dritte", "other": "andere Programme",
    "unidentified": "ungeklärt",
}
FIRST_YEAR_COL = 4  # A: Nr., B: Maßnahme, C: Kostengruppe / Position


def write(result: engine.KufResult, path, title: str, group_names: dict[str, str] | None = None,
          attribution: str = "") -> None:
    """Write the KuF workbook to ``path``."""
    group_names = group_names or {}
    years = result.years
    wb = Workbook(write_only=True)
    ws_p = wb.create_sheet("Parameter")
    ws = wb.create_sheet("KuF")

    # --- Parameter -----------------------------------------------------------------------
    rate_ref = {}
    ws_p.append([_c(ws_p, "Parameter der KuF", BOLD)])
    ws_p.append(["Jahr", "Fördersatz"])
    for i, y in enumerate(years):
        rate = result.rules.rates.get(y, Decimal(0))
        ws_p.append([y, _c(ws_p, float(rate), fmt=PERCENT)])
        rate_ref[y] = f"Parameter!$B${3 + i}"
    row = 3 + len(years)
    ws_p.append([])
    ws_p.append(["Bundesanteil an den förderfähigen Kosten", _c(ws_p, float(result.rules.federal_share), fmt="0.00000000")])
    fed_ref = f"Parameter!$B${row + 1}"
    ws_p.append(["Förderobergrenze", _c(ws_p, float(result.rules.cap) if result.rules.cap is not None else None, fmt=MONEY)])
    cap_ref = f"Parameter!$B${row + 2}"

    # --- KuF -----------------------------------------------------------------------------
    total_col = FIRST_YEAR_COL + len(years)
    ycol = {y: get_column_letter(FIRST_YEAR_COL + i) for i, y in enumerate(years)}
    first_y, last_y = ycol[years[0]], ycol[years[-1]]
    rows: list[list] = []

    # Rows are collected first and written at the end: a formula may refer to a row that is
    # placed later (own share ↔ gap), so cells may be callables resolved when all rows are known.
    def emit(cells, style=None):
        rows.append((cells, style))
        return len(rows) + 4  # rows start after the 4 header rows written below

    def year_row(label_cells, values: dict[int, object], style=None):
        r = len(rows) + 5
        cells = list(label_cells) + [values.get(y) for y in years] + [f"=SUM({first_y}{r}:{last_y}{r})"]
        emit(cells, style)
        return r

    measures = list(result.measures)
    cells = result.cells

    # Block A: cost by cost group and measure.
    emit([_c(ws, "Kosten nach Kostengruppe", BOLD, fill=HEADER)])
    groups = sorted({g for (g, _m, _y) in result.cost_by_group}, key=_group_key)
    cost_rows: dict[str, list[int]] = defaultdict(list)
    group_sum_rows = []
    for g in groups:
        start = len(rows) + 5
        emit([_c(ws, f"{g} {group_names.get(g, '')}".strip(), BOLD)])
        for m in _ordered(measures, {mk for (gg, mk, _y) in result.cost_by_group if gg == g}):
            vals = {y: _f(result.cost_by_group.get((g, m.key, y))) for y in years}
            cost_rows[m.key].append(year_row([m.number, m.title, g], vals))
        end = len(rows) + 4
        group_sum_rows.append(year_row(["", f"Summe {g}", ""],
                                       {y: f"=SUM({ycol[y]}{start + 1}:{ycol[y]}{end})" for y in years}, BOLD))
    cost_total_row = year_row(["", "Kosten gesamt", ""],
                              {y: "=" + "+".join(f"{ycol[y]}{r}" for r in group_sum_rows) if group_sum_rows else 0 for y in years}, BOLD)

    # Per-measure blocks: cost, eligible, then the sources.
    fin_measures = _ordered(measures, {m for (m, _y) in cells})
    block_rows: dict[str, dict[str, int]] = defaultdict(dict)

    def block(name: str, label: str, value_for):
        emit([])
        emit([_c(ws, label, BOLD, fill=HEADER)])
        start = len(rows) + 5
        for m in fin_measures:
            vals = {}
            for y in years:
                vals[y] = value_for(m, y)
            block_rows[name][m.key] = year_row([m.number, m.title, label], vals)
        end = len(rows) + 4
        sums = {y: f"=SUM({ycol[y]}{start}:{ycol[y]}{end})" for y in years}
        return year_row(["", f"Summe {label}", ""], sums, BOLD)

    def cost_formula(m, y):
        refs = [f"{ycol[y]}{r}" for r in cost_rows.get(m.key, [])]
        return "=" + "+".join(refs) if refs else 0

    def override(m, y, source):
        c = cells.get((m.key, y))
        if c is not None and source in c.overridden:
            return _override_cell(ws, c.sources[source], c.overridden[source])
        return None

    sum_rows = {}
    sum_rows["cost"] = block("cost", "Kosten je Maßnahme", cost_formula)
    sum_rows["eligible"] = block("eligible", "förderfähige Kosten", lambda m, y: _f(_cell(cells, m, y).eligible) or 0)

    def elig(m, y):
        return f"{ycol[y]}{block_rows['eligible'][m.key]}"

    def default_grant(m, y):
        return f"ROUND({elig(m, y)}*{rate_ref[y]},2)"

    def bund(m, y):
        return override(m, y, "bund") or f"=MIN({default_grant(m, y)},ROUND({elig(m, y)}*{fed_ref},2))"

    def land(m, y):
        return override(m, y, "land") or f"={default_grant(m, y)}-MIN({default_grant(m, y)},ROUND({elig(m, y)}*{fed_ref},2))"

    sum_rows["bund"] = block("bund", SOURCE_LABELS["bund"], bund)
    sum_rows["land"] = block("land", SOURCE_LABELS["land"], land)
    sum_rows["grant"] = block("grant", "Zuwendung Städtebauförderung (Bund + Land)",
                              lambda m, y: f"={ycol[y]}{block_rows['bund'][m.key]}+{ycol[y]}{block_rows['land'][m.key]}")
    for s in ("eu", "private", "other"):
        sum_rows[s] = block(s, SOURCE_LABELS[s], lambda m, y, s=s: override(m, y, s) or 0)

    def others(m, y, without):
        names = [n for n in ("bund", "land", "eu", "private", "other", "unidentified", "municipality") if n not in without]
        return "-".join([f"{ycol[y]}{block_rows['cost'][m.key]}"] + [f"{ycol[y]}{{{n}}}" for n in names])

    # Own share and gap refer to each other's rows: reserve both, then fill the formulas.
    def municipality(m, y):
        ov = override(m, y, "municipality")
        if ov is not None:
            return ov
        return lambda m=m, y=y: "=" + others(m, y, {"municipality"}).format(**_refs(block_rows, m))

    def unidentified(m, y):
        ov = override(m, y, "unidentified")
        c = _cell(cells, m, y)
        if ov is not None:
            return ov
        if "municipality" in c.overridden:
            return lambda m=m, y=y: "=" + others(m, y, {"unidentified"}).format(**_refs(block_rows, m))
        return 0

    sum_rows["unidentified"] = block("unidentified", SOURCE_LABELS["unidentified"], unidentified)
    sum_rows["municipality"] = block("municipality", SOURCE_LABELS["municipality"], municipality)

    emit([])
    emit([_c(ws, "Summen", BOLD, fill=HEADER)])
    year_row(["", "Jährliche Tranche (Zuwendung)", ""], {y: f"={ycol[y]}{sum_rows['grant']}" for y in years}, BOLD)
    year_row(["", "Finanzierung gesamt", ""], {y: "=" + "+".join(f"{ycol[y]}{sum_rows[s]}" for s in engine.SOURCES) for y in years}, BOLD)
    year_row(["", "Kosten gesamt (Kontrolle)", ""], {y: f"={ycol[y]}{cost_total_row}" for y in years}, BOLD)
    tl = get_column_letter(total_col)
    emit(["", _c(ws, "Zuwendung gesamt gegen Förderobergrenze", BOLD), "",
          f'=IF({cap_ref}="","keine Förderobergrenze",IF({tl}{sum_rows["grant"]}>{cap_ref},"über der Förderobergrenze","innerhalb der Förderobergrenze"))'])

    header = [_c(ws, title, BOLD)]
    ws.append(header)
    ws.append([_c(ws, "Formeln beziehen sich auf das Blatt „Parameter“ (Fördersätze, Bundesanteil). Gelb: abweichend festgelegter Betrag, Begründung im Kommentar.")])
    ws.append([_c(ws, attribution)] if attribution else [])
    ws.append([_c(ws, h, BOLD, fill=HEADER) for h in ["Nr.", "Maßnahme", "Kostengruppe / Position", *years, "Summe"]])
    for cells_, style in rows:
        ws.append([_style(ws, c() if callable(c) else c, i, style) for i, c in enumerate(cells_)])
    wb.save(path)


def _refs(block_rows, m):
    return {n: block_rows[n][m.key] for n in engine.SOURCES}


def _cell(cells, m, y) -> engine.Cell:
    return cells.get((m.key, y)) or engine.Cell()


def _ordered(measures, keys):
    from isek.concepts.models import number_sort_key

    return sorted([m for m in measures if m.key in keys], key=lambda m: number_sort_key(m.number))


def _group_key(g: str):
    return tuple(int(p) if p.isdigit() else p for p in g.split("."))


def _f(v):
    return float(v) if v else None


def _c(ws, value, font=None, fill=None, fmt=None):
    c = WriteOnlyCell(ws, value=value)
    if font:
        c.font = font
    if fill:
        c.fill = fill
    if fmt:
        c.number_format = fmt
    return c


def _override_cell(ws, value, reason):
    c = WriteOnlyCell(ws, value=float(value))
    c.fill = OVERRIDE
    c.number_format = MONEY
    c.comment = Comment(f"Abweichend festgelegt: {reason}", "isek")
    return c


def _style(ws, value, index, style):
    if isinstance(value, Cell):
        return value
    c = WriteOnlyCell(ws, value=value)
    if index >= FIRST_YEAR_COL - 1:
        c.number_format = MONEY
    if style is not None:
        c.font = style
    return c
