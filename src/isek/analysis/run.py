"""Run the indicators over areas: ``compute(areas, sources)``; no Django imports."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import geopandas as gpd
import pandas as pd

from . import indicators as ind


class AnalysisError(Exception):
    pass


def prepare_areas(areas: gpd.GeoDataFrame, id_field: str | None = None, ags: str | None = None) -> gpd.GeoDataFrame:
    """Areas with an ``area_id`` column, valid polygons, in the official CRS of their Land (by the
    city's AGS where given, else by longitude; ``isek.core.geo.official_srid``)."""
    if areas.crs is None:
        raise AnalysisError("Die Gebiete haben kein Koordinatenreferenzsystem; bitte angeben.")
    if areas.empty:
        raise AnalysisError("Die Gebietsdatei enthält keine Gebiete.")
    if id_field:
        if id_field not in areas.columns:
            raise AnalysisError(f"Das Feld „{id_field}“ fehlt; vorhanden: {', '.join(c for c in areas.columns if c != 'geometry')}.")
        ids = areas[id_field].astype(str)
    else:
        ids = next((areas[c].astype(str) for c in ("area_id", "id", "name", "Name") if c in areas.columns),
                   pd.Series([str(i + 1) for i in range(len(areas))], index=areas.index))
    if ids.duplicated().any():
        raise AnalysisError(f"Gebietskennungen kommen doppelt vor: {', '.join(sorted(set(ids[ids.duplicated()])))}.")
    geoms = areas.geometry
    if not geoms.geom_type.isin(["Polygon", "MultiPolygon"]).all():
        raise AnalysisError("Gebiete müssen Flächen (Polygon/MultiPolygon) sein.")
    lonlat = areas.to_crs("EPSG:4326")
    x0, y0, x1, y1 = lonlat.total_bounds
    if not (5.5 <= x0 and x1 <= 15.5 and 47.0 <= y0 and y1 <= 55.2):
        raise AnalysisError(f"Die Gebiete liegen nicht in Deutschland (Ausdehnung {x0:.3f}, {y0:.3f} – {x1:.3f}, {y1:.3f}); "
                            f"stimmt das Koordinatenreferenzsystem ({areas.crs.to_string()})?")
    crs = ind.utm_crs_for((x0 + x1) / 2, ags)
    out = gpd.GeoDataFrame({"area_id": ids.values}, geometry=areas.geometry.make_valid().values, crs=areas.crs).to_crs(crs)
    return out


def compute(areas: gpd.GeoDataFrame, sources: ind.Sources, only: list[str] | None = None,
            progress: Callable[[int, int, str], None] | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per area (index ``area_id``), one column per indicator.

    Returns (table, not_available) where not_available maps an indicator id to the reason.
    An indicator without value in one area because the extract holds none of the objects it
    counts there (``Indicator.gap``) is NaN, its reason in ``table.attrs["gaps"]`` ({area id:
    {indicator id: reason}}); ``table.attrs["inventory"]`` holds each area's counts of the key
    object kinds ({area id: {kind: count}}, with an OSM extract only).
    ``areas`` must come from ``prepare_areas``; every layer in ``sources`` must be in its CRS.
    """
    selected = [ind.REGISTRY[i] for i in (only or ind.REGISTRY)]
    missing = {i.id: r for i in selected if (r := i.missing(sources))}
    rows, gaps, inventory = [], {}, {}
    total = len(areas)
    for n, (area_id, geom) in enumerate(zip(areas["area_id"], areas.geometry), 1):
        ctx = ind.AreaContext(area_id, geom, sources)
        row = {"area_id": area_id}
        for i in selected:
            why = None if i.id in missing else i.gap(ctx)
            if why:
                gaps.setdefault(area_id, {})[i.id] = why
            row[i.id] = math.nan if i.id in missing or why else i.rounded(i.fn(ctx))
        if sources.has("osm"):
            inventory[area_id] = ctx.inventory()
        rows.append(row)
        if progress:
            progress(n, total, area_id)
    table = pd.DataFrame(rows).set_index("area_id")
    table.attrs.update(gaps=gaps, inventory=inventory)
    return table, missing


def terminal_progress(n: int, total: int, label: str) -> None:
    width = 30
    done = int(width * n / total)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {n}/{total} {label[:30]:30}")
    if n == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
