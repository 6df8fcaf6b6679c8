"""The reports the funding procedure asks for, built from the concept's data:

- ``isek``: the ISEK as a PDF following the application outline of the concept's Land where isek
  knows it (NRW: at most 25 pages), otherwise a general outline (isek.finance.land_rules);
- ``sachbericht``: the yearly progress report for a chosen year;
- ``monitoring``: the federal monitoring data (Begleitinformationen) as CSV, columns configurable;
- ``steckbriefe``: one fact sheet per measure (Maßnahmensteckbrief), one page each; also for a
  single measure (``fact_sheets_pdf(…, measures=…)``, from the measure's page).

Reports are written in German, the language of the funding procedure."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from isek.analysis import services as analysis
from isek.concepts import services as concepts
from isek.concepts.services import Concept, Measure, Milestone
from isek.core import pdf
from isek.core.numbering import number_sort_key
from isek.core.tabular import as_text_cell
from isek.finance import services as finance
from isek.finance.services import FinanceVersion
from isek.geodata import services as geodata

from . import figures, readiness
from .models import Indicator, MonitoringMapping, Payment, ReportText, YearNote, preliminary_note, report_year_error


def _charts():
    """The figures module, imported where a report draws: it brings matplotlib, which every command
    and worker would otherwise load at start (about 0.2 s each)."""
    from . import charts

    return charts


ZERO = Decimal(0)
Progress = Callable[[int, str], None]


class ReportError(Exception):
    pass


def _noop(_pct: int, _label: str) -> None:
    pass


def texts(concept: Concept) -> dict[str, ReportText]:
    return {t.section: t for t in concept.report_texts.all()}


def _paragraphs(text: str) -> list[dict]:
    """Blocks of a planner's text: paragraphs, and lists from lines starting with '- '."""
    blocks = []
    for chunk in [c.strip() for c in text.replace("\r\n", "\n").split("\n\n") if c.strip()]:
        lines = [ln.strip() for ln in chunk.split("\n")]
        if all(ln.startswith("- ") for ln in lines):
            blocks.append({"list": [ln[2:] for ln in lines]})
        else:
            blocks.append({"text": " ".join(lines)})
    return blocks


def _sections(concept: Concept) -> dict:
    out = {}
    stored = texts(concept)
    for key, label in ReportText.Section.choices:
        t = stored.get(key)
        out[key] = {"label": label, "blocks": _paragraphs(t.text) if t else [], "source": t.source if t else "",
                    "illustrative": t.illustrative if t else False}
    return out


FURTHER = ("eu", "private", "other", "unidentified")  # "Weitere Mittel": neither grant nor own share


def _measure_figures(total) -> dict[str, Decimal]:
    """Cost, grant, own share and further money, read by name with ``total(what)``: they add up to the cost."""
    figures = {w: total(w) for w in ("cost", "grant", "municipality")}
    figures["further"] = sum((total(w) for w in FURTHER), ZERO)
    figures["over"] = total("overfinanced")  # financing above the cost: grant + own + further − over = cost
    return figures


def _measure_rows(concept: Concept, result: finance.KufResult) -> list[dict]:
    rows = []
    for m in concept.measures.select_related("primary_field").prefetch_related("sources", "milestones"):
        rows.append({"m": m, **_measure_figures(lambda w, key=str(m.pk): result.measure_total(key, w))})
    return rows


def _measure_count(rows: list[dict]) -> str:
    """"5 in 4 Handlungsfeldern": the fields of action the measures lie in, not all of them."""
    fields = len({r["m"].primary_field_id for r in rows})
    return f"{len(rows)} in {fields} Handlungsfeld{'' if fields == 1 else 'ern'}"


def _document_title(concept: Concept) -> str:
    """"ISEK Innenstadt Bayreuth", not "ISEK ISEK Innenstadt Bayreuth"."""
    return concept.name if concept.name.upper().startswith("ISEK") else f"ISEK {concept.name}"


def _numbers(numbers: list[int]) -> str:
    """"1–8" for a run of three or more, else "1, 3"."""
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


