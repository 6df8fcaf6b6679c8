"""An extract without buildings or land use in the area (the Heidelberg routing extract: streets,
parks and shops, 16 buildings in the whole file) does not report 0 buildings and 0 % residential
land: those indicators are not available, with the reason, on the analysis page and in the ISEK
PDF; counts that can be real zeros (shops, trees, stops) stay, and the run says how complete the
extract is in the funding area."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest

from isek import access
from isek.analysis import indicators as ind
from isek.analysis import osm
from isek.analysis import services as analysis
from isek.analysis.models import AnalysisRun, IndicatorValue
from isek.analysis.run import compute, prepare_areas
from isek.geodata import services as geodata
from isek.monitoring import reports
from tests import osm_files
from tests.conftest import client_for
from tests.factories import CityFactory, ConceptFactory, member, multipolygon, square
from tests.monitoring.test_isek_pdf import pdf_text

OPERATOR = access.Operator("test")
LON, LAT = 14.2465, 51.4345
NO_BUILDINGS = "der Extrakt enthält im Gebiet keine Gebäude (building=*)"
NO_LANDUSE = "der Extrakt enthält im Gebiet keine Landnutzungsflächen (landuse=*)"


def _streets_and_a_shop(path, *, house=False):
    """A street, a path and a bakery in the area; with ``house`` one building too (no land use)."""
    x, y, d = LON + 0.004, LAT + 0.0027, 0.0005  # the middle of the area
    nodes = [(x - 0.002, y - 0.001), (x + 0.002, y - 0.001), (x, y + 0.002), (x + 0.0003, y),
             (x - d, y + d), (x + d, y + d), (x + d, y + 2 * d), (x - d, y + 2 * d)]
    ways = [([1, 2], {"highway": "residential"}), ([2, 3], {"highway": "footway"})]
    if house:
        ways.append(([5, 6, 7, 8, 5], {"building": "yes"}))
    return osm_files.write_pbf(path, (LON - 0.02, LAT - 0.02, LON + 0.02, LAT + 0.02), nodes, ways,
                               node_tags={4: {"shop": "bakery"}})


def _compute(path):
    areas = prepare_areas(gpd.GeoDataFrame({"area_id": ["a"]}, geometry=[square(LON, LAT, 600)], crs="EPSG:4326"))
    return compute(areas, ind.Sources(osm=osm.read(path, crs=areas.crs.to_string())))[0]


def test_without_buildings_or_land_use_those_indicators_are_not_available_with_the_reason(tmp_path):
    table = _compute(_streets_and_a_shop(tmp_path / "a.osm.pbf"))
    row, gaps = table.loc["a"], table.attrs["gaps"]["a"]
    for key in ("building_count", "building_coverage", "ground_floor_mix", "sealing_proxy"):
        assert math.isnan(row[key]) and gaps[key] == NO_BUILDINGS
    for key in ("landuse_residential_share", "landuse_commercial_share"):
        assert math.isnan(row[key]) and gaps[key] == NO_LANDUSE
    # Zeros that can be real stay zeros; the counts tell how complete the extract is.
    assert row["shops_count"] == 1 and row["trees_count"] == 0 and row["pt_stops_count"] == 0
    assert "trees_count" not in gaps and "shops_count" not in gaps
    assert table.attrs["inventory"]["a"] == {"building": 0, "shop": 1, "landuse": 0, "way": 2}
    assert ind.inventory_note(table.attrs["inventory"]["a"]) == "im Gebiet: 0 Gebäude, 1 Laden, 0 Landnutzungsflächen, 2 Wege"


def test_with_a_building_its_indicators_are_real_values(tmp_path):
    table = _compute(_streets_and_a_shop(tmp_path / "a.osm.pbf", house=True))
    assert table.loc["a", "building_count"] == 1 and table.loc["a", "building_coverage"] > 0
    assert "building_count" not in table.attrs["gaps"].get("a", {})
    assert math.isnan(table.loc["a", "landuse_residential_share"])
    assert ind.inventory_note({"building": 1234, "shop": 0, "landuse": 1, "way": 1}) == (
        "im Gebiet: 1.234 Gebäude, 0 Läden, 1 Landnutzungsfläche, 1 Weg")


@pytest.fixture
def altstadt(db, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path / "var")
    return ConceptFactory(city=CityFactory(ags="14625240", name="Hoyerswerda"), slug="altstadt",
                          area=multipolygon(square(LON, LAT, 600)))


def test_the_page_and_the_isek_pdf_show_a_dash_and_the_reason_not_zero(altstadt, tmp_path):
    path = _streets_and_a_shop(tmp_path / "a.osm.pbf")
    geodata.add_extract(OPERATOR, altstadt, path)
    run = analysis.start_run(OPERATOR, altstadt, str(path.resolve()), now=True)
    assert run.status == AnalysisRun.Status.DONE
    assert "im Fördergebiet: 0 Gebäude, 1 Laden, 0 Landnutzungsflächen, 2 Wege" in run.message
    value = IndicatorValue.objects.get(run=run, quarter=None, indicator="building_count")
    assert value.value is None and value.note == NO_BUILDINGS
    html = client_for(member(altstadt, "planner")).get(f"/concepts/{altstadt.slug}/analysis/").content.decode()
    row = html.split('data-indicator="building_count"')[1].split("</tr>")[0]
    assert "–" in row and NO_BUILDINGS in row and ">0<" not in row
    row = html.split('data-indicator="landuse_residential_share"')[1].split("</tr>")[0]
    assert "–" in row and NO_LANDUSE in row
    row = html.split('data-indicator="shops_count"')[1].split("</tr>")[0]
    assert ">1<" in row and "nicht verfügbar" not in row
    assert "0 Gebäude, 1 Laden, 0 Landnutzungsflächen, 2 Wege" in html
    out = tmp_path / "isek.pdf"
    reports.isek_pdf(altstadt, out)
    text = " ".join(pdf_text(out).split())
    assert "Gebäude – Anzahl" in text and f"nicht verfügbar: {NO_BUILDINGS}" in text
    assert "Gebäude 0 Anzahl" not in text and "Läden 1 Anzahl" in text
