"""Import of a measure list with costs per year from a spreadsheet (issue #12): the shapes planners
keep today – one row per measure with the years as columns ("wide"), or one row per measure and
year ("long") –, a column mapping (guessed from the headers, remembered per concept), a plan that
says what would be created, changed and left alone with every problem at its row and cell, and a
commit that writes all of it or nothing. Re-importing the same file changes nothing.

A value of the file that names no field of action, cost group or status of isek ("Öffentlicher
Raum" where the concept's field is "Öffentlicher Raum und Grün") can be mapped to one in the
preview (issue 20); the value mapping is remembered with the column mapping, for the next file.

The reading of the file is ``core.sheets`` (no formula evaluated, XML parsed with defusedxml); the
writing goes through ``concepts.services.save_measure`` and ``services.save_costs``."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from isek.concepts.services import Concept, Measure
from isek.core import sheets
from isek.core.problems import InputError, Problem, gettext_noop, rows_problem

from .models import CostGroup, CostItem, ImportMapping

# What a column can mean, with the headers planners write for it (compared in lower case).
TARGETS: dict[str, tuple[str, ...]] = {
    "number": ("nr", "nr.", "nummer", "maßnahmennummer", "maßnahme nr.", "maßnahmen-nr.", "number", "no.", "no"),
    "title": ("titel", "maßnahme", "bezeichnung", "maßnahmentitel", "title", "measure"),
    "field": ("handlungsfeld", "hf", "handlungsfeld nr.", "field of action", "field"),
    "description": ("beschreibung", "erläuterung", "description"),
    "status": ("status", "stand"),
    "lead_body": ("federführung", "zuständig", "zuständigkeit", "lead"),
    "start": ("beginn", "beginn (jahr)", "baubeginn", "start", "start year"),
    "end": ("ende", "ende (jahr)", "fertigstellung", "end", "end year"),
    "cost_group": ("kostengruppe", "kg", "kostengruppe nr.", "cost group"),
    "year": ("jahr", "haushaltsjahr", "year"),
    "amount": ("kosten", "betrag", "kosten (€)", "kosten in €", "gesamtkosten", "amount", "cost", "costs"),
    "eligible": ("förderfähig", "davon förderfähig", "förderfähige kosten", "eligible"),
}
LABELS = {
    "number": gettext_noop("Nr."), "title": gettext_noop("Titel"), "field": gettext_noop("Handlungsfeld"),
    "description": gettext_noop("Beschreibung"), "status": gettext_noop("Status"),
    "lead_body": gettext_noop("Federführung"), "start": gettext_noop("Beginn (Jahr)"),
    "end": gettext_noop("Ende (Jahr)"), "cost_group": gettext_noop("Kostengruppe"),
    "year": gettext_noop("Jahr"), "amount": gettext_noop("Kosten"), "eligible": gettext_noop("davon förderfähig"),
}
VALUE_TARGETS = ("field", "cost_group", "status")  # columns whose values name something of isek
YEAR_HEADER = re.compile(r"^(?:kosten\s*|costs?\s*)?((?:19|20)\d\d)(?:\s*\(?(?:€|eur)\)?)?$", re.IGNORECASE)
MEASURE_FIELDS = ("title", "field", "description", "status", "lead_body", "start", "end")
SCHEDULE = {"start": (1, 1), "end": (12, 31)}  # a year of the time plan as the measure's date: its first or last day


@dataclass
class Mapping:
    """Which column means what: ``columns`` target → header, ``years`` header → year (the wide
    shape), ``cost_group`` for rows without one, ``default_field`` (the number of a field of action) for
    new measures whose row names none (empty: such a row is refused), ``ignore`` headers that are
    not imported;
    ``values`` target → {value of the file in lower case → what it means in isek}: the number of a
    field of action, a cost group, a status (for VALUE_TARGETS)."""

    columns: dict[str, str] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    cost_group: str = ""
    default_field: str = ""
    ignore: list[str] = field(default_factory=list)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, target: str, text: str) -> str | None:
        """What ``text`` of a ``target`` column was mapped to, if it was."""
        return self.values.get(target, {}).get(text.strip().lower())

    @property
    def shape(self) -> str:
        return "long" if "year" in self.columns else "wide"

    def as_json(self) -> dict:
        return {"columns": dict(self.columns), "years": dict(self.years), "cost_group": self.cost_group,
                "default_field": self.default_field, "ignore": list(self.ignore), "values": {k: dict(v) for k, v in self.values.items() if v}}

    @classmethod
    def from_json(cls, data) -> Mapping:
        problems = []
        if not isinstance(data, dict):
            raise InputError([Problem(gettext_noop("Die Zuordnung ist kein JSON-Objekt."))])
        columns, years = data.get("columns", {}), data.get("years", {})
        if not isinstance(columns, dict) or any(k not in TARGETS or not isinstance(v, str) for k, v in columns.items()):
            problems.append(Problem(gettext_noop("„columns“ ordnet Angaben (%(targets)s) Spaltenüberschriften zu."),
                                    {"targets": ", ".join(TARGETS)}))
        if not isinstance(years, dict) or any(not isinstance(v, int) for v in years.values()):
            problems.append(Problem(gettext_noop("„years“ ordnet Spaltenüberschriften Jahreszahlen zu.")))
        ignore = data.get("ignore", [])
        if not isinstance(ignore, list) or any(not isinstance(v, str) for v in ignore):
            problems.append(Problem(gettext_noop("„ignore“ ist eine Liste von Spaltenüberschriften.")))
        values = data.get("values", {})
        if not isinstance(values, dict) or any(
                k not in VALUE_TARGETS or not isinstance(v, dict)
                or any(not isinstance(a, str) or not isinstance(b, str) for a, b in v.items())
                for k, v in values.items()):
            problems.append(Problem(gettext_noop("„values“ ordnet je Angabe (%(targets)s) Werten der Datei Werte von "
                                                 "isek zu."), {"targets": ", ".join(VALUE_TARGETS)}))
        if problems:
            raise InputError(problems)
        return cls(dict(columns), dict(years), str(data.get("cost_group", "") or ""), str(data.get("default_field", "") or ""),
                   list(ignore), {k: {a.strip().lower(): b for a, b in v.items()} for k, v in values.items()})


def guess_mapping(header: list[str], remembered: Mapping | None = None) -> Mapping:
    """The mapping for ``header``: what was remembered for the concept where its headers are
    present, else guessed from the header words; year columns by their headers (2026, Kosten 2026)."""
    present = set(header)
    if remembered is not None:
        used = [*remembered.columns.values(), *remembered.years]
        if used and all(h in present for h in used):
            return remembered
    m = Mapping(cost_group=remembered.cost_group if remembered else "", default_field=remembered.default_field if remembered else "",
                values=remembered.values if remembered else {})
    for h in header:
        key = h.strip().lower()
        year = YEAR_HEADER.match(key)
        if year:
            m.years[h] = int(year.group(1))
            continue
        for target, words in TARGETS.items():
            if key in words and target not in m.columns:
                m.columns[target] = h
                break
    if "year" in m.columns:  # long shape: year columns would be a second source of amounts
        m.years = {}
    return m


@dataclass
class CostChange:
    year: int
    group: str
    old: Decimal | None
    new: Decimal


@dataclass
class Planned:
    number: str
    row: int
    action: str  # "create" | "change" | "unchanged"
    values: dict = field(default_factory=dict)  # measure fields as they will be
    changes: list[str] = field(default_factory=list)  # measure fields that change
    before: dict = field(default_factory=dict)  # field that changes → its value in isek now
    costs: list[CostChange] = field(default_factory=list)  # cost items created or changed
    measure: Measure | None = None
    rows: list[tuple] = field(default_factory=list)  # (year, group, amount, eligible) read from the file
    writes: list[tuple] = field(default_factory=list)  # (year, group, amount, eligible, existing item or None)


@dataclass
class Plan:
    mapping: Mapping
    measures: list[Planned]
    problems: list[Problem]
    left_alone: list[str]  # numbers of the concept's measures the file does not name
    header: list[str] = field(default_factory=list)  # the file's column headers
    # target → the values of the file that match nothing of isek by themselves (mapped or not yet), in file order
    values: dict[str, list[str]] = field(default_factory=dict)
    # target → [(key, label)]: what such a value can be mapped to
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def renames_most(self) -> bool:
        """Most of the measures the file names get another title: its numbers may not be isek's."""
        known = [p for p in self.measures if p.measure is not None]
        return len(known) >= 2 and 2 * sum("title" in p.changes for p in known) > len(known)

    @property
    def counts(self) -> dict[str, int]:
        out = {"create": 0, "change": 0, "unchanged": 0}
        for p in self.measures:
            out[p.action] += 1
        out["left_alone"] = len(self.left_alone)
        out["costs"] = sum(len(p.costs) for p in self.measures)
        return out


