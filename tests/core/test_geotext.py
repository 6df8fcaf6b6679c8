"""isek.core.geotext, the one reader of pasted geometry text (the forms' and the API's)."""

from __future__ import annotations

import json

import pytest
import shapely

from isek.core import geotext
from isek.core.problems import InputError

pytestmark = pytest.mark.database_independent

AREA = ("MultiPolygon", "Polygon")
POINT = {"type": "Point", "coordinates": [6.92, 50.94]}
SQUARE = json.loads(shapely.to_geojson(shapely.box(6.92, 50.94, 6.93, 50.95)))
MULTI = json.loads(shapely.to_geojson(shapely.MultiPolygon([shapely.box(6.94, 50.94, 6.95, 50.95),
                                                            shapely.box(6.96, 50.94, 6.97, 50.95)])))


def _fc(*geometries) -> str:
    return json.dumps({"type": "FeatureCollection",
                       "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]})


def _message(value, **kw) -> str:
    with pytest.raises(InputError) as exc:
        geotext.read(value, **kw)
    return exc.value.errors[0]


def test_a_polygon_and_a_multipolygon_make_one_multipolygon_of_three_parts():
    g = geotext.read(_fc(SQUARE, MULTI), allowed=AREA)
    assert g.geom_type == "MultiPolygon" and len(g.geoms) == 3


def test_features_without_geometry_are_skipped_and_z_is_dropped():
    g = geotext.read(_fc(None, {"type": "Point", "coordinates": [6.92, 50.94, 55.0]}))
    assert g.equals(shapely.Point(6.92, 50.94)) and not g.has_z
    assert _message(_fc(None)) == "Die FeatureCollection enthält keine Geometrie."


def test_several_of_a_kind_the_field_takes_only_once_or_of_mixed_kinds():
    assert _message(_fc(POINT, POINT), allowed=("Point", "LineString", "Polygon")).startswith(
        "Die Datei enthält 2 Punkte; bitte nur einen einfügen oder die Datei über „Import“ laden.")
    assert _message(_fc(POINT, SQUARE)).startswith("Die Datei enthält 2 Geometrien verschiedener Art")
    assert _message(_fc(POINT, SQUARE), public=True).startswith("Die Datei enthält 2 Orte")


@pytest.mark.parametrize("text", ["50.947696, 6.921774", "50.947696,6.921774", "50.947696; 6.921774",
                                  "50,947696 6,921774", "50,947696; 6,921774", " 50.947696°, 6.921774° "])
def test_latitude_longitude_pairs(text):
    assert geotext.read(text).equals(shapely.Point(6.921774, 50.947696))


@pytest.mark.parametrize("text", ["50,9,6,9", "50.9.6.9", "50.947696 6.921774 12", "1" * 100])
def test_what_is_no_pair_is_unreadable(text):
    assert "„Breite, Länge“" in _message(text)
