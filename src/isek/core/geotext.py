"""Geometry text that people paste into a form or a program sends to the API, read in one place.
No Django.

Accepted: a GeoJSON geometry, a Feature, a FeatureCollection (the content of a .geojson file: one
feature is its geometry; several of one kind are one multi-geometry where the field takes one), and
– where the field takes a point – a place as people copy it from a map service: "Breite, Länge" in
decimal degrees ("50.947696, 6.921774", also "50,947696 6,921774" with decimal commas); where the
field takes an area, its corners as such pairs, one a line (at least three). As Germany's
latitudes (47–55) and longitudes (5,5–15,5) do not overlap, a pair in the other order is read too.
Everything else is an ``InputError`` with a message that says what is accepted – for citizens in
plain words (``public``), for planners naming the forms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection

import shapely
from shapely.geometry.base import BaseGeometry

from . import jsontext
from .geo import GERMANY_BOUNDS
from .problems import InputError, Problem, gettext_noop

KINDS = ("Point", "LineString", "Polygon")
# several features of one kind where the field takes one geometry
SEVERAL = {
    "Point": gettext_noop("Die Datei enthält %(n)s Punkte; bitte nur einen einfügen oder die Datei über „Import“ laden."),
    "LineString": gettext_noop("Die Datei enthält %(n)s Linien; bitte nur eine einfügen oder die Datei über „Import“ "
                               "laden."),
    "Polygon": gettext_noop("Die Datei enthält %(n)s Flächen; bitte nur eine einfügen oder die Datei über „Import“ "
                            "laden."),
}
# two numbers with decimal points, parted by a comma, semicolon or space; or with decimal commas,
# parted by a semicolon, a space or a comma followed by a space ("50,9, 6,9")
_POINT_PAIR = re.compile(r"\s*([-+]?\d{1,3}(?:\.\d+)?)°?\s*[,;\s]\s*([-+]?\d{1,3}(?:\.\d+)?)°?\s*")
_COMMA_PAIR = re.compile(r"\s*([-+]?\d{1,3}(?:,\d+)?)°?\s*(?:;|,\s|\s)\s*([-+]?\d{1,3}(?:,\d+)?)°?\s*")
MAX_PAIR_LENGTH = 80


def read(value, *, allowed: Collection[str] | None = None, public: bool = False) -> BaseGeometry:
    """The 2D shapely geometry that ``value`` (text, or parsed JSON from the API) means, in WGS84
    as written; ``allowed`` are the geometry types the field takes (None: all). Raises InputError."""
    points = allowed is None or "Point" in allowed
    data = value
    if isinstance(value, str):
        text = value.strip()
        pair = _lat_lon(text)
        if pair is not None:
            return _place(text, pair, points, public)
        corners = _corners(text) if allowed is None or {"Polygon", "MultiPolygon"} & set(allowed) else None
        if corners is not None:
            return corners
        try:
            data = jsontext.loads(text)
        except ValueError:
            raise _unreadable(points, public) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        data = _collected(data, allowed, public, points)
    elif isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") in ("Feature", "FeatureCollection"):
        raise _unreadable(points, public)
    try:
        shape = shapely.from_geojson(json.dumps(data))
    except (shapely.errors.GEOSException, ValueError, TypeError, RecursionError):
        raise _unreadable(points, public) from None
    return shapely.force_2d(shape)


def _collected(data: dict, allowed, public: bool, points: bool) -> dict:
    """The geometry of a FeatureCollection: that of its one feature, or the multi-geometry of its
    features of one kind where the field takes it."""
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise _unreadable(points, public)
    geometries = [f["geometry"] for f in features if isinstance(f.get("geometry"), dict)]
    if not geometries:
        raise InputError([Problem(gettext_noop("Die FeatureCollection enthält keine Features.")
                                  if not features else gettext_noop("Die FeatureCollection enthält keine Geometrie."))])
    if len(geometries) == 1:
        return geometries[0]
    kinds = {str(g.get("type", "")).removeprefix("Multi") for g in geometries}
    kind = kinds.pop() if len(kinds) == 1 and kinds <= set(KINDS) else None
    multi = f"Multi{kind}"
    if kind and (allowed is None or multi in allowed):
        parts = []
        for g in geometries:
            coordinates = g.get("coordinates")
            parts.extend(coordinates if g["type"] == multi and isinstance(coordinates, list) else [coordinates])
        return {"type": multi, "coordinates": parts}
    n = len(geometries)
    if public:
        raise InputError([Problem(gettext_noop("Die Datei enthält %(n)s Orte; bitte nur einen einfügen oder den Ort "
                                               "auf der Karte setzen."), {"n": n})])
    if kind is None:
        raise InputError([Problem(gettext_noop("Die Datei enthält %(n)s Geometrien verschiedener Art; bitte nur eine "
                                               "einfügen oder die Datei über „Import“ laden."), {"n": n})])
    raise InputError([Problem(SEVERAL[kind], {"n": n})])


def _lat_lon(text: str) -> tuple[float, float] | None:
    """The two numbers of a coordinate pair as typed (first, second), or None."""
    if len(text) > MAX_PAIR_LENGTH:
        return None
    for pattern, decimal in ((_POINT_PAIR, "."), (_COMMA_PAIR, ",")):
        m = pattern.fullmatch(text)
        if m:
            return float(m[1].replace(decimal, ".")), float(m[2].replace(decimal, "."))
    return None


MAX_CORNERS = 10000


def _corners(text: str) -> BaseGeometry | None:
    """An area typed as its corners, one "Breite, Länge" pair a line (at least three; the ring is
    closed here), for a planner without a map (decision 0066); None when the text is no such list."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not 3 <= len(lines) <= MAX_CORNERS:
        return None
    pairs = [_lat_lon(line) for line in lines]
    if not all(pairs):
        return None
    lon0, lat0, lon1, lat1 = GERMANY_BOUNDS
    ring = []
    for line, pair in zip(lines, pairs):
        for lat, lon in (pair, pair[::-1]):
            if lat0 <= lat <= lat1 and lon0 <= lon <= lon1:
                ring.append((lon, lat))
                break
        else:
            raise InputError([Problem(gettext_noop(
                "„%(value)s“ liegt als „Breite, Länge“ gelesen nicht in Deutschland (Breite 47 bis 55, Länge 5,5 bis "
                "15,5 Grad)."), {"value": line})])
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    shape = shapely.Polygon(ring)
    if len(set(ring)) < 3 or not shape.is_valid or shape.area == 0:
        raise InputError([Problem(gettext_noop(
            "Die Eckpunkte ergeben keine gültige Fläche: bitte die Ecken der Reihe nach um die Fläche herum angeben, "
            "ohne dass sich die Ränder kreuzen."))])
    return shape


