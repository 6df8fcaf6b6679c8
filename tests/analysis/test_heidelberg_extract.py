"""The real Heidelberg routing extract (streets, parks, shops; 16 buildings in the whole file; a
header timestamp, objects without timestamps): the Altstadt's data date is the header's, and
buildings and land-use shares are not available with their reason instead of 0."""

from __future__ import annotations

import datetime
import math

import geopandas as gpd
import shapely

from isek.analysis import indicators as ind
from isek.analysis import osm
from isek.analysis.run import compute, prepare_areas
from isek.geodata import basemaps
from tests.data import data_dir

HEIDELBERG = data_dir("osm") / "osm" / "heidelberg_routing_filtered.osm.pbf"
REQUIRED_DATA = [HEIDELBERG]


def test_the_altstadt_from_the_heidelberg_routing_extract():
    assert basemaps.inspect(HEIDELBERG).timestamp == "2024-09-08T20:21:00Z"
    areas = prepare_areas(gpd.GeoDataFrame({"area_id": ["altstadt"]}, geometry=[shapely.box(8.700, 49.408, 8.717, 49.415)],
                                           crs="EPSG:4326"), ags="08221000")
    data = osm.read(HEIDELBERG, crs=areas.crs.to_string())
    assert data.timestamp.date() == datetime.date(2024, 9, 8)
    table, _missing = compute(areas, ind.Sources(osm=data))
    row, gaps = table.loc["altstadt"], table.attrs["gaps"]["altstadt"]
    for key in ("building_count", "building_coverage", "landuse_residential_share", "landuse_commercial_share"):
        assert math.isnan(row[key]) and key in gaps
    assert gaps["building_count"] == "der Extrakt enthält im Gebiet keine Gebäude (building=*)"
    assert row["pt_stops_count"] > 0 and row["trees_count"] == 0  # a real count, and a 0 that may be real
    counts = table.attrs["inventory"]["altstadt"]
    assert counts["building"] == 0 and counts["landuse"] == 0 and counts["way"] > 100
