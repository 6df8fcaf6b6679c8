"""The analysis's application layer: start an inventory analysis of a concept (as a background job
or, for loaders and commands, at once), keep its runs as a history with one current analysis,
and read the values that count."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from isek import access
from isek.core import jobs as background
from isek.core import numbers, osmtime
from isek.core.audit import acting_as, change
from isek.core.i18n import pick, unit_label
from isek.core.problems import InputError
from isek.core.rules import invalid
from isek.geodata import services as geodata

from . import jobs
from .maps import scale_bar  # noqa: F401  (other apps' maps draw the same scale bar)
from .models import AnalysisRun, IndicatorValue


def extract_choices(user, concept) -> list[tuple[str, str]]:
    """The extracts a planner may analyse the concept from as (value, label) for a form: its city's
    (newest first, the default), then the cut to its area, each labelled as such with its data
    date; nobody else sees any."""
    if not access.allows(user, "analysis", "run", concept):
        return []
    extracts = sorted(geodata.extracts_for(user, concept), key=lambda e: e.concept_id is not None)  # stable: newest first

    def label(e) -> str:
        kind = _("Extrakt der Stadt") if e.concept_id is None else _("Ausschnitt für dieses Konzept")
        day = osmtime.day(e.data_date)
        date = date_format(day, "SHORT_DATE_FORMAT") if day else _("unbekannt")
        return f"{kind}: {e.name} ({_('Datenstand')} {date})"

    return [(e.path, label(e)) for e in extracts]


def has_city_layers(concept) -> bool:
    """Whether the concept's city has reference layers the analysis reads (stops, schools, …)."""
    return bool(geodata.analysis_inputs(concept.city))


def has_input(concept) -> bool:
    """Whether a run has anything to read: an extract of the city or the concept, or city layers."""
    return geodata.has_extract(concept) or has_city_layers(concept)


def area_sizes(concept) -> dict:
    """{"area" or quarter id: hectares} from the boundaries alone, in the official CRS of the Land:
    the indicator "Fläche" needs no data (shown before the first run)."""
    out = {"area": concept.area_m2 / 10_000} if concept.area is not None else {}
    for q in concept.quarters.all():
        q.concept = concept
        out[q.pk] = q.area_ha
    return out


def _check_extract(user, concept, extract: str) -> None:
    """A ValidationError on the field ``extract`` unless the concept's analysis may read it."""
    try:
        geodata.usable_extract(user, concept, extract)
    except InputError as exc:
        raise invalid(" ".join(exc.messages(_, get_language())), "unusable_extract", "extract") from None


def start_run(user, concept, extract: str = "", city_layers: bool = False, *, now: bool = False) -> AnalysisRun:
    """Analyse the concept's area and quarters from one of its city's OSM extracts and/or the
    city's reference layers; queued as a background job, or computed before returning when
    ``now``. An extract of another city, or one away from the area, is refused here, before the
    run. A run that finishes becomes the concept's current analysis."""
    access.require(user, "analysis", "run", concept)
    if not extract and not city_layers:
        raise invalid(_("Bitte einen Extrakt oder die städtischen Ebenen wählen."), "no_input")
    if not extract and not has_city_layers(concept):  # the run could only fail: nothing is stored
        raise invalid(_("Die Stadt hat keine städtischen Ebenen, die die Analyse liest. Bitte einen OSM-Extrakt "
                        "wählen oder zuerst einen auf der Seite Grundkarte hochladen."), "no_input")
    if extract:
        _check_extract(user, concept, extract)
    created_by = None if user.pk is None else user
    if now:
        run = AnalysisRun.objects.create(concept=concept, created_by=created_by, extract=extract, city_layers=city_layers)
        jobs.execute(run)
        run.refresh_from_db()
        return run
    return jobs.start(concept, created_by, extract, city_layers)


def runs_of(concept, limit: int | None = None) -> list[AnalysisRun]:
    """The concept's runs, newest first, as its page shows them: one whose worker died is failed first."""
    return background.newest(concept.analysis_runs.all(), limit)


def run_state(run: AnalysisRun) -> AnalysisRun:
    """The run as its status poll shows it (swept like ``runs_of``)."""
    return background.current(run)


def cancel_run(user, concept, run: AnalysisRun) -> str:
    """Cancel a queued or running analysis; the message for the person who asked."""
    access.require(user, "analysis", "run", concept)
    return background.cancel_job(run)


def retry_run(user, concept, run: AnalysisRun) -> None:
    """Queue a failed or cancelled analysis again (its extract is checked again)."""
    access.require(user, "analysis", "run", concept)
    if run.extract:
        _check_extract(user, concept, run.extract)
    background.retry_job(run, lambda: jobs.run_analysis.enqueue(run.pk))


