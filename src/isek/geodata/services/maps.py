"""What maps show of the city's data: the browser map's layers and base style, the report maps'
base geometries, and the attributions of both."""

from __future__ import annotations

import json

from django.conf import settings

from isek import access
from isek.concepts.services import Concept
from isek.core.laender import LAND_BOUNDS

from .. import basemaps
from ..models import ReferenceLayer
from .layers import concept_bbox, layer_geojson, map_layers
from .lifecycle import base_map_of, basemap_file


def map_config(concept: Concept, layers: list[ReferenceLayer]) -> list[dict]:
    """What the browser map needs of each layer: name, label, kind, colour, base or overlay, URL."""
    from django.urls import reverse

    return [{"name": layer.name, "label": layer.label, "kind": layer.kind, "colour": layer.colour,
             "basemap": layer.basemap,
             "url": reverse("geodata:layer-geojson", args=[concept.slug, layer.name])} for layer in layers]


def map_context(concept: Concept, user=None) -> dict:
    """Template context of a concept map: the layers shown, the ones missing, their map config,
    and the base map's style URL and attribution: the city's own once built, else the external
    style an administrator configured (ISEK_BASEMAP_STYLE_URL), else none. Without a base map the
    page says so on the map and the browser draws a graticule and the Land's extent
    (``map_land_json``, WGS84 [west, south, east, north]; decision 0066); ``map_basemap_link``:
    ``user`` may build the city's base map, the notice links to its page; ``map_notice``: the
    planners' notice "Noch keine Grundkarte" is shown, to those who may change the concept or build
    its base map only – citizens see the map with a neutral legend under it."""
    from django.urls import reverse

    available, missing = map_layers(concept)
    bm = base_map_of(concept.city)
    if bm is not None and basemap_file(bm) is not None:
        style, attribution = reverse("geodata:basemap-style", args=[concept.slug]), bm.attribution
    else:  # an administrator may name an external vector style (e.g. basemap.de); none by default
        style, attribution = settings.ISEK_BASEMAP_STYLE_URL, settings.ISEK_BASEMAP_ATTRIBUTION
    place, extent = start_view(concept, bm)
    land = LAND_BOUNDS.get(concept.city.land_key)
    return {"context_layers": available, "missing_layers": missing,
            "map_layers_json": json.dumps(map_config(concept, available), ensure_ascii=False),
            "basemap_style_url": style, "basemap_attribution": attribution,
            "map_place": place, "map_extent_json": json.dumps(extent) if extent else "",
            "map_land_json": json.dumps(list(land)) if land and not style else "",
            "map_basemap_link": not style and user is not None and access.allows(user, "basemap", "build", concept),
            "map_notice": not style and user is not None and (access.allows(user, "concept", "edit", concept)
                                                              or access.allows(user, "basemap", "build", concept))}


def base_map_extent(city) -> list[float] | None:
    """The extent of the city's built base map in WGS84 [west, south, east, north], or None."""
    bm = base_map_of(city)
    bounds = getattr(bm, "bounds", None) if bm is not None and basemap_file(bm) is not None else None
    return [float(v) for v in bounds] if bounds and len(bounds) == 4 else None


def start_view(concept: Concept, base_map=None) -> tuple[str, list[float] | None]:
    """Where a map of the concept starts while it shows nothing of its own (no area, quarters or
    measures yet): the city, named, where its base map says where it is, else its Land (by the AGS);
    as (name, [west, south, east, north] in WGS84)."""
    bounds = getattr(base_map, "bounds", None)
    if bounds and len(bounds) == 4:
        return concept.city.name, [float(v) for v in bounds]
    land = LAND_BOUNDS.get(concept.city.land_key)
    return concept.city.land, list(land) if land else None


def attributions(concept: Concept, base_only: bool = False) -> list[str]:
    """"Label: attribution" of each available layer of the concept's city (German, for reports)."""
    return [f"{layer.label_de}: {layer.attribution}" for layer in map_layers(concept)[0]
            if layer.basemap or not base_only]


# How the report maps (matplotlib, beneath the area and the measures) draw the city's base map:
# (tile layer, kind or None for all, style), in drawing order; muted, so the plan stays in front.
REPORT_BASE_STYLE = (
    ("green", None, {"facecolor": "#d8e9c8"}),
    ("water", None, {"facecolor": "#b5d3f0"}),
    ("waterway", None, {"edgecolor": "#9cc3ea", "linewidth": 0.8}),
    ("building", None, {"facecolor": "#ddd5cd"}),
    ("rail", None, {"edgecolor": "#8c8c8c", "linewidth": 0.7}),
    ("road", "path", {"edgecolor": "#c9c9c9", "linewidth": 0.35}),
    ("road", "service", {"edgecolor": "#bdbdbd", "linewidth": 0.45}),
    ("road", "minor", {"edgecolor": "#a8a8a8", "linewidth": 0.8}),
    ("road", "medium", {"edgecolor": "#969696", "linewidth": 1.2}),
    ("road", "major", {"edgecolor": "#828282", "linewidth": 1.6}),
)


def base_geometries(concept: Concept) -> list[tuple[dict, list]]:
    """[(matplotlib style, WGS84 shapely geometries)] to draw beneath a report map of the concept:
    the city's own base map (decoded from its tiles) once built, then the outlines of the city's
    base reference layers."""
    import shapely

    out = []
    bbox = concept_bbox(concept)
    if bbox is None:
        return out
    bm = base_map_of(concept.city)
    mbtiles = basemap_file(bm) if bm is not None and bm.ready else None
    if mbtiles is not None:
        found = basemaps.features(mbtiles, bbox)
        for layer, kind, style in REPORT_BASE_STYLE:
            geoms = [g for g, props in found.get(layer, ()) if kind is None or props.get("kind") == kind]
            if geoms:
                out.append((style, geoms))
    for layer in map_layers(concept)[0]:
        if not layer.basemap:
            continue
        data = layer_geojson(layer, bbox)
        geoms = [shapely.geometry.shape(f["geometry"]).boundary if f["geometry"]["type"].endswith("Polygon")
                 else shapely.geometry.shape(f["geometry"]) for f in json.loads(data)["features"] if f.get("geometry")]
        out.append(({"edgecolor": layer.colour, "linewidth": 0.7}, geoms))
    return out


def report_attributions(concept: Concept) -> list[str]:
    """"Label: attribution" of what a report map of the concept draws beneath the plan (German)."""
    bm = base_map_of(concept.city)
    own = ["Grundkarte: " + bm.attribution] if bm is not None and bm.ready and basemap_file(bm) is not None else []
    return own + attributions(concept, base_only=True)
