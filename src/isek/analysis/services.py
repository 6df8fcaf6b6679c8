"""The analysis's application layer: start an inventory analysis of a concept (as a background job
or, for loaders and commands, at once) and read its latest values."""

from __future__ import annotations

from django.utils.translation import gettext as _

from isek import access
from isek.core import jobs as background
from isek.core.rules import invalid

from . import jobs
from .models import AnalysisRun


def start_run(user, concept, extract: str = "", city_layers: bool = False, *, now: bool = False) -> AnalysisRun:
    """Analyse the concept's area and quarters from an OSM extract and/or the city's reference
    layers; queued as a background job, or computed before returning when ``now``."""
    access.require(user, "analysis", "run", concept)
    if not extract and not city_layers:
        raise invalid(_("Bitte einen Extrakt oder die städtischen Ebenen wählen."), "no_input")
    if extract and extract not in {str(p) for p in jobs.available_extracts()}:
        raise invalid(_("Dieser Extrakt ist nicht freigegeben."), "unknown_extract", "extract")
    created_by = None if user.pk is None else user
    if now:
        run = AnalysisRun.objects.create(concept=concept, created_by=created_by, extract=extract, city_layers=city_layers)
        jobs.execute(run)
        run.refresh_from_db()
        return run
    return jobs.start(concept, created_by, extract, city_layers)


def runs_of(concept, limit: int = 10) -> list[AnalysisRun]:
    """The concept's newest runs, as its page shows them: one whose worker died is failed first."""
    return background.newest(concept.analysis_runs.all(), limit)


def run_state(run: AnalysisRun) -> AnalysisRun:
    """The run as its status poll shows it (swept like ``runs_of``)."""
    return background.current(run)


def cancel_run(user, concept, run: AnalysisRun) -> str:
    """Cancel a queued or running analysis; the message for the person who asked."""
    access.require(user, "analysis", "run", concept)
    return background.cancel_job(run)


def retry_run(user, concept, run: AnalysisRun) -> None:
    """Queue a failed or cancelled analysis again."""
    access.require(user, "analysis", "run", concept)
    background.retry_job(run, lambda: jobs.run_analysis.enqueue(run.pk))


def latest_values(concept) -> dict:
    """{indicator: {area key ("area" or quarter pk): (value, date, number of values)}}."""
    return jobs.latest_values(concept)


def area_figures(concept) -> list[dict]:
    """The newest analysis value of each indicator for the funding area, with its German name,
    unit and date (for reports)."""
    from . import indicators

    latest = jobs.latest_values(concept)
    rows = []
    for ind in indicators.REGISTRY.values():
        value = latest.get(ind.id, {}).get("area")
        if value is not None and value[0] is not None:
            rows.append({"id": ind.id, "name": ind.name_de, "unit": ind.unit, "value": value[0], "date": value[1]})
    return rows


def entered_values(concept) -> list:
    """The indicator values people entered (not those of analysis runs), by indicator, area
    (the funding area first, then quarters by name) and year."""
    from .models import IndicatorValue

    values = IndicatorValue.objects.filter(concept=concept, run__isnull=True).select_related("quarter")
    return sorted(values, key=lambda v: (v.indicator, v.quarter.name if v.quarter else "", v.date))


__all__ = ["AnalysisRun", "area_figures", "entered_values", "latest_values", "start_run"]
