"""Platform glue: run the analysis of a concept's area and quarters as a background task
(django-tasks with its database backend; `isek db_worker` executes the queue)."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from isek import access
from isek.core import geo, jobs, osmtime

from . import indicators as ind
from . import layers as lyr
from . import osm
from .models import AnalysisRun, IndicatorValue
from .run import AnalysisError, compute, prepare_areas


def _areas(concept) -> gpd.GeoDataFrame:
    ids, geoms = [], []
    if concept.area is not None:
        ids.append("area")
        geoms.append(geo.from_django(concept.area))
    for q in concept.quarters.all():
        ids.append(f"q{q.pk}")
        geoms.append(geo.from_django(q.geometry))
    if not ids:
        raise AnalysisError(gettext_noop("Das Konzept hat weder Fördergebiet noch Teilräume."))
    return gpd.GeoDataFrame({"area_id": ids}, geometry=geoms, crs="EPSG:4326")


def _city_layers(concept, crs: str) -> tuple[dict, list[str]]:
    """The city's reference layers that feed the analysis, read in ``crs``, and their attributions."""
    from isek.geodata import services as geodata

    out, sources = {}, []
    for name, (path, attribution) in geodata.analysis_inputs(concept.city).items():
        out[name] = _read_layer(str(path), path.stat().st_mtime, crs)
        if attribution not in sources:
            sources.append(attribution)
    return out, sources


@lru_cache(maxsize=32)
def _read_layer(path: str, _mtime: float, crs: str):
    """City layers change rarely: read each (file, version, CRS) once per process."""
    return lyr.read_layer(path).to_crs(crs)


def execute(run: AnalysisRun) -> None:
    """Compute and store (the job's body, run by core.jobs.run); progress and errors are written to
    the run. The values are stored in one transaction with the run's outcome, at the end: a run
    stopped before has stored nothing."""

    def known(exc: Exception) -> dict | None:
        if isinstance(exc, (AnalysisError, osm.ExtractError, lyr.LayerError)):
            return {"message": str(exc), "refused": isinstance(exc, NoData)}
        return None

    jobs.run(AnalysisRun, run.pk, lambda job: _execute(run, job), known=known)


class NoData(AnalysisError):
    """The extract has no data in the area: the run is refused, not retried."""


OUTSIDE = "der Extrakt deckt diesen Teilraum nicht ab"  # German, as every run message


def _covered(areas: gpd.GeoDataFrame, box) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The areas cut to the extract's extent ``box`` (WGS84), and the ids of those wholly outside it."""
    cut = areas.geometry.intersection(shapely.box(*box))
    outside = cut.is_empty | ~cut.geom_type.isin(["Polygon", "MultiPolygon"])
    kept = gpd.GeoDataFrame({"area_id": areas["area_id"][~outside].values}, geometry=cut[~outside].values, crs=areas.crs)
    return kept, list(areas["area_id"][outside])


def _record(geodata, run: AnalysisRun):
    """The city's record of the run's extract (its extent and data date), or None for a file the
    city does not list (a run made without ``services.start_run``)."""
    try:
        return geodata.usable_extract(access.Operator("isek analysis"), run.concept, run.extract)
    except geodata.BaseMapError:
        return None


