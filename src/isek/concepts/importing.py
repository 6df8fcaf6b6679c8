"""Store checked geodata in a concept: all or nothing.

Every feature is checked first; only when the whole file is fine is anything written, inside one
transaction. Used by the command ``isek import`` and by the upload page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.db import transaction

from isek.core import geo
from isek.core.audit import acting_as
from isek.core.problems import Problem, gettext_noop

from . import geoio
from .models import Concept, FieldOfAction, Measure, Quarter, colour_validator, number_validator

KINDS = {
    "area": geoio.POLYGONAL,
    "quarters": geoio.POLYGONAL,
    "measures": geoio.ANY,
}
NAME_KEYS = ("name", "Name", "NAME", "bezeichnung", "Bezeichnung", "title", "titel")
COLOUR_KEYS = ("colour", "color", "farbe", "Farbe")
NUMBER_KEYS = ("number", "nr", "Nr", "NR", "nummer", "Nummer")
TITLE_KEYS = ("title", "titel", "Titel", "name", "Name")
FIELD_KEYS = ("field", "field_of_action", "handlungsfeld", "Handlungsfeld")
DESCRIPTION_KEYS = ("description", "beschreibung", "Beschreibung")


SUMMARIES = {
    "area": gettext_noop("Fördergebiet übernommen (gelesen in %(crs)s)"),
    "quarters": gettext_noop("Teilräume: %(created)s neu angelegt, %(updated)s geändert (gelesen in %(crs)s)"),
    "measures": gettext_noop("Verortung von Maßnahmen: %(created)s neu angelegt, %(updated)s geändert (gelesen in %(crs)s)"),
}


@dataclass
class ImportReport:
    kind: str
    source_crs: str
    created: int = 0
    updated: int = 0
    warnings: list[Problem] = field(default_factory=list)
    measures_outside: list[Measure] = field(default_factory=list)  # a new area's: not (wholly) in it
    doubts: list[str] = field(default_factory=list)  # why the area or a quarter is unlikely (decision 0066)

    def summary(self, translate=str) -> str:
        return Problem(SUMMARIES[self.kind],
                       {"created": self.created, "updated": self.updated, "crs": self.source_crs}).render(translate)


class Unconfirmed(Exception):
    """The new funding area would leave measures outside it, or the area or a quarter is unlikely
    (``report.doubts``), and the import was to ask first: nothing is stored; ``report`` says what
    the import would do."""

    def __init__(self, report: ImportReport):
        super().__init__("unconfirmed")
        self.report = report


def _first(props: dict, keys) -> str:
    for k in keys:
        v = props.get(k)
        if v not in (None, ""):
            return str(v).strip()
    return ""



def _named(names: list[str], listed: int | None) -> dict:
    """The parameters of a message naming ``names``: "count" and "names" – all of them, or (more
    than ``listed``) the first ``listed``, and "listed"."""
    if listed is None or len(names) <= listed:
        return {"count": len(names), "names": ", ".join(names)}
    return {"count": len(names), "names": ", ".join(names[:listed]), "listed": listed}


def _multi(g):
    return shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g


def import_file(concept: Concept, path, kind: str, *, crs=None, layer=None, filename=None,
                user=None, actor: str = "import", ask_first: bool = False, doubt=None,
                confirmed: bool = False, listed: int | None = None) -> ImportReport:
    """Import ``path`` as the concept's area, its quarters or its measures' geometries.

    Raises geoio.GeoFileError listing every problem; then nothing has been stored. With
    ``ask_first``, a new area that would leave measures outside raises Unconfirmed instead.
    ``doubt(geometry)`` (WGS84 shapely → sentences) questions the area and each quarter; unless
    ``confirmed``, a doubt raises Unconfirmed with ``ask_first``, else GeoFileError (decision 0066).
    ``listed``: how many quarters or measures a message names at most – the first ones and how
    many there are, the rest with ``--verbose`` (the command's terminal; decision 0080); None: all.
    """
    if kind not in KINDS:
        raise geoio.GeoFileError([Problem(gettext_noop("Unbekannte Art „%(kind)s“: erlaubt sind area, quarters, measures."), {"kind": kind})])
    gf = geoio.read(
        path, allowed_types=KINDS[kind], crs=crs, layer=layer, prefer_layer=kind,
        max_bytes=settings.ISEK_UPLOAD_MAX_BYTES, filename=filename, unlocated=kind == "measures",
    )
    report = ImportReport(kind=kind, source_crs=gf.source_crs, warnings=list(gf.warnings))
    plan = {"area": _plan_area, "quarters": _plan_quarters, "measures": _plan_measures}[kind]
    writes = plan(concept, gf.features, report, listed)
    said: list[tuple[int, str]] = []  # each doubt with the index of the quarter it is about (area: 0)
    if doubt is not None and kind == "area":
        said = [(0, d) for d in doubt(shapely.union_all([f.geometry for f in gf.features]))]
        report.doubts = [d for _, d in said]
    elif doubt is not None and kind == "quarters":
        said = [(i, f"{_first(f.properties, NAME_KEYS)}: {d}") for i, f in enumerate(gf.features) for d in doubt(f.geometry)]
        report.doubts = [d for _, d in said]
    if report.doubts and not confirmed and not ask_first:
        doubted = sorted({i for i, _ in said})  # the quarters questioned, in the file's order
        shown = [Problem("%(doubt)s", {"doubt": d}) for _, d in said]
        if kind == "quarters" and listed is not None and len(doubted) > listed:
            first = set(doubted[:listed])
            shown = [Problem("%(doubt)s", {"doubt": d}) for i, d in said if i in first] + [Problem(gettext_noop(
                "… und %(more)s weitere Teilräume mit Rückfragen (%(count)s von %(total)s Teilräumen; alle mit "
                "--verbose)."), {"more": len(doubted) - listed, "count": len(doubted), "total": len(gf.features)})]
        raise geoio.GeoFileError(shown + [Problem(gettext_noop("Nichts gespeichert: Stimmt die Fläche, mit "
                                                               "--confirm-area erneut importieren."))])
    if ask_first and (report.measures_outside or report.doubts and not confirmed):
        raise Unconfirmed(report)
    with acting_as(user, actor), transaction.atomic():
        for write in writes:
            write()
    return report


def _plan_area(concept, features, report, listed=None):
    union = shapely.union_all([f.geometry for f in features])
    if union.geom_type not in geoio.POLYGONAL or not union.is_valid or union.is_empty:
        raise geoio.GeoFileError([Problem(gettext_noop("Die Flächen ergeben zusammen kein gültiges Fördergebiet."))])
    if len(features) > 1:
        report.warnings.append(Problem(gettext_noop("Die Datei hat %(value)s Flächen; zusammen ergeben sie das Fördergebiet."), {"value": len(features)}))
    area = geo.to_django(union).buffer(1e-6)
    outside = [q.name for q in concept.quarters.all() if not area.contains(q.geometry)]
    if outside:
        named = _named(outside, listed)
        report.warnings.append(Problem(gettext_noop("Teilräume ragen über das neue Fördergebiet hinaus: %(names)s")
                                       if "listed" not in named else gettext_noop(
            "%(count)s Teilräume ragen über das neue Fördergebiet hinaus, die ersten %(listed)s: %(names)s (alle mit "
            "--verbose)"), named))
    report.measures_outside = [m for m in concept.measures.exclude(geometry=None) if not area.contains(m.geometry)]

    def write():
        if report.measures_outside:
            numbers = _named([m.number for m in report.measures_outside], listed)
            numbers["numbers"] = numbers.pop("names")
            report.warnings.append(Problem(
                gettext_noop("%(count)s Maßnahmen liegen nicht (ganz) im neuen Fördergebiet: %(numbers)s")
                if "listed" not in numbers else gettext_noop("%(count)s Maßnahmen liegen nicht (ganz) im neuen "
                                                             "Fördergebiet, die ersten %(listed)s: %(numbers)s (alle "
                                                             "mit --verbose)"), numbers))
        concept.area = geo.to_django(_multi(union))
        named = {_first(f.properties, NAME_KEYS) for f in features} - {None, ""}
        if not concept.area_name and len(named) == 1:  # the file's name of the area, where the concept has none yet
            concept.area_name = named.pop()[:200]
        concept.save()
        report.updated += 1

    return [write]


def _plan_quarters(concept, features, report, listed=None):
    errors, seen, rows = [], {}, []
    for f in features:
        name = _first(f.properties, NAME_KEYS)
        if not name:
            errors.append(Problem(gettext_noop("Objekt %(n)s: es fehlt der Name (Feld „name“)."), {"n": f.index}, row=f.index))
            continue
        if name in seen:
            errors.append(Problem(gettext_noop("Objekt %(n)s: der Name „%(name)s“ kommt schon in Objekt %(value)s vor."), {"n": f.index, "name": name, "value": seen[name]}, row=f.index))
            continue
        seen[name] = f.index
        colour = _first(f.properties, COLOUR_KEYS)
        if colour:
            try:
                colour_validator(colour)
            except Exception:
                errors.append(Problem(gettext_noop("Objekt %(n)s: Farbe „%(colour)s“ ist nicht im Format #RRGGBB."), {"n": f.index, "colour": colour}, row=f.index))
                continue
        rows.append((name, colour, _first(f.properties, DESCRIPTION_KEYS), f.geometry))
    if errors:
        raise geoio.GeoFileError(errors)
    area = concept.area
    if area is not None:
        wider = area.buffer(1e-6)
        outside = [r[0] for r in rows if not wider.contains(geo.to_django(r[3]))]
        if outside:
            named = _named(outside, listed)
            report.warnings.append(Problem(gettext_noop("Teilräume ragen über das Fördergebiet hinaus: %(names)s")
                                           if "listed" not in named else gettext_noop(
                "%(count)s Teilräume ragen über das Fördergebiet hinaus, die ersten %(listed)s: %(names)s (alle mit "
                "--verbose)"), named))

    def write():
        for name, colour, description, g in rows:
            q = Quarter.objects.filter(concept=concept, name=name).first()
            if q is None:
                q = Quarter(concept=concept, name=name)
                report.created += 1
            else:
                report.updated += 1
            q.geometry = geo.to_django(_multi(g))
            if colour:
                q.colour = colour
            if description:
                q.description = description
            q.approximated = False
            q.save()

    return [write]


def _plan_measures(concept, features, report, listed=None):
    errors, seen, rows = [], {}, []
    existing = {m.number: m for m in concept.measures.all()}
    fields = {str(f.number): f for f in FieldOfAction.objects.filter(concept=concept)}
    for f in features:
        number = _first(f.properties, NUMBER_KEYS)
        if not number:
            errors.append(Problem(gettext_noop("Objekt %(n)s: es fehlt die Maßnahmennummer (Feld „number“)."), {"n": f.index}, row=f.index))
            continue
        try:
            number_validator(number)
        except Exception:
            errors.append(Problem(gettext_noop("Objekt %(n)s: „%(number)s“ ist keine Maßnahmennummer wie „2.3“."), {"n": f.index, "number": number}, row=f.index))
            continue
        if number in seen:
            errors.append(Problem(gettext_noop("Objekt %(n)s: Maßnahme %(number)s kommt schon in Objekt %(value)s vor."), {"n": f.index, "number": number, "value": seen[number]}, row=f.index))
            continue
        seen[number] = f.index
        if number in existing:
            rows.append((existing[number], None, f))
            continue
        title = _first(f.properties, TITLE_KEYS)
        field_no = _first(f.properties, FIELD_KEYS)
        if not title or field_no not in fields:
            errors.append(
                Problem(gettext_noop("Objekt %(n)s: Maßnahme %(number)s gibt es im Konzept noch nicht; zum Anlegen braucht sie „title“ und „field“ (Nummer eines Handlungsfelds: %(value)s)."), {"n": f.index, "number": number, "value": ', '.join(sorted(fields)) or 'keins angelegt'}, row=f.index)
            )
            continue
        rows.append((None, (number, title, fields[field_no]), f))
    if errors:
        raise geoio.GeoFileError(errors)

    def write():
        for measure, new, f in rows:
            if measure is None:
                number, title, foa = new
                measure = Measure(concept=concept, number=number, title=title, primary_field=foa,
                                  description=_first(f.properties, DESCRIPTION_KEYS))
                report.created += 1
            else:
                report.updated += 1
            measure.geometry = geo.to_django(f.geometry)
            measure.geometry_approximated = False
            measure.save()

    return [write]