def _place(text: str, pair: tuple[float, float], points: bool, public: bool) -> BaseGeometry:
    """A "Breite, Länge" pair as a point where the field takes one and it lies in Germany."""
    if not points:
        raise InputError([Problem(gettext_noop(
            "„%(value)s“ ist ein Punkt; hier wird eine Fläche erwartet. Bitte die Fläche auf der Karte zeichnen "
            "oder als GeoJSON einfügen (Geometrie, Feature oder FeatureCollection)."), {"value": text})])
    lon0, lat0, lon1, lat1 = GERMANY_BOUNDS
    for lat, lon in (pair, pair[::-1]):
        if lat0 <= lat <= lat1 and lon0 <= lon <= lon1:
            return shapely.Point(lon, lat)
    if public:
        raise InputError([Problem(gettext_noop(
            "„%(value)s“ liegt nicht in Deutschland. Bitte den Ort auf der Karte anklicken oder aus der Liste "
            "wählen."), {"value": text})])
    raise InputError([Problem(gettext_noop(
        "„%(value)s“ liegt als „Breite, Länge“ gelesen nicht in Deutschland (Breite 47 bis 55, Länge 5,5 bis "
        "15,5 Grad)."), {"value": text})])


def _unreadable(points: bool, public: bool) -> InputError:
    if public:
        return InputError([Problem(gettext_noop(
            "Der Ort ist nicht lesbar. Bitte den Ort auf der Karte anklicken oder aus der Liste wählen; Koordinaten "
            "bitte als „Breite, Länge“ einfügen, z. B. 50.947696, 6.921774."))])
    if points:
        return InputError([Problem(gettext_noop(
            "Die Geometrie ist kein gültiges GeoJSON. Erlaubt sind eine GeoJSON-Geometrie, ein Feature, eine "
            "FeatureCollection (der Inhalt einer .geojson-Datei) oder ein Punkt als „Breite, Länge“, z. B. "
            "50.947696, 6.921774."))])
    return InputError([Problem(gettext_noop(
        "Die Geometrie ist kein gültiges GeoJSON. Erlaubt sind eine GeoJSON-Geometrie, ein Feature oder eine "
        "FeatureCollection (der Inhalt einer .geojson-Datei)."))])
