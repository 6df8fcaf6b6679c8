"""Geometry helpers shared by all apps (no Django imports).

Storage CRS is WGS84 (EPSG:4326, what web maps and RFC 7946 GeoJSON use); areas and lengths are
always computed in the working CRS ETRS89 / UTM zone 32N (EPSG:25832), never in degrees.
"""

from __future__ import annotations

from functools import lru_cache

import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

STORAGE_SRID = 4326
WORKING_SRID = 25832

# Germany's extent with a small margin (WGS84 lon/lat). Coordinates outside it almost always
# mean a wrong or missing CRS declaration (e.g. UTM metres read as degrees).
GERMANY_BOUNDS = (5.5, 47.0, 15.5, 55.2)


@lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def transform(geom: BaseGeometry, src, dst) -> BaseGeometry:
    """Reproject a shapely geometry between two CRS (anything pyproj understands)."""
    t = transformer(str(src), str(dst))
    return shapely.transform(geom, lambda xy: _apply(t, xy))


def _apply(t: Transformer, xy):
    import numpy as np

    x, y = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def to_working(geom: BaseGeometry) -> BaseGeometry:
    """WGS84 geometry → EPSG:25832 (metres)."""
    return transform(geom, f"EPSG:{STORAGE_SRID}", f"EPSG:{WORKING_SRID}")


def area_m2(geom: BaseGeometry | None) -> float:
    """Area in m², computed in EPSG:25832, of a WGS84 geometry."""
    if geom is None or geom.is_empty:
        return 0.0
    return float(to_working(geom).area)


def length_m(geom: BaseGeometry | None) -> float:
    """Length in m, computed in EPSG:25832, of a WGS84 geometry (perimeter for polygons)."""
    if geom is None or geom.is_empty:
        return 0.0
    return float(to_working(geom).length)


def from_django(geom) -> BaseGeometry | None:
    """A GeoDjango GEOSGeometry → shapely (None stays None)."""
    if geom is None:
        return None
    return shapely.from_wkb(bytes(geom.wkb))


def inside_germany(geom: BaseGeometry) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    gx0, gy0, gx1, gy1 = GERMANY_BOUNDS
    return minx >= gx0 and maxx <= gx1 and miny >= gy0 and maxy <= gy1


def to_django(geom: BaseGeometry):
    """shapely → GeoDjango GEOSGeometry in the storage CRS (Django imported lazily)."""
    from django.contrib.gis.geos import GEOSGeometry

    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=STORAGE_SRID)
