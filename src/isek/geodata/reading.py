"""Reading reference layer files into RFC 7946 features (WGS84). No Django imports.

Supported: anything GDAL reads as vector data (GeoJSON, GeoPackage, Shapefile, in any declared
CRS) and a GTFS ``stops.txt`` (stations and stand-alone stops; platforms of a station are left out).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import shapely

from isek.core import geo

Bbox = tuple[float, float, float, float]
KEEP_FIELDS = ("kategorie", "ref", "label", "str_hausnr")


def features(path: Path, layer_name: str, name_field: str = "", bbox: Bbox | None = None) -> list[dict]:
    """The file's features as GeoJSON dicts in WGS84, clipped to ``bbox`` (lon/lat) if given.
    Each carries ``layer`` and, where ``name_field`` exists, ``name``."""
    if path.suffix.lower() == ".txt":
        return _gtfs_stops(path, layer_name, bbox)
    return _ogr_features(path, layer_name, name_field, bbox)


def feature_collection(features_: list[dict], **members) -> bytes:
    fc = {"type": "FeatureCollection", **members, "features": features_}
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":")).encode()


def _gtfs_stops(path: Path, layer_name: str, bbox: Bbox | None) -> list[dict]:
    out = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row.get("parent_station"):
                continue
            lon, lat = float(row["stop_lon"]), float(row["stop_lat"])
            if bbox and not (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
                continue
            out.append({"type": "Feature", "properties": {"layer": layer_name, "name": row["stop_name"], "stop_id": row["stop_id"]},
                        "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    return out


def _ogr_features(path: Path, layer_name: str, name_field: str, bbox: Bbox | None) -> list[dict]:
    import pyogrio

    meta, _fids, wkb, fields = pyogrio.raw.read(path)
    crs = meta.get("crs") or "EPSG:4326"
    names = list(meta["fields"])
    keep = [n for n in (name_field, *KEEP_FIELDS) if n and n in names]
    out = []
    clip = shapely.box(*bbox) if bbox else None
    for i, blob in enumerate(wkb):
        if blob is None:
            continue
        g = shapely.force_2d(shapely.from_wkb(blob))
        if str(crs) not in ("EPSG:4326", "OGC:CRS84"):
            g = geo.transform(g, crs, "EPSG:4326")
        if clip is not None and not g.intersects(clip):
            continue
        props = {n: geo.plain_value(fields[names.index(n)][i]) for n in keep}
        if name_field and name_field in props:
            props["name"] = props[name_field]
        out.append({"type": "Feature", "properties": {**props, "layer": layer_name},
                    "geometry": json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-7)))})
    return out


def kind_of(geom_types: set[str]) -> str | None:
    """'point', 'line' or 'polygon' for a set of geometry types of one kind; None when mixed."""
    kinds = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
             "Polygon": "polygon", "MultiPolygon": "polygon"}
    found = {kinds.get(t) for t in geom_types}
    return found.pop() if len(found) == 1 and None not in found else None


def street_names(path: Path) -> list[str]:
    """The names of the streets, paths and squares (OSM ways with ``highway`` and ``name``) of an
    .osm.pbf extract, sorted, each once (pyosmium; tags only, no locations). The evaluation of a
    participation keeps them out of a theme suggestion's reasons (fix24h, decision 0107)."""
    import osmium

    names = set()
    for way in osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(osmium.filter.KeyFilter("highway")):
        name = way.tags.get("name")
        if name:
            names.add(name)
    return sorted(names)