def _problem(cell: sheets.Cell | None, msgid: str, **params) -> Problem:
    return Problem(msgid, {"cell": cell.ref if cell else "", **params}, row=cell.row if cell else None)


def plan(concept: Concept, table: sheets.Table, mapping: Mapping) -> Plan:
    """What importing ``table`` with ``mapping`` would do to ``concept``; nothing is written."""
    problems: list[Problem] = []
    col = {h: i for i, h in enumerate(table.header)}
    for target, header in mapping.columns.items():
        if header not in col:
            problems.append(Problem(gettext_noop("Die Spalte „%(header)s“ (für %(target)s) fehlt in der Datei."),
                                    {"header": header, "target": LABELS[target]}))
    for header in mapping.years:
        if header not in col:
            problems.append(Problem(gettext_noop("Die Jahresspalte „%(header)s“ fehlt in der Datei."), {"header": header}))
    mapped = set(mapping.columns.values()) | set(mapping.years) | set(mapping.ignore)
    for h in table.header:
        if h not in mapped:
            problems.append(Problem(gettext_noop("Die Spalte „%(header)s“ ist keiner Angabe zugeordnet (zuordnen oder "
                                                 "als „nicht importieren“ markieren)."), {"header": h}))
    if "number" not in mapping.columns:
        problems.append(Problem(gettext_noop("Keine Spalte ist der Maßnahmennummer zugeordnet.")))
    if mapping.shape == "long" and "amount" not in mapping.columns:
        problems.append(Problem(gettext_noop("Mit einer Spalte „Jahr“ braucht es eine Spalte mit den Kosten.")))
    if mapping.shape == "wide" and "amount" in mapping.columns and not mapping.years:
        # nothing could say which year a sum belongs to; spreading it over Beginn–Ende would be a guess
        problems.append(Problem(gettext_noop(
            "Kosten ohne Jahr: bitte eine Spalte „Jahr“ zuordnen oder die Kosten in Jahresspalten (z. B. „%(year)s“) "
            "angeben. Eine Summe über Beginn bis Ende teilt isek nicht auf Jahre auf; ohne Jahr bleibt die Spalte "
            "„%(header)s“ ungenutzt (dann als „nicht importieren“ markieren)."),
            {"year": concept.start_year, "header": mapping.columns["amount"]}))
    if problems:
        return Plan(mapping, [], problems, [], table.header)

    fields = {str(f.number): f for f in concept.fields_of_action.all()}
    fields_by_name = {f.name.strip().lower(): f for f in fields.values()}
    groups = {g.number: g for g in CostGroup.of(concept)}
    statuses = {**{k: k for k in Measure.Status.values}, **{str(label).lower(): k for k, label in Measure.Status.choices}}
    options = {"field": [(k, f"{k} {f.name}") for k, f in fields.items()],
               "cost_group": [(k, str(g)) for k, g in sorted(groups.items())],
               "status": [(str(k), str(label)) for k, label in Measure.Status.choices]}
    to_map: dict[str, dict[str, str]] = {t: {} for t in VALUE_TARGETS}  # target → {lower case: as in the file}

    def mapped(target: str, value: str, known) -> str | None:
        """The key ``value`` of a ``target`` column was mapped to in the preview (if it names one
        of ``known``); remembers the value as one the preview offers to map."""
        to_map[target].setdefault(value.lower(), value)
        key = mapping.value(target, value)
        return key if key in known else None
    existing = {m.number: m for m in concept.measures.select_related("primary_field")}
    items = {(i.measure_id, i.year, i.cost_group.number): i
             for i in CostItem.objects.filter(measure__concept=concept).select_related("cost_group")}
    if mapping.cost_group and mapping.cost_group not in groups:
        problems.append(Problem(gettext_noop("Die Kostengruppe „%(group)s“ gibt es nicht (bekannt: %(known)s)."),
                                {"group": mapping.cost_group, "known": ", ".join(sorted(groups))}))
    if mapping.default_field and mapping.default_field not in fields:
        problems.append(Problem(gettext_noop("Das Handlungsfeld „%(value)s“ gibt es in diesem Konzept nicht (bekannt: "
                                             "%(known)s)."), {"value": mapping.default_field,
                                                              "known": ", ".join(f"{k} {f.name}" for k, f in fields.items()) or "–"}))

    def get(cells, target):
        return cells[col[mapping.columns[target]]] if target in mapping.columns else None

    def text(cell) -> str:
        return "" if cell is None or cell.value is None else str(cell.value).strip()

    def amount(cell, what) -> Decimal | None:
        if cell is None or cell.value in (None, ""):
            return None
        if sheets.looks_like_date(cell.value):
            problems.append(_problem(cell, gettext_noop("%(cell)s: „%(value)s“ ist ein Datum; erwartet: %(what)s in €."),
                                     value=str(cell.value), what=what))
            return None
        try:
            value = sheets.number(cell.value)
        except ValueError:
            problems.append(_problem(cell, gettext_noop("%(cell)s: „%(value)s“ ist kein Betrag (%(what)s in €)."),
                                     value=str(cell.value), what=what))
            return None
        if value < 0 or value >= Decimal("1e12") or value != value.quantize(Decimal("0.01")):
            problems.append(_problem(cell, gettext_noop("%(cell)s: %(value)s ist kein Betrag in Euro und Cent von 0 "
                                                        "bis unter 1 Billion."), value=str(cell.value)))
            return None
        return value.quantize(Decimal("0.01"))

    def year_of(cell) -> int | None:
        raw = cell.value if cell is not None else None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if sheets.looks_like_date(raw):
            problems.append(_problem(cell, gettext_noop("%(cell)s: „%(value)s“ ist ein Datum; erwartet: eine Jahreszahl."),
                                     value=str(raw)))
            return None
        try:
            return int(str(raw).strip())
        except ValueError:
            problems.append(_problem(cell, gettext_noop("%(cell)s: „%(value)s“ ist keine Jahreszahl."), value=str(raw)))
            return None

    def check_year(year, cell):
        if year is not None and not concept.start_year <= year <= concept.end_year:
            problems.append(_problem(cell, gettext_noop("%(cell)s: das Jahr %(year)s liegt außerhalb des Zeitraums "
                                                        "%(start)s–%(end)s."), year=year, start=concept.start_year,
                                     end=concept.end_year))
            return False
        return year is not None

    planned: dict[str, Planned] = {}
    first_row: dict[str, int] = {}
    seen_costs: dict[tuple, str] = {}
    without_group: list[int] = []  # rows with costs and no cost group
    unknown_groups: dict[str, list[str]] = {}  # cost group of the file isek does not know → its cells
    for cells in table.rows:
        num_cell = get(cells, "number")
        number = text(num_cell)
        if isinstance(num_cell.value, float) and num_cell.value.is_integer():
            number = str(int(num_cell.value))
        if not number:
            problems.append(_problem(num_cell, gettext_noop("%(cell)s: die Maßnahmennummer fehlt.")))
            continue
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,19}", number):
            problems.append(_problem(num_cell, gettext_noop("%(cell)s: „%(value)s“ ist keine Maßnahmennummer (Ziffern, "
                                                            "Buchstaben, Punkte; höchstens 20 Zeichen)."), value=number))
            continue
        if mapping.shape == "wide" and number in first_row:
            problems.append(_problem(num_cell, gettext_noop("%(cell)s: die Nummer %(number)s steht schon in Zeile %(row)s."),
                                     number=number, row=first_row[number]))
            continue
        first_row.setdefault(number, num_cell.row)
        values = {}
        for target in MEASURE_FIELDS:
            cell = get(cells, target)
            if cell is None or cell.value in (None, ""):
                continue
            value = text(cell)
            if target == "field":
                fa = fields.get(re.sub(r"^(hf|handlungsfeld)\s*", "", value.lower())) or fields_by_name.get(value.lower())
                if fa is None:
                    fa = fields.get(mapped("field", value, fields) or "")
                if fa is None:
                    problems.append(_problem(cell, gettext_noop("%(cell)s: das Handlungsfeld „%(value)s“ gibt es in diesem "
                                                                "Konzept nicht (bekannt: %(known)s)."), value=value,
                                             known=", ".join(f"{k} {f.name}" for k, f in fields.items()) or "–"))
                    continue
                value = fa
            elif target == "status":
                key = statuses.get(value.lower()) or mapped("status", value, Measure.Status.values)
                if key is None:
                    problems.append(_problem(cell, gettext_noop("%(cell)s: unbekannter Status „%(value)s“."), value=value))
                    continue
                value = key
            elif target in SCHEDULE:
                year = cell.value.year if isinstance(cell.value, datetime.date) else year_of(cell)
                if year is None:
                    continue
                if not 1971 <= year <= 2100:
                    problems.append(_problem(cell, gettext_noop("%(cell)s: „%(value)s“ ist keine Jahreszahl."),
                                             value=str(cell.value)))
                    continue
                value = datetime.date(year, *SCHEDULE[target])
            elif target == "title" and len(value) > 300:
                problems.append(_problem(cell, gettext_noop("%(cell)s: der Titel ist länger als 300 Zeichen.")))
                continue
            values[target] = value
        if "start" in values and "end" in values and values["end"] < values["start"]:
            problems.append(_problem(get(cells, "end"), gettext_noop("%(cell)s: das Ende (%(end)s) liegt vor dem Beginn "
                                                                     "(%(start)s)."),
                                     end=values["end"].year, start=values.pop("start").year))
            del values["end"]
        p = planned.get(number)
        if p is None:
            p = planned[number] = Planned(number, num_cell.row, "unchanged", values, measure=existing.get(number))
        else:  # the long shape: the measure's columns must agree across its rows
            for k, v in values.items():
                if k in p.values and p.values[k] != v:
                    problems.append(_problem(get(cells, k), gettext_noop("%(cell)s: anders als in Zeile %(row)s für die "
                                                                         "Maßnahme %(number)s."), row=p.row, number=number))
                p.values.setdefault(k, v)
        group_cell = get(cells, "cost_group")
        group = text(group_cell)
        if group and group not in groups:
            group = mapped("cost_group", group, groups) or group
        group = group or mapping.cost_group
        if mapping.shape == "long":
            year_cell = get(cells, "year")
            year = year_of(year_cell)
            entries = [(year, get(cells, "amount"), year_cell)] if check_year(year, year_cell) else []
        else:
            entries = []
            for header, year in mapping.years.items():
                cell = cells[col[header]]
                if cell.value not in (None, "") and check_year(year, cell):
                    entries.append((year, cell, cell))
        for year, cell, where in entries:
            value = amount(cell, _("Kosten"))
            if value is None:
                continue
            if group not in groups:  # said once per cause after the rows, with every row or cell
                if group_cell is not None and text(group_cell):
                    unknown_groups.setdefault(group, []).append(group_cell.ref)
                else:
                    without_group.append(where.row)
                continue
            key = (number, year, group)
            if key in seen_costs:
                problems.append(_problem(where, gettext_noop("%(cell)s: Kosten für %(number)s, %(year)s, Kostengruppe "
                                                             "%(group)s stehen schon in %(other)s."), number=number,
                                         year=year, group=group, other=seen_costs[key]))
                continue
            seen_costs[key] = where.ref
            eligible_cell = get(cells, "eligible")
            eligible = amount(eligible_cell, _("davon förderfähig")) if eligible_cell is not None else None
            if eligible is not None and eligible > value:
                problems.append(_problem(eligible_cell, gettext_noop("%(cell)s: der förderfähige Teil ist größer als die "
                                                                     "Kosten.")))
                continue
            p.rows.append((year, group, value, value if eligible is None else eligible))

    if without_group:
        problems.append(rows_problem(
            without_group, gettext_noop("Zeile %(rows)s: keine Kostengruppe angegeben; bitte eine Spalte zuordnen oder "
                                        "eine Kostengruppe für alle Zeilen wählen."),
            gettext_noop("Zeilen %(rows)s: keine Kostengruppe angegeben; bitte eine Spalte zuordnen oder eine "
                         "Kostengruppe für alle Zeilen wählen.")))
    for group, refs in unknown_groups.items():
        problems.append(Problem(gettext_noop("%(cells)s: die Kostengruppe „%(group)s“ gibt es nicht (bekannt: "
                                             "%(known)s)."),
                                {"cells": ", ".join(refs), "group": group, "known": ", ".join(sorted(groups))}))
    result = []
    for number, p in planned.items():
        m = p.measure
        if m is None:
            p.action = "create"
            if "field" not in p.values and mapping.default_field in fields:
                p.values["field"] = fields[mapping.default_field]
            for required in ("title", "field"):
                if required not in p.values:
                    problems.append(Problem(gettext_noop("Zeile %(row)s: die neue Maßnahme %(number)s braucht „%(what)s“."),
                                            {"row": p.row, "number": number, "what": LABELS[required]}, row=p.row))
        else:
            for k, v in p.values.items():
                old = m.primary_field if k == "field" else getattr(m, k)
                if k in SCHEDULE and old is not None and old.year == v.year:  # the same year: its date stays
                    p.values[k] = old
                elif old != v:
                    p.changes.append(k)
                    p.before[k] = old
        for year, group, value, eligible in p.rows:
            item = items.get((m.pk, year, group)) if m is not None else None
            if item is None or item.amount != value or item.eligible != eligible:
                p.costs.append(CostChange(year, group, item.amount if item else None, value))
                p.writes.append((year, group, value, eligible, item))
        if p.action != "create" and (p.changes or p.costs):
            p.action = "change"
        result.append(p)
    named = set(planned)
    left = [n for n in existing if n not in named]
    return Plan(mapping, result, problems, left, table.header,
                {t: list(v.values()) for t, v in to_map.items() if v}, options)


def read_plan(concept: Concept, path: Path, filename: str | None = None, mapping: Mapping | None = None) -> tuple[sheets.Table, Plan]:
    """Read the file and plan its import, with ``mapping`` or the concept's remembered or guessed one."""
    table = sheets.read(path, filename)
    if mapping is None:
        mapping = guess_mapping(table.header, remembered_mapping(concept))
    return table, plan(concept, table, mapping)


def remembered_mapping(concept: Concept) -> Mapping | None:
    row = ImportMapping.objects.filter(concept=concept).first()
    return Mapping.from_json(row.mapping) if row else None


def remember(concept: Concept, mapping: Mapping) -> None:
    ImportMapping.objects.update_or_create(concept=concept, defaults={"mapping": mapping.as_json()})