def _field_sources(fields, goals) -> list[str]:
    """One line per distinct source of the fields of action, with the fields it is for. A structure
    template is no source of the city's fields: the fields it gave (those not renamed) are cited as
    "Vorlage nach …", with the note that the goals are a proposal while any of them is still
    marked illustrative."""
    fields = list(fields)
    templates = {t.source.strip(): t for t in concepts.templates().values()}
    proposed = {g.field_of_action_id for g in goals if g.illustrative}
    by_source: dict[str, list] = {}
    for f in fields:
        if f.source.strip():
            by_source.setdefault(f.source.strip(), []).append(f)
    lines = []
    for source, these in by_source.items():
        which = f"Handlungsfeld{'er' if len(these) > 1 else ''} {_numbers(sorted(f.number for f in these))}"
        template = templates.get(source)
        if template is None:
            every = len(fields) > 1 and len(these) == len(fields)
            lines.append(f"Quelle {'aller Handlungsfelder' if every else 'zu ' + which}: {source}")
        else:
            proposal = "; Ziele als Vorschlag (illustrativ)" if any(f.pk in proposed for f in these) else ""
            lines.append(f"{which}: Vorlage nach „{template.label_de}“ (Strukturvorlage in isek){proposal}.")
    return lines


def _shares(result: finance.KufResult, sources: list[dict]) -> list[tuple[str, Decimal]]:
    """Each source's share of the KuF's cost in percent (one decimal), as this concept finances it."""
    cost = result.total("cost")
    if not cost:
        return []
    return [(r["label"], (r["total"] / cost * 100).quantize(Decimal("0.1"))) for r in sources if r["total"]]


def _finance_table(result: finance.KufResult, labels: dict[str, str]) -> dict:
    """The ISEK PDF's financing table, its sources named as the concept names them (a city-state's
    own share is not a Gemeinde's: walk 9)."""
    sources = finance.source_rows(result, labels)
    return {"shares": _shares(result, sources),"years": result.years, "cost": [result.year_total(y) for y in result.years],
            "grant": [result.year_total(y, "grant") for y in result.years],
            "over": [result.year_total(y, "overfinanced") for y in result.years], "over_total": result.total("overfinanced"),
            "sources": sources, "cost_total": result.total("cost"), "grant_total": result.total("grant"),
            "chart": _charts().finance_bars(result.years, [(r["source"], r["label"], [float(v) for v in r["values"]]) for r in sources])
            if result.years else None}


def _attribution(concept: Concept) -> list[str]:
    return geodata.report_attributions(concept) + ["Fördergebiet, Teilräume und Maßnahmen: isek-Datenbestand des Konzepts"]


def _indicator_rows(concept: Concept, states: list, with_charts: bool = True) -> dict:
    names = {q.pk: q.name for q in concept.quarters.all()}
    out = {k: [] for k, _l in Indicator.Kind.choices}
    for s in states:
        row = {"s": s, "i": s.indicator, "goals": ", ".join(g.number for g in s.indicator.goals.all()),
               "chart": _charts().indicator_chart(s, names) if with_charts and s.series else None}
        out[s.indicator.kind].append(row)
    return {"groups": [(label, out[k]) for k, label in Indicator.Kind.choices if out[k]]}


def _common(concept: Concept, ov: dict) -> dict:
    fields = {f.pk: f for f in concept.fields_of_action.all()}
    tree = ov["tree"]
    return {"concept": concept, "fields": fields, "tree": tree, "field_rows": figures.field_rows(concept, tree),
            "key": ov["key"], "today": datetime.date.today(), "result": ov["result"]}


def site_url(path: str) -> str:
    """``path`` as a reader of a printed report can open it: with the site's address where it is
    known (the installation's trusted origin), else "" (the report names the page instead)."""
    origins = settings.CSRF_TRUSTED_ORIGINS
    return origins[0].rstrip("/") + path if origins else ""


def max_isek_pages(concept: Concept) -> int | None:
    """The page limit of an ISEK in an application in the concept's Land (None where isek knows none)."""
    rules = finance.rules_of_land(concept)
    return rules.max_pages if rules else None


