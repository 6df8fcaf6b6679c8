"""The whole concept as open data (issue #12): one GeoPackage with its spatial layers (area,
quarters, measures, in the official CRS of the Land) and its non-spatial tables (the concept,
fields of action, goals, milestones, cost items, financing, funding rates, indicators and their
entered values), licence and attribution in the GeoPackage's metadata tables; the same tables
as CSV for German Excel in a zip with a README; the measure list as XLSX. And back: a GeoPackage
of this shape imported into an installation that does not have the concept, through the services.

Rows carry natural keys (numbers, codes, names), never database ids, and are sorted by them, so
that exporting, importing and exporting again gives the same content. Coordinates are written to
the millimetre."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import shapely
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from isek import access
from isek.analysis import services as analysis
from isek.concepts import services as concepts
from isek.core import geo
from isek.core.numbering import number_sort_key
from isek.core.problems import InputError, Problem, gettext_noop
from isek.core.tabular import as_text_cell
from isek.finance import services as finance
from isek.monitoring import services as monitoring

SPATIAL = ("area", "quarters", "measures")
TABLES = ("concept", "fields_of_action", "goals", "milestones", "cost_items", "financing", "funding_rates",
          "indicators", "indicator_values")
PRECISION_M = 0.001


def licence() -> str:
    return getattr(settings, "ISEK_EXPORT_LICENCE", "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)")


def attribution(concept) -> str:
    return f"{concept.city.name}: {concept.name} (isek)"


def _plain(v):
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return v


def _numbers(objs) -> str:
    return ",".join(sorted((str(o.number) for o in objs), key=number_sort_key))


# --- rows ------------------------------------------------------------------------------------------


def spatial_rows(concept) -> dict[str, tuple[list[dict], list]]:
    """{layer: (rows, WGS84 shapely geometries)} for area, quarters and measures."""
    srid = concept.working_srid
    out = {}
    if concept.area is not None:
        g = geo.from_django(concept.area)
        area = shapely.area(_to_working([g], srid)[0])  # of the geometry as written, to the millimetre
        out["area"] = ([{"slug": concept.slug, "area_name": concept.area_name, "approximated": concept.area_approximated,
                         "source": concept.area_source, "area_m2": round(float(area), 1)}], [g])
    quarters = concept.quarters.order_by("name")
    out["quarters"] = ([{"name": q.name, "colour": q.colour, "description": q.description, "approximated": q.approximated,
                         "source": q.source} for q in quarters], [geo.from_django(q.geometry) for q in quarters])
    rows, geoms = [], []
    for m in concepts.measures_of(concept).prefetch_related("further_fields", "goals"):
        rows.append({
            "number": m.number, "title": m.title, "description": m.description, "field": m.primary_field.number,
            "further_fields": _numbers(m.further_fields.all()), "goals": _numbers(m.goals.all()),
            "priority": m.priority, "status": m.status, "lead_body": m.lead_body, "partners": m.partners,
            "start": _plain(m.start), "end": _plain(m.end), "progress": m.progress,
            "progress_illustrative": m.progress_illustrative, "progress_weight": _plain(m.progress_weight),
            "estimated_cost": _plain(m.estimated_cost), "geometry_approximated": m.geometry_approximated,
            "geometry_source": m.geometry_source, "figures_approximated": m.figures_approximated})
        geoms.append(geo.from_django(m.geometry) if m.geometry is not None else None)
    out["measures"] = (rows, geoms)
    return out


def table_rows(concept, user=None) -> dict[str, list[dict]]:
    """The non-spatial tables, each sorted by its natural key; with ``user``, only what they may
    see (the KuF and the indicators are working material of the concept's members)."""
    c = concept
    sees = (lambda resource: True) if user is None else (lambda resource: access.allows(user, resource, "view", c))
    tables = {"concept": [{
        "slug": c.slug, "name": c.name, "city": c.city.name, "ags": c.city.ags, "programme": c.programme,
        "legal_basis": c.legal_basis, "start_year": c.start_year, "end_year": c.end_year, "status": c.status,
        "council_decision_date": _plain(c.council_decision_date), "mission": c.mission, "summary": c.summary,
        "area_name": c.area_name, "area_approximated": c.area_approximated, "area_source": c.area_source,
        "is_public": c.is_public, "crs": f"EPSG:{c.working_srid}", "licence": licence(), "attribution": attribution(c)}]}
    tables["fields_of_action"] = [{"number": f.number, "name": f.name, "name_en": f.name_en, "colour": f.colour,
                                   "description": f.description, "source": f.source}
                                  for f in c.fields_of_action.order_by("number")]
    tables["goals"] = sorted(({"number": g.number, "title": g.title, "description": g.description,
                               "field_of_action": g.field_of_action.number, "parent": g.parent.number if g.parent else "",
                               "illustrative": g.illustrative}
                              for g in c.goals.select_related("field_of_action", "parent")),
                             key=lambda r: number_sort_key(r["number"]))
    measures = list(concepts.measures_of(c).prefetch_related("milestones", "cost_items__cost_group", "financing"))
    tables["milestones"] = [{"measure": m.number, "title": ms.title, "due": _plain(ms.due), "done": _plain(ms.done),
                             "source": ms.source}
                            for m in measures for ms in sorted(m.milestones.all(), key=lambda x: (str(x.due), x.title))]
    tables["cost_items"] = [{"measure": m.number, "year": i.year, "cost_group": i.cost_group.number, "amount": _plain(i.amount),
                             "eligible": _plain(i.eligible), "basis": i.basis, "note": i.note, "illustrative": i.illustrative}
                            for m in measures for i in sorted(m.cost_items.all(),
                                                              key=lambda x: (x.year, number_sort_key(x.cost_group.number)))]
    tables["financing"] = [{"measure": m.number, "year": f.year, "source": f.source, "amount": _plain(f.amount),
                            "status": f.status, "reason": f.reason, "illustrative": f.illustrative}
                           for m in measures for f in sorted(m.financing.all(), key=lambda x: (x.year, x.source))]
    if not sees("kuf"):
        tables["cost_items"], tables["financing"] = [], []
    tables["funding_rates"] = [] if not sees("kuf") else [{"year": r.year, "rate": _plain(r.rate), "basis": r.basis, "illustrative": r.illustrative}
                               for r in finance.FundingRate.objects.filter(concept=c).order_by("year")]
    indicators = c.indicators.prefetch_related("goals").order_by("code") if sees("indicator") else []
    tables["indicators"] = [{"code": i.code, "name": i.name, "name_en": i.name_en, "kind": i.kind, "unit": i.unit,
                             "description": i.description, "baseline_value": i.baseline_value,
                             "baseline_year": i.baseline_year, "target_value": i.target_value,
                             "target_year": i.target_year, "source": i.source, "illustrative": i.illustrative,
                             "goals": _numbers(i.goals.all())} for i in indicators]
    tables["indicator_values"] = [{"indicator": v.indicator, "area": v.quarter.name if v.quarter else "",
                                   "year": v.date.year, "value": v.value, "source": v.source}
                                  for v in (analysis.entered_values(c) if sees("indicator") else [])]
    return tables


# --- GeoPackage --------------------------------------------------------------------------------------


def _to_working(geoms, srid: int):
    import numpy as np
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", f"EPSG:{srid}", always_xy=True)
    digits = round(-np.log10(PRECISION_M))

    def to(x, y):  # each coordinate rounded on its own: the vertices keep their order
        x2, y2 = t.transform(x, y)
        return np.round(x2, digits), np.round(y2, digits)

    return [shapely.transform(g, to, interleaved=False) if g is not None else None for g in geoms]


def export_gpkg(concept, path, user=None) -> dict[str, int]:
    """Write the concept as one GeoPackage; {layer or table: rows}. With ``user`` only what they
    may see (table_rows)."""
    import pandas as pd
    import pyogrio

    path = Path(path)
    path.unlink(missing_ok=True)
    srid = concept.working_srid
    meta = {"LICENCE": licence(), "ATTRIBUTION": attribution(concept), "SOURCE": "isek", "CRS": f"EPSG:{srid}"}
    counts = {}
    for name, (rows, geoms) in spatial_rows(concept).items():
        if not rows:
            continue
        import geopandas as gpd

        frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=_to_working(geoms, srid), crs=f"EPSG:{srid}")
        types = {g.geom_type for g in frame.geometry if g is not None}
        kind = "MultiPolygon" if types <= {"MultiPolygon", "Polygon"} and types else "Unknown"
        if kind == "MultiPolygon":
            frame.geometry = frame.geometry.apply(lambda g: shapely.MultiPolygon([g]) if g is not None and g.geom_type == "Polygon" else g)
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", geometry_type=kind,
                                layer_metadata={"DESCRIPTION": name, **meta})
        counts[name] = len(rows)
    for name, rows in table_rows(concept, user).items():
        frame = pd.DataFrame(rows) if rows else pd.DataFrame({"empty": pd.Series([], dtype="object")})
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", layer_metadata={"DESCRIPTION": name, **meta})
        counts[name] = len(rows)
    return counts