def _execute(run: AnalysisRun, job: jobs.Job) -> None:
    from isek.geodata import services as geodata

    areas, outside = _areas(run.concept), []
    extract, partial = None, False
    if run.extract:  # one of the city's extracts, checked when the run was started and here again
        try:
            geodata.check_extract(run.concept, run.extract)
        except geodata.BaseMapError as exc:
            raise (NoData if isinstance(exc, geodata.ExtractRefused) else AnalysisError)(" ".join(exc.errors)) from None
        extract = _record(geodata, run)
        # An extract that covers only part of the funding area (decision 0026): every value refers
        # to the covered part (decision 0034), which the pages name with its size.
        partial = (extract is not None and len(extract.bbox or []) == 4
                   and geodata.covered_percent(run.concept, run.extract) is not None)
        if partial:
            areas, outside = _covered(areas, extract.bbox)
            if areas.empty:
                raise NoData("Der Extrakt deckt weder das Fördergebiet noch einen Teilraum ab.")
    areas = prepare_areas(areas, ags=run.concept.city.ags)
    crs = areas.crs.to_string()
    data = None
    if run.extract:
        data = osm.read(run.extract, crs=crs)
        if not _has_data(data, areas):
            raise NoData(f"Der Extrakt {Path(run.extract).name} enthält im Fördergebiet weder Gebäude noch Wege; "
                         "die Analyse wurde nicht übernommen. Bitte einen Extrakt hochladen, der das "
                         "Fördergebiet abdeckt.")
    city, city_sources = _city_layers(run.concept, crs) if run.city_layers else ({}, [])
    if data is None and not city:
        raise AnalysisError(gettext_noop("Weder ein OSM-Extrakt noch städtische Ebenen stehen zur Verfügung."))

    def progress(n, total, _label):
        job.progress(5 + int(90 * n / total))

    table, missing = compute(areas, ind.Sources(osm=data, layers=city or None), progress=progress)
    for area_id in outside:  # a quarter outside the extract: no value, and why
        table.loc[area_id] = math.nan
        table.attrs["gaps"][area_id] = dict.fromkeys(table.columns, OUTSIDE)
    # The extract's data date as its record tells it (the date the base map and the extract list
    # show; a concept's cut carries its source's); an extract that does not tell its data's time
    # (isek.core.osmtime) leaves the run's date unknown: the values, which need a date for the
    # time series, carry the day they were computed.
    day = osmtime.day(extract.data_date) if extract is not None else None
    data_date = day or (data.timestamp.date() if data is not None and data.timestamp else None)
    date = data_date or timezone.localdate()
    if data is None:
        data_date = date
    source = (f"OSM-Extrakt {Path(run.extract).name} (© OpenStreetMap contributors, ODbL)" if data is not None else "")
    if city:
        source = (source + "; " if source else "") + "städtische Ebenen (" + "; ".join(city_sources) + ")"
    source = source[:IndicatorValue._meta.get_field("source").max_length]
    quarters = {f"q{q.pk}": q for q in run.concept.quarters.all()}
    gaps = table.attrs.get("gaps", {})
    with transaction.atomic():
        # The run keeps its own values (earlier runs keep theirs) and becomes the current analysis.
        IndicatorValue.objects.bulk_create([
            IndicatorValue(concept=run.concept, quarter=quarters.get(area_id), run=run, indicator=ind_id,
                           value=None if v != v else float(v), date=date, source=source,
                           note=gaps.get(area_id, {}).get(ind_id, ""))
            for area_id, row in table.iterrows() for ind_id, v in row.items() if ind_id not in missing])
        AnalysisRun.objects.filter(concept=run.concept, is_current=True).update(is_current=False)
        job.done(data_date=data_date, is_current=True,
                 message=_message(missing, table.attrs.get("inventory", {}), partial=partial))


def _message(missing: dict[str, str], inventory: dict[str, dict[str, int]], partial: bool = False) -> str:
    """What the run tells besides its values: the indicators it could not compute, and how
    complete the extract is in the funding area (German, as every run message)."""
    parts = [f"{ind.REGISTRY[k].name_de}: {why}" for k, why in missing.items()]
    if "area" in inventory:
        parts.append("Vollständigkeit des Extrakts " + ind.inventory_note(
            inventory["area"], "im abgedeckten Teil des Fördergebiets" if partial else "im Fördergebiet"))
    return "; ".join(parts)


def _has_data(data: osm.OsmData, areas: gpd.GeoDataFrame) -> bool:
    """Whether the extract has any building or way (street, path, railway, waterway) in the areas:
    without, every value would be a 0 that looks like a finding."""
    where = areas.geometry.union_all()
    buildings = data.polygons[data.polygons["tags"].map(lambda t: "building" in t)] if len(data.polygons) else data.polygons
    return bool(buildings.intersects(where).any() or data.lines.intersects(where).any())


@task()
def run_analysis(run_id: int) -> None:
    run = AnalysisRun.objects.select_related("concept", "concept__city").get(pk=run_id)
    execute(run)


def start(concept, user, extract: str, city_layers: bool) -> AnalysisRun:
    run = AnalysisRun.objects.create(concept=concept, created_by=user, extract=extract, city_layers=city_layers)
    transaction.on_commit(lambda: run_analysis.enqueue(run.pk))
    return run