def isek_pdf(concept: Concept, path, progress: Progress = _noop) -> int:
    """The ISEK document; returns its page count."""
    with translation.override("de"):
        progress(5, "Daten")
        ov = figures.overview(concept)
        ctx = _common(concept, ov)
        result = ov["result"]
        measures = list(concept.measures.select_related("primary_field").prefetch_related("milestones"))
        progress(20, "Karte")
        ctx["map"] = _charts().concept_map(concept, measures, ctx["fields"], _attribution(concept),
                                       base_layers=geodata.base_geometries(concept)) if concept.area else None
        ctx["attribution"] = _attribution(concept)
        progress(40, "Zeitplan")
        ctx["gantt"] = _charts().gantt(measures, concept.start_year, concept.end_year)
        ctx["undated"] = [m for m in measures if not (m.start and m.end)]
        progress(55, "Finanzierung")
        ctx["finance"] = _finance_table(result, finance.source_labels(concept, "de"))
        ctx["approval_rows"] = finance.approval_differences(concept)  # where the approval differs from the request
        ctx["measure_rows"] = _measure_rows(concept, result)
        ctx["measure_count"] = _measure_count(ctx["measure_rows"])
        ctx["measure_totals"] = _measure_figures(result.total)
        ctx["sections"] = _sections(concept)
        ctx["goals"] = list(concept.goals.select_related("field_of_action", "parent").order_by("field_of_action__number", "number"))
        ctx["quarters"] = list(concept.quarters.all())
        progress(65, "Indikatoren")
        ctx["indicators"] = _indicator_rows(concept, ov["indicators"], with_charts=False)
        ctx["cost_catalogue"] = finance.cost_catalogue(concept)
        ctx["doc_title"] = _document_title(concept)
        ctx["field_sources"] = _field_sources(ctx["fields"].values(), ctx["goals"])
        ctx["warnings"] = [h.text for h in finance.hints(concept, result)]
        # the application's date of the council decision counts, as on the readiness page
        ctx["open_items"] = [i for i in readiness.check(concept, readiness.council_decision_of(concept))
                             if i.open and i.application]
        ctx["land"] = finance.rules_of_land(concept)
        ctx["decision"] = finance.decision_words(concept)
        ctx["application_words"] = finance.application_words(concept)  # Bayern: Bedarfsmitteilung (0087)
        ctx["land_programme"] = ctx["land"].programme(concept.programme)
        ctx["rates"] = list(concept.funding_rates.all())
        ctx["rate_bases"] = finance.rate_bases(ctx["rates"])
        ctx["cap"] = finance.FundingCap.objects.filter(concept=concept).first()
        ctx["analysis"] = analysis.area_figures(concept)
        ctx["analysis_covered"] = analysis.coverage_note(concept)
        ctx["indicators_url"] = site_url(reverse("web:indicators"))
        progress(75, "PDF")
        return pdf.write("monitoring/isek_pdf.html", ctx, path)


# --- fact sheets per measure (Maßnahmensteckbriefe) ---------------------------------------------

SHEET_ALWAYS = ("cost", "eligible", "grant")  # the columns every fact sheet shows; sources only where they carry money


def _sheet_finance(result: finance.KufResult, key: str, labels: dict[str, str]) -> dict:
    """A measure's costs and financing by year as the KuF computes them (finance.measure_table):
    cost, eligible cost, grant, and each source that carries money for it; the sum row from the
    same cells."""
    table = finance.measure_table(result, key, labels)
    keep = [i for i, c in enumerate(table["columns"])
            if c["what"] in SHEET_ALWAYS or any(r["values"][i]["value"] for r in table["rows"])]
    return {"columns": [table["columns"][i] for i in keep],
            "rows": [{"year": r["year"], "values": [r["values"][i]["value"] for i in keep]} for r in table["rows"]],
            "totals": [result.measure_total(key, table["columns"][i]["what"]) for i in keep]}