def read_gpkg(path) -> dict[str, list[dict]]:
    """Every layer and table of an exported GeoPackage as rows (geometries as WKB in the file's CRS)."""
    import pyogrio

    out = {}
    for name, _type in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=name, read_geometry=True)
        rows = []
        for rec in frame.to_dict("records"):
            row = {}
            for k, v in rec.items():
                if k == "geometry":
                    row[k] = shapely.to_wkb(v) if v is not None else None
                elif v is None or (isinstance(v, float) and v != v):
                    row[k] = None
                elif hasattr(v, "isoformat"):
                    row[k] = v.isoformat()[:10] if hasattr(v, "hour") and not (v.hour or v.minute) else v.isoformat()
                elif hasattr(v, "item"):  # numpy scalars
                    row[k] = v.item()
                else:
                    row[k] = v
            rows.append(row)
        out[name] = rows
    return out


# --- CSV and XLSX --------------------------------------------------------------------------------------


DECIMAL_COLUMNS = {"amount", "eligible", "rate", "estimated_cost", "progress_weight", "area_m2", "value",
                   "baseline_value", "target_value"}


def _csv_value(v, column: str = "") -> str:
    """A cell for German Excel: numbers (and the money columns, which travel as text) with a
    decimal comma; every other text as text – a measure number "2.1" stays "2.1"."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "ja" if v else "nein"
    if isinstance(v, (int, float, Decimal)):
        return str(v).replace(".", ",")
    if column in DECIMAL_COLUMNS and isinstance(v, str):
        try:
            Decimal(v)
        except ArithmeticError:
            return as_text_cell(v)
        return v.replace(".", ",")
    return as_text_cell(str(v))


def export_csv_zip(concept, path, user=None) -> dict[str, int]:
    """One CSV per layer and table (semicolon, decimal comma, UTF-8 with BOM; the layers with their
    geometry as WKT in the Land's CRS) and a README with licence and attribution, in one zip."""
    srid = concept.working_srid
    tables = {}
    for name, (rows, geoms) in spatial_rows(concept).items():
        wkts = [g.wkt if g is not None else "" for g in _to_working(geoms, srid)]
        tables[name] = [{**r, f"wkt_epsg_{srid}": w} for r, w in zip(rows, wkts)]
    tables.update(table_rows(concept, user))
    counts = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, rows in tables.items():
            buf = io.StringIO()
            w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
            header = list(rows[0]) if rows else []
            w.writerow(header)
            for r in rows:
                w.writerow([_csv_value(r[k], k) for k in header])
            z.writestr(f"{concept.slug}/{name}.csv", "\ufeff" + buf.getvalue())
            counts[name] = len(rows)
        z.writestr(f"{concept.slug}/README.txt", _readme(concept, counts))
    return counts


def _readme(concept, counts: dict[str, int]) -> str:
    lines = [f"{concept.name} – {concept.city.name}", "",
             f"Lizenz: {licence()}", f"Namensnennung: {attribution(concept)}",
             f"Koordinatenreferenzsystem der Geometrien: EPSG:{concept.working_srid} (amtliches KBS des Landes)",
             "CSV: Semikolon, Dezimalkomma, UTF-8 mit BOM (so liest sie Excel); Texte, die mit = + - @ beginnen, "
             "tragen ein führendes Apostroph.",
             "Als „illustrativ“ / „approximated“ markierte Angaben sind Beispiele oder Näherungen, keine Festlegungen.", "",
             "Tabellen:"]
    lines += [f"  {name}.csv: {n} Zeilen" for name, n in counts.items()]
    return "\r\n".join(lines) + "\r\n"


MEASURE_LIST = (  # the columns of the measure list (XLSX): model field, how its value is written
    ("number", "text"), ("title", "text"), ("description", "text"), ("primary_field", "field"),
    ("further_fields", "numbers"), ("goals", "numbers"), ("priority", "choice"), ("status", "choice"),
    ("lead_body", "text"), ("partners", "text"), ("start", "date"), ("end", "date"), ("progress", "number"),
    ("progress_illustrative", "bool"), ("progress_weight", "number"), ("estimated_cost", "euro"),
    ("geometry_approximated", "bool"), ("geometry_source", "text"), ("figures_approximated", "bool"))


def export_measures_xlsx(concept, path) -> int:
    """The measure list as XLSX for people, in the language of the request: the fields' labels as
    headers, choices by their label, dates as dates, amounts as numbers in € (every text written
    as text, never as a formula)."""
    import xlsxwriter

    measures = list(concepts.measures_of(concept).prefetch_related("further_fields", "goals"))
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(_("Maßnahmen")[:31])
    bold = wb.add_format({"bold": True})
    formats = {"date": wb.add_format({"num_format": "dd.mm.yyyy"}), "number": wb.add_format({"num_format": "#,##0.##"}),
               "euro": wb.add_format({"num_format": "#,##0.00 [$€-407]"})}
    for col, (name, _how) in enumerate(MEASURE_LIST):
        ws.write_string(0, col, str(concepts.Measure._meta.get_field(name).verbose_name), bold)
    for r, m in enumerate(measures, start=1):
        for col, (name, how) in enumerate(MEASURE_LIST):
            v = getattr(m, name)
            if how == "field":
                ws.write_string(r, col, f"{v.number} {v.name}")
            elif how == "numbers":
                ws.write_string(r, col, _numbers(v.all()).replace(",", ", "))
            elif how == "choice":
                ws.write_string(r, col, str(getattr(m, f"get_{name}_display")()))
            elif how == "bool":
                ws.write_string(r, col, _("ja") if v else _("nein"))
            elif v is None or v == "":
                continue
            elif how == "date":
                ws.write_datetime(r, col, datetime.datetime.combine(v, datetime.time()), formats["date"])
            elif how in ("number", "euro"):
                ws.write_number(r, col, float(v), formats[how])
            else:
                ws.write_string(r, col, str(v))
    ws.freeze_panes(1, 0)
    info = wb.add_worksheet(_("Lizenz")[:31])
    for r, (k, v) in enumerate(((_("Lizenz"), licence()), (_("Namensnennung"), attribution(concept)))):
        info.write_string(r, 0, k, bold)
        info.write_string(r, 1, v)
    wb.close()
    return len(measures)


# --- import ----------------------------------------------------------------------------------------------


def import_gpkg(user, path, *, confirmed: bool = False) -> object:
    """Create the concept of an exported GeoPackage in this installation, with all its layers and
    tables, through the services (their rules apply), in one transaction. A concept with the same
    short name must not exist. An area or quarter the services question (too large, outside the
    city's Land, decision 0066) refuses the file unless ``confirmed``."""
    data = read_gpkg(path)
    missing = [t for t in ("concept", "fields_of_action") if t not in data]
    if missing:
        raise InputError([Problem(gettext_noop("Die Datei ist kein isek-Export: es fehlen %(t)s."),
                                  {"t": ", ".join(missing)})])
    c = data["concept"][0]
    if concepts.concept_by_slug(c["slug"]) is not None:
        raise InputError([Problem(gettext_noop("Das Konzept „%(slug)s“ gibt es hier schon."), {"slug": c["slug"]})])
    srid = int(str(c["crs"]).split(":")[1])
    from pyproj import Transformer

    back = Transformer.from_crs(f"EPSG:{srid}", "EPSG:4326", always_xy=True)

    def geom(wkb):
        if wkb is None:
            return None
        return geo.to_django(shapely.transform(shapely.from_wkb(wkb), back.transform, interleaved=False))

    def dec(v):
        return Decimal(str(v)) if v not in (None, "") else None

    def day(v):
        return datetime.date.fromisoformat(str(v)[:10]) if v else None

    with transaction.atomic():
        city = concepts.save_city(user, str(c["ags"]), c["city"])
        concept = concepts.create_concept(
            user, city, via="import", slug=c["slug"], name=c["name"], programme=c["programme"],
            legal_basis=c["legal_basis"], start_year=int(c["start_year"]), end_year=int(c["end_year"]), status=c["status"],
            council_decision_date=day(c["council_decision_date"]), mission=c["mission"] or "", summary=c["summary"] or "",
            area_name=c["area_name"] or "", area_approximated=bool(c["area_approximated"]),
            area_source=c["area_source"] or "", is_public=bool(c["is_public"]))
        if data.get("area"):
            concept.area = geom(data["area"][0]["geometry"])
            concepts.save_concept(user, concept, via="import", confirmed=confirmed)
        fields = {int(r["number"]): concepts.FieldOfAction(
            number=int(r["number"]), name=r["name"], name_en=r["name_en"] or "", colour=r["colour"],
            description=r["description"] or "", source=r["source"] or "") for r in data["fields_of_action"]
            if "number" in r}
        concepts.save_structure(user, concept, fields=list(fields.values()), via="import")
        goals = {}
        for r in sorted(data.get("goals", []), key=lambda r: len(str(r["number"]).split("."))):
            g = concepts.Goal(number=r["number"], title=r["title"], description=r["description"] or "",
                              field_of_action=fields[int(r["field_of_action"])], parent=goals.get(r["parent"] or None),
                              illustrative=bool(r["illustrative"]))
            concepts.save_structure(user, concept, goals=[g], via="import")
            goals[g.number] = g
        quarters = {}
        for r in data.get("quarters", []):
            q = concepts.Quarter(name=r["name"], colour=r["colour"], description=r["description"] or "",
                                 approximated=bool(r["approximated"]), source=r["source"] or "", geometry=geom(r["geometry"]))
            quarters[q.name] = concepts.save_quarter(user, concept, q, via="import", confirmed=confirmed)
        milestones: dict[str, list] = {}
        for r in data.get("milestones", []):
            milestones.setdefault(r["measure"], []).append(concepts.Milestone(
                title=r["title"], due=day(r["due"]), done=day(r["done"]), source=r["source"] or ""))
        measures = {}
        for r in data.get("measures", []):  # a concept without measures has no such layer
            m = concepts.Measure(
                number=r["number"], title=r["title"], description=r["description"] or "", primary_field=fields[int(r["field"])],
                priority=int(r["priority"]), status=r["status"], lead_body=r["lead_body"] or "", partners=r["partners"] or "",
                start=day(r["start"]), end=day(r["end"]), progress=int(r["progress"]),
                progress_illustrative=bool(r["progress_illustrative"]), progress_weight=dec(r["progress_weight"]),
                estimated_cost=dec(r["estimated_cost"]), geometry_approximated=bool(r["geometry_approximated"]),
                geometry_source=r["geometry_source"] or "", figures_approximated=bool(r["figures_approximated"]),
                geometry=geom(r.get("geometry")))
            further = [fields[int(n)] for n in str(r["further_fields"] or "").split(",") if n]
            mgoals = [goals[n] for n in str(r["goals"] or "").split(",") if n]
            measures[m.number] = concepts.save_measure(user, concept, m, further_fields=further, goals=mgoals,
                                                       milestones=milestones.get(m.number, []), via="import")
        groups = finance.cost_groups_by_number(concept)
        costs: dict[str, list] = {}
        unknown = sorted({str(r["cost_group"]) for r in data.get("cost_items", [])} - set(groups))
        if unknown:
            raise InputError([Problem(gettext_noop("Die Kostengruppe(n) %(groups)s gibt es im Katalog der Kostengruppen "
                                                   "dieses Konzepts nicht."), {"groups": ", ".join(unknown)})])
        for r in data.get("cost_items", []):
            costs.setdefault(r["measure"], []).append(finance.CostItem(
                year=int(r["year"]), cost_group=groups[str(r["cost_group"])], amount=dec(r["amount"]),
                eligible=dec(r["eligible"]), basis=r["basis"], note=r["note"] or "", illustrative=bool(r["illustrative"])))
        money: dict[str, list] = {}
        for r in data.get("financing", []):
            money.setdefault(r["measure"], []).append(finance.Financing(
                # "bewilligt" is set by an approval in this installation only; the package's approved
                # line comes in as "gesichert", its reason naming the Bescheid (decision 0065)
                year=int(r["year"]), source=r["source"], amount=dec(r["amount"]),
                status=finance.Financing.Status.SECURED if r["status"] == finance.APPROVED else r["status"],
                reason=r["reason"] or "",
                illustrative=bool(r["illustrative"])))
        for number in sorted(set(costs) | set(money)):
            finance.save_costs(user, concept, measures[number], cost_items=costs.get(number, []),
                               financings=money.get(number, []), via="import")
        if data.get("funding_rates"):
            finance.save_rates(user, concept, rates=[finance.FundingRate(
                year=int(r["year"]), rate=dec(r["rate"]), basis=r["basis"] or "", illustrative=bool(r["illustrative"]))
                for r in data["funding_rates"]], via="import")
        for r in data.get("indicators", []):
            i = monitoring.Indicator(
                code=r["code"], name=r["name"], name_en=r["name_en"] or "", kind=r["kind"], unit=r["unit"],
                description=r["description"] or "", baseline_value=r["baseline_value"],
                baseline_year=int(r["baseline_year"]) if r["baseline_year"] is not None else None,
                target_value=r["target_value"],
                target_year=int(r["target_year"]) if r["target_year"] is not None else None,
                source=r["source"] or "", illustrative=bool(r["illustrative"]))
            monitoring.save_indicator(user, concept, i, goals=[goals[n] for n in str(r["goals"] or "").split(",") if n],
                                      via="import")
        indicators = {i.code: i for i in concept.indicators.all()}
        for r in data.get("indicator_values", []):
            monitoring.add_value(user, concept, indicators[r["indicator"]], quarters.get(r["area"] or None),
                                 int(r["year"]), r["value"], r["source"] or "", via="import")
    access.require(user, "concept", "view", concept)
    return concept