def current_run(concept) -> AnalysisRun | None:
    """The concept's current analysis: the run its reports and indicators use."""
    return concept.analysis_runs.filter(is_current=True).first()


def set_current(user, concept, run: AnalysisRun) -> None:
    """Make a finished run the concept's current analysis."""
    access.require(user, "analysis", "run", concept)
    if run.concept_id != concept.pk or run.status != AnalysisRun.Status.DONE:
        raise invalid(_("Nur ein abgeschlossener Lauf kann die aktuelle Analyse sein."), "run_not_done")
    with change(user, "web"):
        concept.analysis_runs.filter(is_current=True).exclude(pk=run.pk).update(is_current=False)
        AnalysisRun.objects.filter(pk=run.pk).update(is_current=True)


def successor(concept, run: AnalysisRun) -> AnalysisRun | None:
    """The run that becomes current when the current ``run`` is deleted: the newest other finished one."""
    return (concept.analysis_runs.filter(status=AnalysisRun.Status.DONE).exclude(pk=run.pk)
            .order_by("-created_at", "-id").first())


def delete_run(user, concept, run: AnalysisRun) -> str:
    """Delete a run with its values; the message for the person who asked. A queued or running
    run is cancelled first. When the current analysis is deleted, the newest other finished run
    becomes current (the confirmation says so beforehand, the message afterwards)."""
    access.require(user, "analysis", "run", concept)
    if run.active:
        raise invalid(_("Ein laufender Auftrag lässt sich nicht löschen; bitte zuerst abbrechen."), "run_active")
    with change(user, "web"):
        was_current = AnalysisRun.objects.filter(pk=run.pk, is_current=True).exists()
        nxt = successor(concept, run) if was_current else None
        run.delete()
        if nxt is not None:
            AnalysisRun.objects.filter(pk=nxt.pk).update(is_current=True)
    if not was_current:
        return _("Der Lauf wurde gelöscht.")
    if nxt is None:
        return _("Der Lauf wurde gelöscht. Es gibt jetzt keine aktuelle Analyse; Berichte zeigen keine Analysewerte.")
    return _("Der Lauf wurde gelöscht. Aktuelle Analyse ist jetzt der Lauf vom %(date)s.") % {
        "date": when(nxt)}


def when(run: AnalysisRun) -> str:
    """When the run was started, as its page names it (in the language's short format)."""
    return date_format(timezone.localtime(run.created_at), "SHORT_DATETIME_FORMAT")


def counted_runs(concept) -> list[int]:
    """The runs whose values count for the concept's indicators: the current analysis, and for
    each earlier data date the newest finished run of that date (the older points of the time
    series). Runs with a later data date than the current one, and other runs of its date, do not."""
    current = current_run(concept)
    if current is None:
        return []
    out, dates = [current.pk], {current.data_date}
    if current.data_date is None:  # an extract that did not tell its date starts no series
        return out
    earlier = concept.analysis_runs.filter(status=AnalysisRun.Status.DONE, data_date__lt=current.data_date)
    for run in earlier.order_by("-created_at", "-id"):
        if run.data_date not in dates:
            dates.add(run.data_date)
            out.append(run.pk)
    return out


# --- indicator values: one time series, owned here (decision 0029) -------------------------------
# Analysis runs, entered values and CSV imports all write IndicatorValue rows; the monitoring app
# reads and enters values through these functions only.


def counted_values(concept, code: str | None = None):
    """The concept's IndicatorValues (of indicator ``code`` only, where given) without those of runs
    that do not count (see ``counted_runs``); entered values always count."""
    values = IndicatorValue.objects.filter(concept=concept)
    if code is not None:
        values = values.filter(indicator=code)
    return values.filter(Q(run__isnull=True) | Q(run__in=counted_runs(concept)))


def store_entered_values(user, concept, entries) -> int:
    """Enter values – each with ``indicator`` (its code), ``quarter`` (None: the funding area),
    ``year``, ``value`` and ``source`` –, all or nothing; each replaces the entered value of its
    indicator, area and year (values of analysis runs stay). Returns how many."""
    access.require(user, "indicator", "edit", concept)
    with transaction.atomic(), acting_as(user, "indicator values"):
        for e in entries:
            IndicatorValue.objects.filter(concept=concept, indicator=e.indicator, quarter=e.quarter, run__isnull=True,
                                          date__year=e.year).delete()
            IndicatorValue.objects.create(concept=concept, quarter=e.quarter, indicator=e.indicator, value=e.value,
                                          date=datetime.date(e.year, 12, 31), source=e.source[:300])
    return len(entries)