def fact_sheets_pdf(concept: Concept, path, measures=None, progress: Progress = _noop) -> int:
    """The fact sheet of each measure (all of the concept's, or ``measures``), one page each: what,
    where (the report map in the Land's CRS), goals served, costs and financing by year from the
    KuF, time plan and milestones, responsible body, status. Returns the page count."""
    with translation.override("de"):
        progress(5, "Daten")
        result = finance.current(concept)
        labels = finance.source_labels(concept, "de")
        measures = list((measures if measures is not None else concept.measures.all())
                        .select_related("primary_field").prefetch_related("further_fields", "goals", "milestones"))
        attribution = _attribution(concept)
        base = (_charts().working_base(geodata.base_geometries(concept), concept.working_srid)  # once for all maps
                if concept.area else ())
        sheets = []
        for i, m in enumerate(measures):
            progress(10 + 80 * i // max(len(measures), 1), f"Maßnahme {m.number}")
            drawn = concept.area is not None or m.geometry is not None
            sheets.append({
                "m": m, "goals": sorted(m.goals.all(), key=lambda g: number_sort_key(g.number)),
                "further_fields": sorted(m.further_fields.all(), key=lambda f: f.number),
                "milestones": sorted(m.milestones.all(), key=lambda ms: (ms.due or datetime.date.max, ms.title)),
                "map": _charts().concept_map(concept, [m], {m.primary_field_id: m.primary_field}, attribution,
                                          base_layers=base, size=(6.4, 3.9)) if drawn else None,
                "finance": _sheet_finance(result, str(m.pk), labels),
            })
        progress(90, "PDF")
        return pdf.write("monitoring/fact_sheets_pdf.html", {
            "concept": concept, "sheets": sheets, "today": datetime.date.today(), "attribution": attribution,
            "doc_title": "Maßnahmensteckbrief" if len(sheets) == 1 else "Maßnahmensteckbriefe"}, path)


def reference_version(concept: Concept, year: int) -> FinanceVersion | None:
    """The KuF version a Sachbericht compares with by default: the newest one frozen by the end of
    the report year; if none was frozen by then, the first one."""
    return finance.version_before(concept, datetime.date(year, 12, 31))


def sachbericht_pdf(concept: Concept, year: int, path, progress: Progress = _noop,
                    version: FinanceVersion | None = None) -> int:
    with translation.override("de"):
        if error := report_year_error(concept, year):
            raise ReportError(error)
        ctx_preliminary = preliminary_note(year)
        progress(5, "Daten")
        ov = figures.overview(concept)
        ctx = _common(concept, ov)
        result = ov["result"]
        ctx["year"] = year
        ctx["preliminary"] = ctx_preliminary
        end = datetime.date(year, 12, 31)
        progress(25, "Ausgaben")
        spend_year = figures.spending(concept, result, year)
        # Cumulated to the year's end, from the per-year plan and payments the overview already has.
        cumulative = [{"label": r["label"], "plan": sum((p for y, p, _a in r["years"] if y <= year), ZERO),
                       "paid": sum((a for y, _p, a in r["years"] if y <= year), ZERO)} for r in ov["spending"]["rows"]]
        ctx["spend"] = spend_year
        ctx["cumulative"] = cumulative
        ctx["cumulative_plan"] = sum((c["plan"] for c in cumulative), ZERO)
        ctx["cumulative_paid"] = sum((c["paid"] for c in cumulative), ZERO)
        ctx["illustrative_paid"] = sum(Payment.objects.filter(measure__concept=concept, year__lte=year, illustrative=True)
                                       .values_list("amount", flat=True), ZERO)
        progress(45, "Maßnahmen")
        rows = []
        this_year = {r["key"]: (r["plan"], r["paid"]) for r in spend_year["rows"]}
        for m in concept.measures.select_related("primary_field").prefetch_related("milestones"):
            done = [ms for ms in m.milestones.all() if ms.done and ms.done.year == year]
            y_plan, y_paid = this_year.get(str(m.pk), (ZERO, ZERO))
            # activity in the year: its time plan covers the year (a measure without dates has none)
            active = m.start is not None and m.start <= end and (m.end is None or m.end.year >= year)
            rows.append({"m": m, "done": done, "plan": y_plan, "paid": y_paid, "active": active})
        ctx["measure_rows"] = rows
        notes = list(YearNote.objects.filter(concept=concept, year=year).select_related("measure"))
        ctx["overview"] = next((_paragraphs(n.text) for n in notes if n.measure_id is None), [])
        ctx["overview_source"] = next((n.source for n in notes if n.measure_id is None), "")
        ctx["measure_notes"] = [n for n in notes if n.measure_id is not None]
        ms_all = Milestone.objects.filter(measure__concept=concept).select_related("measure").order_by("due", "id")
        ctx["ms_done"] = [ms for ms in ms_all if ms.done and ms.done.year == year]
        ctx["ms_overdue"] = [ms for ms in ms_all if not (ms.done and ms.done <= end) and ms.due and ms.due <= end
                             and ms.measure.status != Measure.Status.CANCELLED]
        ctx["ms_next"] = [ms for ms in ms_all if not ms.done and ms.due and ms.due.year == year + 1]
        progress(60, "KuF-Vergleich")
        if version is None:
            version = reference_version(concept, year)
        elif version.concept_id != concept.pk:
            raise ReportError("Die KuF-Version gehört zu einem anderen Konzept.")
        ctx["version"] = version
        if version is not None:
            changes, labels = finance.compare(concept, version, None)
            ctx["changes"] = _changes_by_measure(concept, changes, labels)
            before = finance.version_result(version)
            ctx["version_totals"] = {"cost": (before.total("cost"), result.total("cost")),
                                     "grant": (before.total("grant"), result.total("grant"))}
        progress(75, "Indikatoren")
        ctx["indicators"] = _indicator_rows(concept, figures.indicator_states(concept, upto=year))
        ctx["warnings"] = figures.year_warnings(concept, result, year)
        ctx["cancelled"] = [m for m in concept.measures.all() if m.status == Measure.Status.CANCELLED]
        progress(85, "PDF")
        return pdf.write("monitoring/sachbericht_pdf.html", ctx, path)


def _changes_by_measure(concept: Concept, changes: list[finance.Change], labels: dict) -> list[dict]:
    what = {"cost": "Kosten", "eligible": "förderfähige Kosten", **finance.source_labels(concept, "de")}
    out: dict[str, dict] = {}
    for c in changes:
        entry = out.setdefault(c.measure, {"label": labels.get(c.measure, c.measure), "items": [], "delta_cost": ZERO})
        entry["items"].append({"kind": {"added": "neu", "removed": "entfallen", "changed": "geändert"}[c.kind],
                               "year": c.year, "what": what.get(c.what, c.what), "before": c.before, "after": c.after,
                               "delta": c.delta})
        if c.what == "cost":
            entry["delta_cost"] += c.delta
    return sorted(out.values(), key=lambda e: e["label"])


# --- federal monitoring (Begleitinformationen) ----------------------------------------------------


def _fmt(value, comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        text = f"{value:.2f}" if isinstance(value, Decimal) else (f"{value:g}" if isinstance(value, float) else str(value))
        return text.replace(".", ",") if comma else text
    return as_text_cell(str(value))


def monitoring_fields(concept: Concept) -> dict[str, tuple[str, Callable]]:
    """field key → (description, getter(ctx))."""
    base = {
        "municipality": (_("Gemeinde"), lambda c: c["concept"].city.name),
        "ags": (_("Amtlicher Gemeindeschlüssel"), lambda c: c["concept"].city.ags),
        "measure_name": (_("Name der Gesamtmaßnahme"), lambda c: c["concept"].name),
        "area_name": (_("Fördergebiet"), lambda c: c["concept"].area_name),
        "programme": (_("Programm"), lambda c: c["concept"].get_programme_display()),
        "legal_basis": (_("Gebietsfestlegung"), lambda c: c["concept"].get_legal_basis_display()),
        "status": (_("Stand"), lambda c: c["concept"].get_status_display()),
        "area_ha": (_("Gebietsgröße (ha)"), lambda c: round(c["concept"].area_m2 / 10_000, 2) if c["concept"].area else None),
        "start_year": (_("Beginn (Jahr)"), lambda c: c["concept"].start_year),
        "end_year": (_("Ende (Jahr)"), lambda c: c["concept"].end_year),
        "council_decision": (finance.decision_words(concept)["decision"], lambda c: c["concept"].council_decision_date),
        "cost_total": (_("Kosten gesamt (€)"), lambda c: c["result"].total("cost")),
        "eligible_total": (_("förderfähige Kosten (€)"), lambda c: c["result"].total("eligible")),
        "federal_funds": (_("Bundesmittel (€)"), lambda c: c["result"].total("bund")),
        "land_funds": (_("Landesmittel (€)"), lambda c: c["result"].total("land")),
        "municipal_share": (_("%(share)s (€)") % {"share": finance.source_labels(concept, translation.get_language())["municipality"]},
                            lambda c: c["result"].total("municipality")),
        "eu_funds": (_("EU-Mittel (€)"), lambda c: c["result"].total("eu")),
        "private_funds": (_("Private / Dritte (€)"), lambda c: c["result"].total("private")),
        "other_sources": (_("sonstige Mittel (€)"), lambda c: c["result"].total("other")),
        "unidentified_funds": (_("ungeklärte Finanzierung (€)"), lambda c: c["result"].total("unidentified")),
        "other_funds": (_("weitere Mittel (€)"), lambda c: sum((c["result"].total(s) for s in ("eu", "private", "other")), ZERO)),
        "paid_total": (_("ausgezahlt bis heute (€)"), lambda c: c["spending"]["paid"]),
        "measures": (_("Zahl der Maßnahmen"), lambda c: c["concept"].measures.exclude(status=Measure.Status.CANCELLED).count()),
        "progress": (_("Fortschritt (%)"), lambda c: c["tree"].shown),
    }
    for ind in concept.indicators.all():
        for suffix, what, get in (("", _("neuester Wert"), lambda s: s.latest[1] if s.latest else None),
                                  (":year", _("Jahr des neuesten Werts"), lambda s: s.latest[0].year if s.latest else None),
                                  (":baseline", _("Ausgangswert"), lambda s: s.indicator.baseline_value),
                                  (":target", _("Zielwert"), lambda s: s.indicator.target_value)):
            base[f"indicator:{ind.code}{suffix}"] = (
                _("%(kind)s-Indikator %(name)s (%(unit)s): %(what)s") % {
                    "kind": ind.get_kind_display(), "name": ind.label, "unit": ind.unit_label,
                    "what": what},
                lambda c, code=ind.code, get=get: get(c["states"][code]))
    return base


BASE_COLUMNS = (("Gemeinde", "municipality"), ("AGS", "ags"), ("Gesamtmaßnahme", "measure_name"),
                ("Programm", "programme"), ("Gebietsgröße_ha", "area_ha"), ("Beginn", "start_year"), ("Ende", "end_year"),
                ("Bundesmittel_EUR", "federal_funds"), ("Landesmittel_EUR", "land_funds"),
                ("Eigenanteil_EUR", "municipal_share"), ("EU_Mittel_EUR", "eu_funds"),
                ("Private_Dritte_EUR", "private_funds"), ("Sonstige_Mittel_EUR", "other_sources"),
                ("Ungeklaert_EUR", "unidentified_funds"),
                ("Kosten_gesamt_EUR", "cost_total"))  # every financing column: the row adds up to the cost


def default_columns(concept: Concept) -> list[list[str]]:
    cols = [list(c) for c in BASE_COLUMNS]
    prefix = {"input": "Input", "output": "Output", "context": "Kontext"}
    for ind in concept.indicators.all():
        cols.append([f"{prefix[ind.kind]}_{ind.code}", f"indicator:{ind.code}"])
        cols.append([f"{prefix[ind.kind]}_{ind.code}_Jahr", f"indicator:{ind.code}:year"])
    return cols


def mapping_of(concept: Concept) -> tuple[list[list[str]], str, bool]:
    m = MonitoringMapping.objects.filter(concept=concept).first()
    if m is None or not m.columns:
        return default_columns(concept), ";", True
    return m.columns, m.delimiter, m.decimal_comma


def check_columns(concept: Concept, columns: list[list[str]]) -> list[str]:
    known = monitoring_fields(concept)
    errors = []
    seen = set()
    for header, key in columns:
        if key not in known:
            errors.append(f"Unbekanntes Feld „{key}“ für Spalte „{header}“.")
        if header in seen:
            errors.append(f"Die Spalte „{header}“ steht doppelt.")
        seen.add(header)
    if not columns:
        errors.append("Keine Spalten angegeben.")
    return errors


def monitoring_csv(concept: Concept, path, columns=None, delimiter=None, decimal_comma=None,
                   progress: Progress = _noop) -> int:
    """One row for the overall measure; returns the number of columns."""
    stored = mapping_of(concept)
    columns = columns if columns is not None else stored[0]
    delimiter = delimiter or stored[1]
    decimal_comma = stored[2] if decimal_comma is None else decimal_comma
    errors = check_columns(concept, columns)
    if errors:
        raise ReportError(" ".join(errors))
    progress(20, "Daten")
    with translation.override("de"):
        row = _monitoring_row(concept, columns, decimal_comma)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow([h for h, _k in columns])
        w.writerow(row)
    progress(100, "fertig")
    return len(columns)


class _Figures(dict):
    """What the monitoring fields read of a concept (its KuF result, spending, progress tree,
    indicator states), each computed when a column first asks for it: a row of the default mapping
    needs neither the spending nor the progress tree (the district's export, decision 0062)."""

    def __init__(self, concept: Concept):
        super().__init__(concept=concept)
        self._make = {"result": lambda: finance.current(concept),
                      "spending": lambda: figures.spending(concept, self["result"]),
                      "tree": lambda: figures.progress_tree(concept, self["result"]),
                      "states": lambda: {s.indicator.code: s for s in figures.indicator_states(concept)}}

    def __missing__(self, key):
        value = self[key] = self._make[key]()
        return value


def _monitoring_row(concept: Concept, columns, decimal_comma: bool) -> list[str]:
    ctx, known = _Figures(concept), monitoring_fields(concept)
    return [_fmt(known[key][1](ctx), decimal_comma) for _h, key in columns]


def district_monitoring_csv(concepts, path) -> int:
    """The federal monitoring data of several concepts (a funding authority's district) in one CSV,
    one row each, with the default mapping's columns and German conventions (";", decimal comma,
    UTF-8 with BOM): its base columns, then every indicator column any of the concepts has, in the
    order they first appear (empty where a concept has no such indicator). Returns the row count;
    without concepts only the header is written."""
    header = [h for h, _k in BASE_COLUMNS]
    rows = []
    with translation.override("de"):
        for concept in concepts:
            columns = default_columns(concept)
            for h, _k in columns[len(BASE_COLUMNS):]:
                if h not in header:
                    header.append(h)
            cells = dict(zip((h for h, _k in columns), _monitoring_row(concept, columns, True), strict=True))
            rows.append(cells)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        w.writerows([cells.get(h, "") for h in header] for cells in rows)
    return len(rows)


def build(concept: Concept, kind: str, path, year: int | None = None, progress: Progress = _noop,
          version: FinanceVersion | None = None) -> int | None:
    """Write report ``kind`` to ``path``; returns pages (PDF) or None (CSV)."""
    if kind == "isek":
        return isek_pdf(concept, path, progress)
    if kind == "sachbericht":
        if year is None:
            raise ReportError("Für den Sachbericht fehlt das Berichtsjahr.")
        return sachbericht_pdf(concept, year, path, progress, version)
    if kind == "monitoring":
        monitoring_csv(concept, path, progress=progress)
        return None
    if kind == "steckbriefe":
        return fact_sheets_pdf(concept, path, progress=progress)
    raise ReportError(f"Unbekannter Bericht „{kind}“ (isek, sachbericht, monitoring, steckbriefe).")
