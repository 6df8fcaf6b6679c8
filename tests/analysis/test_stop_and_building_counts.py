"""The analysis page counts stops, not their OSM parts, and buildings by one rule (walk 5)."""

from __future__ import annotations

import pytest

from isek import access
from isek.analysis import services as analysis
from isek.analysis.models import AnalysisRun
from isek.geodata import services as geodata
from tests import osm_files
from tests.conftest import client_for
from tests.factories import CityFactory, ConceptFactory, member, multipolygon, square

OPERATOR = access.Operator("test")
LON, LAT = 9.40, 53.75
M_LON, M_LAT = 1 / 66_000, 1 / 111_320  # about one metre in degrees at this latitude


def _at(east_m, north_m):
    return (LON + east_m * M_LON, LAT + north_m * M_LAT)


def _krautsand(path):
    """In a 600 m square: a street; a house inside and one across the west edge with its centre
    outside; four stops mapped in eleven parts."""
    nodes = [_at(10, 300), _at(590, 300),  # 1, 2 street
             _at(100, 100), _at(120, 100), _at(120, 120), _at(100, 120),  # 3-6 house inside
             _at(-30, 200), _at(10, 200), _at(10, 220), _at(-30, 220),  # 7-10 house across the edge
             # "Mitte" (named parts, no relation): stop position, two platforms; an unnamed pole 2 m off
             _at(300, 300), _at(300, 290), _at(310, 310), _at(302, 290),  # 11-14
             # "Dorf" (stop_area relation): stop position, named platform, unnamed platform
             _at(450, 300), _at(450, 290), _at(460, 312),  # 15-17
             _at(300, 500),  # 18 an unnamed pole on its own
             _at(300, 40)]  # 19 another "Mitte", 260 m from the first
    bus = {"highway": "bus_stop", "public_transport": "platform"}
    tags = {11: {"public_transport": "stop_position", "bus": "yes", "name": "Mitte"},
            12: {**bus, "name": "Mitte"}, 13: {**bus, "name": "Mitte"}, 14: {"highway": "bus_stop"},
            15: {"public_transport": "stop_position", "name": "Dorf"}, 16: {**bus, "name": "Dorf"}, 17: dict(bus),
            18: {"highway": "bus_stop"}, 19: {**bus, "name": "Mitte"}}
    ways = [([1, 2], {"highway": "residential"}), ([3, 4, 5, 6, 3], {"building": "house"}),
            ([7, 8, 9, 10, 7], {"building": "house"})]
    relations = [([("node", 15, "stop"), ("node", 16, "platform"), ("node", 17, "platform")],
                  {"type": "public_transport", "public_transport": "stop_area", "name": "Dorf"})]
    return osm_files.write_pbf(path, (LON - 0.02, LAT - 0.02, LON + 0.02, LAT + 0.02), nodes, ways,
                               node_tags=tags, relations=relations)


@pytest.fixture
def krautsand(db, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path / "var")
    return ConceptFactory(city=CityFactory(ags="03359010", name="Drochtersen"), slug="krautsand",
                          area=multipolygon(square(LON, LAT, 600)))


def _row(html, key):
    return html.split(f'data-indicator="{key}"')[1].split("</tr>")[0]


def _page(concept, tmp_path):
    path = _krautsand(tmp_path / "k.osm.pbf")
    geodata.add_extract(OPERATOR, concept, path)
    run = analysis.start_run(OPERATOR, concept, str(path.resolve()), now=True)
    assert run.status == AnalysisRun.Status.DONE, run.message
    return client_for(member(concept, "planner")).get(f"/concepts/{concept.slug}/analysis/").content.decode()


def test_the_page_counts_stops_not_their_osm_parts(krautsand, tmp_path):
    html = _page(krautsand, tmp_path)
    # Mitte (4 parts), Dorf (3), the lone pole, the far Mitte: 4 stops, not 9 tagged objects.
    assert ">4<" in _row(html, "pt_stops_count")


def test_the_page_shows_one_building_count(krautsand, tmp_path):
    html = _page(krautsand, tmp_path)
    # The house across the edge has its centre outside: 1 building, in the indicator and the note.
    assert ">1<" in _row(html, "building_count")
    assert "im Fördergebiet: 1 Gebäude," in html and "2 Gebäude" not in html
