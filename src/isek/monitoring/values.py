"""Indicator values entered by hand or imported from CSV: checked as a whole, stored all or nothing.

CSV columns (header row, `;` or `,` as separator, UTF-8):
``indicator`` (the code), ``area`` (``Fördergebiet``, the area's name or a quarter's name),
``year``, ``value`` (decimal point or comma), ``unit`` (must equal the indicator's unit) and
``source`` (optional when a source is given for the whole file). A value is dated 31 December of
its year, which is not after the running one (a measured value; future years are the target's); an entered value replaces an earlier entered one for the same indicator, area and year
(values from analysis runs are kept apart)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from isek.concepts.services import Concept, Quarter
from isek.core.problems import InputError

REQUIRED = ("indicator", "area", "year", "value", "unit")
MAX_ROWS = 20_000
AREA_WORDS = {"fördergebiet", "foerdergebiet", "funding area", "gebiet", "area"}


class ValuesError(InputError):
    """An indicator CSV that cannot be used (messages already in the user's language)."""


@dataclass(frozen=True)
class Entry:
    indicator: str
    quarter: Quarter | None
    year: int
    value: float
    source: str


def future_year_error(year: int) -> str | None:
    """Why ``year`` cannot have a measured value – it lies after the running year (a value is
    dated 31 December of its year; future years belong to the indicator's target) –, or None."""
    if year <= timezone.localdate().year:
        return None
    return _("%(year)s liegt in der Zukunft: ein gemessener Wert hat ein vergangenes oder das laufende Jahr "
             "(künftige Werte beschreibt der Zielwert).") % {"year": year}


def is_percent(unit: str) -> bool:
    return unit.strip().lower() in ("%", "prozent", "percent")


def area_lookup(concept: Concept) -> dict[str, Quarter | None]:
    names = {w: None for w in AREA_WORDS}
    if concept.area_name:
        names[concept.area_name.strip().lower()] = None
    for q in concept.quarters.all():
        names[q.name.strip().lower()] = q
    return names


def _number(text: str) -> float:
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    v = float(t)
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def parse_csv(concept: Concept, data: bytes, default_source: str = "") -> list[Entry]:
    """All entries of the file, or ValuesError with every problem found (row numbers as in the file)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValuesError([_("Die Datei ist nicht in UTF-8 kodiert.")]) from None
    if not text.strip():
        raise ValuesError([_("Die Datei ist leer.")])
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValuesError([_("Es fehlen Spalten: %(cols)s (erwartet: %(all)s).") % {
            "cols": ", ".join(missing), "all": ", ".join((*REQUIRED, "source"))}])
    reader.fieldnames = header
    indicators = {i.code: i for i in concept.indicators.all()}
    areas = area_lookup(concept)
    errors: list[str] = []
    entries: list[Entry] = []
    seen: dict[tuple, int] = {}
    for n, row in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            raise ValuesError([_("Mehr als %(n)s Zeilen: bitte aufteilen.") % {"n": MAX_ROWS}])
        get = {k: (row.get(k) or "").strip() for k in (*REQUIRED, "source")}
        if not any(get.values()):
            continue
        where = _("Zeile %(n)s") % {"n": n}
        ind = indicators.get(get["indicator"])
        if ind is None:
            errors.append(_("%(where)s: unbekannter Indikator „%(code)s“.") % {"where": where, "code": get["indicator"]})
        key = get["area"].lower()
        if key not in areas:
            errors.append(_("%(where)s: unbekanntes Gebiet „%(area)s“ (bekannt: Fördergebiet, %(quarters)s).") % {
                "where": where, "area": get["area"], "quarters": ", ".join(q.name for q in concept.quarters.all()) or "–"})
        try:
            year = int(get["year"])
            if not 1900 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors.append(_("%(where)s: ungültiges Jahr „%(year)s“.") % {"where": where, "year": get["year"]})
            year = None
        if year is not None and (future := future_year_error(year)):
            errors.append(_("%(where)s: %(error)s") % {"where": where, "error": future})
            year = None
        try:
            value = _number(get["value"])
        except ValueError:
            errors.append(_("%(where)s: „%(value)s“ ist keine Zahl.") % {"where": where, "value": get["value"]})
            value = None
        if ind is not None and get["unit"] != ind.unit:
            errors.append(_("%(where)s: Einheit „%(unit)s“ passt nicht zu %(code)s (erwartet „%(expected)s“).") % {
                "where": where, "unit": get["unit"], "code": ind.code, "expected": ind.unit})
        source = get["source"] or default_source
        if not source:
            errors.append(_("%(where)s: Quelle fehlt.") % {"where": where})
        if ind is None or key not in areas or year is None or value is None:
            continue
        dup = (ind.code, key, year)
        if dup in seen:
            errors.append(_("%(where)s: %(code)s für „%(area)s“ %(year)s steht schon in Zeile %(first)s.") % {
                "where": where, "code": ind.code, "area": get["area"], "year": year, "first": seen[dup]})
            continue
        seen[dup] = n
        entries.append(Entry(ind.code, areas[key], year, value, source))
    if errors:
        raise ValuesError(errors)
    if not entries:
        raise ValuesError([_("Die Datei enthält keine Werte.")])
    return entries