def delete_entered_values(user, concept, code: str, pk: int | None = None) -> int:
    """Delete the entered values of indicator ``code`` (only the one ``pk``, where given); values of
    analysis runs belong to their run. Returns how many."""
    access.require(user, "indicator", "edit", concept)
    values = IndicatorValue.objects.filter(concept=concept, indicator=code, run__isnull=True)
    if pk is not None:
        values = values.filter(pk=pk)
    return values.delete()[0]


def covered_percent(concept) -> int | None:
    """How much of the funding area (in %) the current analysis's extract covers, when below 95 %
    (its values hold for that part only); None otherwise."""
    run = current_run(concept)
    if run is None or not run.extract:
        return None
    return geodata.covered_percent(concept, run.extract)


def coverage_note(concept) -> str | None:
    """What the current analysis's values refer to when its extract covers only part of the funding
    area (decisions 0026, 0034), in the UI's language: the share covered and the size of the covered
    part that shares and densities refer to; None when the extract covers the area."""
    percent = covered_percent(concept)
    if percent is None:
        return None
    total = concept.area_m2 / 10_000
    covered = current_run(concept).values.filter(indicator="area_ha", quarter=None).values_list("value", flat=True).first()
    if covered is None or covered >= 0.95 * total:  # a run made before its areas were cut to the extract
        return _("Der Extrakt deckt nur %(percent)s %% des Fördergebiets ab; diese Analyse bezieht ihre Werte "
                 "aber auf das ganze Fördergebiet. Bitte die Analyse erneut starten.") % {"percent": percent}
    language = get_language()
    return _("Der Extrakt deckt nur %(percent)s %% des Fördergebiets ab; die Werte gelten nur für diesen Teil, "
             "Anteile und Dichten bezogen auf den abgedeckten Teil: %(covered)s ha von %(total)s ha.") % {
        "percent": percent, "covered": numbers.format(covered, language, 1),
        "total": numbers.format(total, language, 1)}


def has_finished_run(concept) -> bool:
    """Has an analysis of ``concept`` run to its end?"""
    return AnalysisRun.objects.filter(concept=concept, status=AnalysisRun.Status.DONE).exists()


def latest_values(concept) -> dict:
    """{indicator: {area key ("area" or quarter pk): (value, date, number of values, note)}}: the
    values of the current analysis, with the length of the series they end and, for a value that is
    not available, why (IndicatorValue.note)."""
    current = current_run(concept)
    if current is None:
        return {}
    counts: dict = {}
    for v in counted_values(concept).filter(run__isnull=False).values("indicator", "quarter_id"):
        key = (v["indicator"], v["quarter_id"] or "area")
        counts[key] = counts.get(key, 0) + 1
    out: dict = {}
    for v in current.values.all():
        key = v.quarter_id or "area"
        out.setdefault(v.indicator, {})[key] = (v.value, v.date, counts.get((v.indicator, key), 1), v.note)
    return out


def area_figures(concept) -> list[dict]:
    """The current analysis's value of each indicator for the funding area, with its German name,
    unit and date (for reports); a value that is not available (None) comes with its note."""
    from . import indicators

    latest = latest_values(concept)
    rows = []
    for ind in indicators.REGISTRY.values():
        value = latest.get(ind.id, {}).get("area")
        if value is not None and (value[0] is not None or value[3]):
            rows.append({"id": ind.id, "name": ind.name_de, "unit": unit_label(ind.unit), "value": value[0],
                         "digits": ind.digits, "date": value[1], "note": value[3]})
    return rows


def definitions() -> list[dict]:
    """Each indicator of the analysis with its name and unit in the UI's language, the inputs it
    needs and its definition, each in the UI's language (the registry keeps both)."""
    from . import indicators

    source = {"osm": _("OSM-Extrakt")}
    return [{"id": i.id, "name": pick(i.name_de, i.name_en), "unit": unit_label(i.unit), "definition": pick(i.definition_de, i.definition),
             "inputs": "; ".join(_(" oder ").join(str(source.get(a, a)) for a in alts) for alts in i.needs)
             or _("die Gebiete")} for i in indicators.REGISTRY.values()]


def entered_values(concept) -> list:
    """The indicator values people entered (not those of analysis runs), by indicator, area
    (the funding area first, then quarters by name) and year."""
    values = IndicatorValue.objects.filter(concept=concept, run__isnull=True).select_related("quarter")
    return sorted(values, key=lambda v: (v.indicator, v.quarter.name if v.quarter else "", v.date))


__all__ = ["AnalysisRun", "area_figures", "counted_values", "current_run", "delete_entered_values", "delete_run",
           "entered_values", "has_finished_run", "latest_values", "scale_bar", "set_current", "start_run",
           "store_entered_values"]
