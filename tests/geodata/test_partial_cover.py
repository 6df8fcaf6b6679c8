"""An extract that covers only part of the funding area gives a base map and an analysis, with a
warning how much of the area it covers (decision 0026): a Bautzen planner's cut covered 42 %."""

from __future__ import annotations

import math

import pytest

from isek import access
from isek.geodata import services
from tests import osm_files
from tests.factories import CityFactory, ConceptFactory, member, multipolygon, square

OPERATOR = access.Operator("test")
LON, LAT, SIDE = 14.405, 51.186, 600.0
DLON = SIDE / (111_320 * math.cos(math.radians(LAT)))
WARNING = "Der Extrakt deckt nur 50 % des Fördergebiets ab; die Werte gelten nur für diesen Teil."


@pytest.fixture
def bautzen(db, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path / "var")
    city = CityFactory(ags="14625020", name="Bautzen")
    return ConceptFactory(city=city, slug="bautzen-altstadt", area=multipolygon(square(LON, LAT, SIDE)))


def _extract(path, east):
    """Houses and a street in the west part of the area; the header box ends at ``east``."""
    x, y = LON + DLON / 8, LAT + 0.002
    nodes = [(x, y), (x + 0.0005, y), (x + 0.0005, y + 0.0003), (x, y + 0.0003), (x, y - 0.0005), (x + 0.001, y - 0.0005)]
    ways = [([1, 2, 3, 4, 1], {"building": "house"}), ([5, 6], {"highway": "residential", "name": "Wendische Straße"})]
    return osm_files.write_pbf(path, (LON - 0.01, LAT - 0.01, east, LAT + 0.02), nodes, ways)


def _basemap_page(client, concept):
    client.force_login(member(concept, "planner"))
    return client.get(f"/concepts/{concept.slug}/basemap/").content.decode()


def test_an_extract_covering_half_of_the_area_is_warned_about_on_the_base_map_page(bautzen, client, tmp_path):
    services.start_basemap(OPERATOR, bautzen, _extract(tmp_path / "half.osm.pbf", LON + DLON / 2), now=True)
    html = _basemap_page(client, bautzen)
    assert "fertig" in html.lower() and WARNING in html


def test_an_extract_covering_the_whole_area_gets_no_warning(bautzen, client, tmp_path):
    services.start_basemap(OPERATOR, bautzen, _extract(tmp_path / "all.osm.pbf", LON + 0.02), now=True)
    html = _basemap_page(client, bautzen)
    assert "fertig" in html.lower() and "Der Extrakt deckt nur" not in html
