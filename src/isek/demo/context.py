"""Context layers from real open data (the city's layers, VRR stops, OSM boundaries and routes).

Files are looked up in the data directories (../shared/data, else var/data filled by
``isek data fetch``). Each layer names its licence and the attribution shown on the map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

ATTR_BOCHUM = "Stadt Bochum, Open-Data-Repository (github.com/StadtBochum/OpenData), CC0 1.0"
ATTR_VRR = "Verkehrsverbund Rhein-Ruhr AöR (VRR), Soll-Fahrplandaten (GTFS), opendata-oepnv.de, CC BY 4.0"
ATTR_OSM = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class ContextLayer:
    name: str
    label_de: str
    label_en: str
    path: str  # relative to a data directory
    kind: str  # point | line | polygon
    colour: str
    attribution: str
    licence: str
    basemap: bool = False  # drawn as the offline base layer
    name_field: str = ""

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_de


LAYERS = [
    ContextLayer("boroughs", "Stadtbezirke", "City districts", "bochum/osm_boundaries/bochumBoroughZones.osm.geojson",
                 "polygon", "#8a8f98", ATTR_OSM, "ODbL-1.0", basemap=True, name_field="label"),
    ContextLayer("routes", "ÖPNV-Linien", "Transit routes", "bochum/osm_pt_routes/osm_pt_routes_bochum_innenstadt.geojson",
                 "line", "#9aa3ad", ATTR_OSM, "ODbL-1.0", basemap=True, name_field="ref"),
    ContextLayer("stops", "Haltestellen", "Public transport stops", "bochum/vrr_gtfs_stops/stops_bochum.txt",
                 "point", "#005ca9", ATTR_VRR, "CC-BY-4.0", name_field="stop_name"),
    ContextLayer("schools", "Schulen", "Schools", "bochum/stadt_bochum_opendata/shapefiles_epsg25832/bochum_schools.shp",
                 "point", "#b35c00", ATTR_BOCHUM, "CC0-1.0", name_field="name"),
    ContextLayer("daycare", "Kitas", "Daycare centres", "bochum/stadt_bochum_opendata/shapefiles_epsg25832/bochum_daycare_centers.shp",
                 "point", "#8f3f97", ATTR_BOCHUM, "CC0-1.0", name_field="name"),
    ContextLayer("playgrounds", "Spielplätze", "Playgrounds", "bochum/stadt_bochum_opendata/shapefiles_epsg25832/bochum_playgrounds.shp",
                 "point", "#2e7d32", ATTR_BOCHUM, "CC0-1.0", name_field="name"),
    ContextLayer("stolpersteine", "Stolpersteine", "Stolpersteine (memorial stones)",
                 "bochum/stadt_bochum_opendata/shapefiles_epsg25832/bochum_stolpersteine.shp",
                 "point", "#6d4c41", ATTR_BOCHUM, "CC0-1.0", name_field="name"),
]
BY_NAME = {layer.name: layer for layer in LAYERS}


def find(relpath: str) -> Path | None:
    for base in settings.ISEK_DATA_DIRS:
        p = Path(base) / relpath
        if p.exists():
            return p
    return None


def status() -> list[tuple[ContextLayer, Path | None]]:
    return [(layer, find(layer.path)) for layer in LAYERS]


@lru_cache(maxsize=64)
def geojson(name: str, bbox: tuple[float, float, float, float] | None = None) -> bytes | None:
    """The layer as RFC 7946 GeoJSON bytes (WGS84), clipped to ``bbox`` (lon/lat) if given.

    None if the file is not available. Shapefiles in EPSG:25832 are reprojected with pyproj.
    """
    layer = BY_NAME[name]
    path = find(layer.path)
    if path is None:
        return None
    if path.suffix == ".txt":
        features = _gtfs_stops(path, bbox)
    else:
        features = _ogr_features(layer, path, bbox)
    fc = {"type": "FeatureCollection", "name": name, "attribution": layer.attribution,
          "licence": layer.licence, "features": features}
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":")).encode()


def _gtfs_stops(path: Path, bbox) -> list[dict]:
    """Stations and stand-alone stops of a GTFS stops.txt (platforms of a station are left out)."""
    import csv

    out = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row.get("parent_station"):
                continue
            lon, lat = float(row["stop_lon"]), float(row["stop_lat"])
            if bbox and not (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
                continue
            out.append({"type": "Feature", "properties": {"layer": "stops", "name": row["stop_name"], "stop_id": row["stop_id"]},
                        "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    return out


def _ogr_features(layer: ContextLayer, path: Path, bbox) -> list[dict]:
    import pyogrio
    import shapely

    from isek.concepts.geoio import plain_value
    from isek.core import geo

    meta, _fids, wkb, fields = pyogrio.raw.read(path)
    crs = meta.get("crs") or "EPSG:4326"
    names = list(meta["fields"])
    keep = [n for n in (layer.name_field, "kategorie", "ref", "label", "str_hausnr") if n in names]
    features = []
    clip = shapely.box(*bbox) if bbox else None
    for i, blob in enumerate(wkb):
        if blob is None:
            continue
        g = shapely.force_2d(shapely.from_wkb(blob))
        if str(crs) not in ("EPSG:4326", "OGC:CRS84"):
            g = geo.transform(g, crs, "EPSG:4326")
        if clip is not None and not g.intersects(clip):
            continue
        props = {n: plain_value(fields[names.index(n)][i]) for n in keep}
        if layer.name_field and layer.name_field in props:
            props["name"] = props[layer.name_field]
        features.append({"type": "Feature", "properties": {**props, "layer": layer.name},
                         "geometry": json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-7)))})
    return features

