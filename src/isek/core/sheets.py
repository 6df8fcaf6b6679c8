"""Reading a table from a spreadsheet a person made (XLSX or CSV), safely and without Django.

What planners keep is an Excel sheet or a CSV saved by Excel. The reader gives the first sheet's
header and rows as plain values with their cell references, and refuses what cannot be read
faithfully, with a problem for each cell:

- a file above the size limit; an XLSX whose zip would unpack to far more than it weighs (a zip
  bomb), or whose XML declares entities (an entity bomb: openpyxl parses with defusedxml);
- merged cells in the table (the value would belong to one row only);
- a formula: its value as the spreadsheet last computed it is read, never the formula evaluated;
  a formula without a stored value is refused.

CSV: UTF-8 (with or without BOM) or Windows-1252, as German Excel saves it, or UTF-16 with its BOM
(Excel's "Unicode-Text"); semicolon, comma or tab. Numbers are left as the text or number the file holds; ``number`` reads German and English
notation into a Decimal."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import numbers
from .problems import InputError, Problem, gettext_noop, too_large

MAX_BYTES = 10_000_000
MAX_UNPACKED = 100_000_000  # what the XML parts of an XLSX may unpack to
MAX_RATIO = 200  # unpacked ÷ packed of one part; spreadsheets reach ~20
MAX_ROWS = 5000
MAX_COLUMNS = 200

Value = str | int | float | Decimal | datetime.date | datetime.datetime | None


@dataclass(frozen=True)
class Cell:
    value: Value
    ref: str  # "B7"
    row: int  # 1-based, as the spreadsheet shows it


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Cell]]  # each as long as the header
    sheet: str = ""
    # rows of a CSV file with fewer cells than the header (row number → cells it has), filled with
    # empty cells in ``rows``; a reader that must not guess refuses them (fix24e)
    short: dict[int, int] = field(default_factory=dict)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read(path: Path, filename: str | None = None, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """The table of the first sheet (XLSX) or of the file (CSV), at most ``max_rows`` rows below
    the header; InputError with every problem."""
    path = Path(path)
    name = (filename or path.name).lower()
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError([too_large(size, max_bytes)])
    if size == 0:
        raise InputError([Problem(gettext_noop("Die Datei ist leer."))])
    if name.endswith((".xlsx", ".xlsm")) or zipfile.is_zipfile(path):
        return _read_xlsx(path, max_rows)
    if name.endswith((".csv", ".txt")):
        return _read_csv(path.read_bytes(), max_rows)
    raise InputError([Problem(gettext_noop("Das Format wird nicht gelesen; erwartet: XLSX oder CSV."))])


def _table(header_cells: list[Cell], body: list[list[Cell]], sheet: str = "", max_rows: int = MAX_ROWS) -> Table:
    header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise InputError([Problem(gettext_noop("Die erste Zeile enthält keine Spaltenüberschriften."))])
    problems = []
    seen: dict[str, str] = {}
    for cell, title in zip(header_cells, header):
        if not title:
            problems.append(Problem(gettext_noop("%(cell)s: die Spalte hat keine Überschrift."), {"cell": cell.ref}))
        elif title.lower() in seen:
            problems.append(Problem(gettext_noop("%(cell)s: die Überschrift „%(title)s“ steht schon in %(other)s."),
                                    {"cell": cell.ref, "title": title, "other": seen[title.lower()]}))
        else:
            seen[title.lower()] = cell.ref
    if problems:
        raise InputError(problems)
    rows = []
    short: dict[int, int] = {}
    for cells in body:
        cells = cells[:len(header)]
        have = len(cells)
        if have < len(header):
            row = cells[0].row if cells else 0
            cells = cells + [Cell(None, f"{column_letter(i)}{row}", row) for i in range(len(cells), len(header))]
        if any(c.value not in (None, "") for c in cells):
            rows.append(cells)
            if have < len(header):
                short[cells[0].row] = have
    if len(rows) > max_rows:
        raise InputError([Problem(gettext_noop("Mehr als %(n)s Zeilen: bitte aufteilen."), {"n": max_rows})])
    return Table(header, rows, sheet, short)


# --- CSV -----------------------------------------------------------------------------------------


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _read_csv(data: bytes, max_rows: int = MAX_ROWS) -> Table:
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode-Text" and other tools' UTF-16, marked by its BOM (fix24i)
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError([Problem(gettext_noop("Die Datei ist als UTF-16 markiert (BOM), enthält aber Bytes, "
                                                   "die kein UTF-16 sind."))]) from None
        return _read_text(text, max_rows)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly every byte; the rest lands here
        raise InputError([Problem(gettext_noop("Die Datei ist weder UTF-8 noch Windows-1252."))])
    return _read_text(text, max_rows)


def _read_text(text: str, max_rows: int) -> Table:
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if not first:
        raise InputError([Problem(gettext_noop("Die Datei ist leer."))])
    delimiter = max(";,\t", key=first.count)
    records = _records(text, delimiter)
    if len(records[0]) > MAX_COLUMNS:
        raise InputError([Problem(gettext_noop("Mehr als %(n)s Spalten."), {"n": MAX_COLUMNS})])
    cells = [[Cell(v if v.strip() else None, f"{column_letter(i)}{r}", r) for i, v in enumerate(rec)]
             for r, rec in enumerate(records, start=1)]
    return _table(cells[0], cells[1:], max_rows=max_rows)


def _records(text: str, delimiter: str) -> list[list[str]]:
    """The CSV records; InputError at the line where a quoted cell opens and is not closed where
    it should be (fix24g: a broken quote swallowed the following lines into one cell, and only its
    effects were reported – a short row, a missing theme). A cell holding a line break is fine; a
    cell running to the end of the file is a broken quote, and so is one holding whole lines with
    as many separators as the header when its record does not have the header's number of cells
    (a record of the right length is a text that happens to hold commas on a line of its own:
    FreiRaum Ottensen's Ott262, refused by the first version of this check)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    start = 1  # the file's line where the next record begins
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return records
        except csv.Error:
            raise InputError([_broken_quote(start)]) from None
        if records and len(record) != len(records[0]):  # a record as long as the header closed its quotes right
            columns = len(records[0])
            for value in record:
                lines = value.split("\n")[1:]
                if columns > 1 and any(line.count(delimiter) >= columns - 1 for line in lines):
                    raise InputError([_broken_quote(start)])
        records.append(record)
        start = reader.line_num + 1


def _broken_quote(line: int) -> Problem:
    return Problem(gettext_noop("Zeile %(line)s der Datei: hier bricht die Quotierung – eine Zelle in "
                                "Anführungszeichen (\") wird nicht oder an falscher Stelle geschlossen, und die "
                                "folgenden Zeilen würden falsch gelesen. Bitte das Anführungszeichen schließen oder – "
                                "steht es im Text – verdoppeln (\"\")."),
                   {"line": line})


# --- XLSX ----------------------------------------------------------------------------------------


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise InputError([Problem(gettext_noop("Die Datei ist keine gültige XLSX-Datei."))]) from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError([Problem(gettext_noop("Die Datei würde sich auf ein Vielfaches ihrer Größe entpacken "
                                                   "(„%(part)s“: %(size)s MB); sie wird nicht gelesen."),
                                      {"part": info.filename, "size": f"{info.file_size / 1e6:.0f}"})])
    if total > MAX_UNPACKED:
        raise InputError([Problem(gettext_noop("Die Datei würde sich auf %(size)s MB entpacken; erlaubt sind "
                                               "%(max)s MB."), {"size": f"{total / 1e6:.0f}", "max": MAX_UNPACKED // 10**6})])


def _read_xlsx(path: Path, max_rows: int = MAX_ROWS) -> Table:
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    if not openpyxl.DEFUSEDXML:  # openpyxl parses with defusedxml when it is installed
        raise RuntimeError("defusedxml is required to read spreadsheets")
    _check_zip(path)
    try:
        formulas = openpyxl.load_workbook(path, data_only=False)
        values = openpyxl.load_workbook(path, data_only=True)
    except (DefusedXmlException, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError,
            OSError) as exc:
        chain, cause = [], exc
        while cause is not None and len(chain) < 10:  # openpyxl wraps the parser's error in a ValueError
            chain.append(cause)
            cause = cause.__cause__ or cause.__context__
        if any(isinstance(e, DefusedXmlException) for e in chain):
            raise InputError([Problem(gettext_noop("Die Datei enthält XML-Entitäten oder -Deklarationen, die nicht "
                                                   "gelesen werden (Schutz vor XML-Bomben)."))]) from None
        raise InputError([Problem(gettext_noop("Die Datei ist keine gültige XLSX-Datei."))]) from None
    ws_f, ws_v = formulas.worksheets[0], values.worksheets[0]
    if ws_f.max_column > MAX_COLUMNS:
        raise InputError([Problem(gettext_noop("Mehr als %(n)s Spalten."), {"n": MAX_COLUMNS})])
    if ws_f.max_row > max_rows + 1:
        raise InputError([Problem(gettext_noop("Mehr als %(n)s Zeilen: bitte aufteilen."), {"n": max_rows})])
    problems = [Problem(gettext_noop("%(range)s: verbundene Zellen. Bitte die Verbindung aufheben und den Wert in "
                                     "jede Zeile schreiben."), {"range": str(r)}) for r in ws_f.merged_cells.ranges]
    rows: list[list[Cell]] = []
    for row_f, row_v in zip(ws_f.iter_rows(), ws_v.iter_rows()):
        cells = []
        for cf, cv in zip(row_f, row_v):
            value = cv.value
            if cf.data_type == "f":
                if value is None:
                    problems.append(Problem(gettext_noop("%(cell)s: eine Formel ohne gespeicherten Wert (%(formula)s). "
                                                         "Bitte die Datei in Excel oder LibreOffice öffnen und "
                                                         "speichern, oder den Wert eintragen."),
                                            {"cell": cf.coordinate, "formula": str(cf.value)[:60]}))
            if isinstance(value, str) and not value.strip():
                value = None
            cells.append(Cell(value, cf.coordinate, cf.row))
        rows.append(cells)
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError([Problem(gettext_noop("Die Datei ist leer."))])
    return _table(rows[0], rows[1:], ws_f.title, max_rows)


# --- values --------------------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^\s*\d{1,2}[./]\d{1,2}[./]\d{2,4}\s*$|^\s*\d{4}-\d{2}-\d{2}")


def looks_like_date(value: Value) -> bool:
    return isinstance(value, (datetime.date, datetime.datetime)) or (isinstance(value, str) and bool(_DATE_TEXT.match(value)))


def number(value: Value) -> Decimal:
    """A cell as a Decimal: numbers as they are, text in German (1.234,56) or English (1,234.56)
    notation, with an optional € sign. ValueError for anything else."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise ValueError(value)
    d = numbers.guess(value.replace("€", "").replace("EUR", ""))
    if d is None:
        raise ValueError(value)
    return d
