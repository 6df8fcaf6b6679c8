"""Geometry helpers shared by all apps (no Django imports).

Storage CRS is WGS84 (EPSG:4326, what web maps and RFC 7946 GeoJSON use); areas and lengths are
always computed in metres in the official CRS of the area's Land (``official_srid``), never in
degrees: ETRS89 / UTM zone 33N (EPSG:25833) in Berlin, Brandenburg, Mecklenburg-Vorpommern and
Sachsen, ETRS89 / UTM zone 32N (EPSG:25832) elsewhere; where no city is known, by longitude.
"""

from __future__ import annotations

from functools import lru_cache

import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

STORAGE_SRID = 4326
WORKING_SRID = 25832  # the default where neither a city nor a geometry tells the Land
UTM33_SRID = 25833
# AGS prefixes (Land keys) of the Länder whose official CRS is ETRS89 / UTM zone 33:
# Berlin (11), Brandenburg (12), Mecklenburg-Vorpommern (13), Sachsen (14).
UTM33_LAENDER = frozenset({"11", "12", "13", "14"})

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


def official_srid(ags: str | None = None, lon: float | None = None) -> int:
    """The EPSG code in which areas and lengths are computed: the official CRS of the Land that
    the 8-digit municipality key ``ags`` names; without one, the UTM zone of ``lon`` (degrees E)."""
    if ags and len(ags) >= 2 and ags[:2].isdigit():
        return UTM33_SRID if ags[:2] in UTM33_LAENDER else WORKING_SRID
    if lon is not None:
        return UTM33_SRID if lon >= 12.0 else WORKING_SRID
    return WORKING_SRID


def srid_of(geom: BaseGeometry | None, ags: str | None = None) -> int:
    """``official_srid`` for a WGS84 geometry: by the city's AGS if known, else by its longitude."""
    lon = None
    if geom is not None and not geom.is_empty:
        x0, _y0, x1, _y1 = geom.bounds
        lon = (x0 + x1) / 2
    return official_srid(ags, lon)


def to_working(geom: BaseGeometry, srid: int | None = None) -> BaseGeometry:
    """WGS84 geometry → metres in ``srid`` (default: ``srid_of(geom)``)."""
    return transform(geom, f"EPSG:{STORAGE_SRID}", f"EPSG:{srid or srid_of(geom)}")


def area_m2(geom: BaseGeometry | None, srid: int | None = None) -> float:
    """Area in m² of a WGS84 geometry, computed in ``srid`` (default: ``srid_of(geom)``)."""
    if geom is None or geom.is_empty:
        return 0.0
    return float(to_working(geom, srid).area)


def length_m(geom: BaseGeometry | None, srid: int | None = None) -> float:
    """Length in m of a WGS84 geometry (perimeter for polygons), computed in ``srid``."""
    if geom is None or geom.is_empty:
        return 0.0
    return float(to_working(geom, srid).length)


def transform_many(geoms, src, dst) -> list:
    """Reproject many shapely geometries with one transformer."""
    import numpy as np

    if not len(geoms):
        return []
    t = transformer(str(src), str(dst))
    return list(shapely.transform(np.array(list(geoms), dtype=object), lambda xy: _apply(t, xy)))


def from_django(geom) -> BaseGeometry | None:
    """A GeoDjango GEOSGeometry → shapely (None stays None)."""
    if geom is None:
        return None
    return shapely.from_wkb(bytes(geom.wkb))


def inside_germany(geom: BaseGeometry) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    gx0, gy0, gx1, gy1 = GERMANY_BOUNDS
    return minx >= gx0 and maxx <= gx1 and miny >= gy0 and maxy <= gy1


def lon_lat(geom: BaseGeometry) -> bool:
    """Whether the coordinates can be longitudes and latitudes (within ±180, ±90)."""
    minx, miny, maxx, maxy = geom.bounds
    return -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90


def looks_like_utm(x: float, y: float) -> bool:
    """Whether a point looks like UTM metres in Germany (easting 100–900 km, northing 5,2–6,2 Mm),
    the coordinates of ETRS89 / UTM 32N or 33N (EPSG:25832, 25833) without zone prefix."""
    return 100_000 <= x <= 900_000 and 5_200_000 <= y <= 6_200_000


def to_django(geom: BaseGeometry):
    """shapely → GeoDjango GEOSGeometry in the storage CRS (Django imported lazily)."""
    from django.contrib.gis.geos import GEOSGeometry

    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=STORAGE_SRID)


def plain_value(value):
    """A numpy scalar from GDAL as a plain Python value; NaN becomes None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value
