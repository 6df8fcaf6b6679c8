"""Contributions as CSV (German Excel: semicolon, decimal comma, UTF-8 with BOM) and XLSX. User
text never runs as a formula: CSV cells starting like one get an apostrophe (core.tabular), XLSX
cells are written as strings."""

from __future__ import annotations

import csv
import io

from isek.core.tabular import as_text_cell

LICENCE_NOTE = "Beiträge der Beteiligung; Namen nur, wo die Person ihn angegeben hat; ohne E-Mail-Adressen."


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else ""
    if isinstance(value, float):
        return f"{value:.6f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return as_text_cell(str(value))


def csv_bytes(columns, rows) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow([str(label) for _k, label in columns])
    for r in rows:
        w.writerow([_cell_text(r[k]) for k, _l in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(columns, rows, title: str) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Beiträge")
    bold = wb.add_format({"bold": True})
    for c, (_k, label) in enumerate(columns):
        ws.write_string(0, c, str(label), bold)
    for r, row in enumerate(rows, start=1):
        for c, (k, _l) in enumerate(columns):
            v = row[k]
            if v is None or v == "":
                continue
            if isinstance(v, bool):
                ws.write_string(r, c, "ja" if v else "")
            elif isinstance(v, int | float):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    info = wb.add_worksheet("Info")
    info.write_string(0, 0, title)
    info.write_string(1, 0, LICENCE_NOTE)
    wb.close()
    return buf.getvalue()
