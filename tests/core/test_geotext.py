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


def test_an_area_typed_as_its_corners_is_read_as_a_polygon():
    """A planner without a map types the corners of the funding area, one "Breite, Länge" a line
    (decision 0066); the ring is closed, decimal commas and either order are read."""
    text = "50.9800, 11.0250\n50,9800 11,0350\n\n11.0350, 50.9750\n50.9750, 11.0250\n"
    shape = geotext.read(text, allowed=("MultiPolygon", "Polygon"))
    assert shape.geom_type == "Polygon"
    assert list(shape.exterior.coords) == [(11.025, 50.98), (11.035, 50.98), (11.035, 50.975), (11.025, 50.975),
                                           (11.025, 50.98)]


def test_corners_that_cross_or_leave_germany_are_refused_with_a_reason():
    with pytest.raises(InputError) as err:
        geotext.read("50.98, 11.025\n50.975, 11.035\n50.98, 11.035\n50.975, 11.025", allowed=("Polygon",))
    assert "ohne dass sich die Ränder kreuzen" in err.value.messages(str)[0]
    with pytest.raises(InputError) as err:
        geotext.read("50.98, 11.025\n40.0, 11.035\n50.975, 11.035", allowed=("Polygon",))
    assert "„40.0, 11.035“ liegt als „Breite, Länge“ gelesen nicht in Deutschland" in err.value.messages(str)[0]
    # where the field takes a point only, several lines are no place
    with pytest.raises(InputError):
        geotext.read("50.98, 11.025\n50.975, 11.035\n50.98, 11.035", allowed=("Point",))
