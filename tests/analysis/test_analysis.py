"""The inventory analysis on real extracts (Hoyerswerda, Lauf) and the Bochum city layers,
cross-checked with direct computations; bad input gets clear errors."""

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
import pytest
import shapely

from isek.analysis import cli, layers, osm, run
from isek.analysis import indicators as ind
from tests.data import data_dir

pytestmark = pytest.mark.database_independent

DATA = data_dir("osm")
HOY = DATA / "osm" / "hoyerswerda_altstadt.osm.pbf"
LAUF = DATA / "osm" / "lauf_an_der_pegnitz_2020-01-15.osm.pbf"
REQUIRED_DATA = [HOY, LAUF, DATA / "bochum/vrr_gtfs_stops/stops_bochum.txt"]
HOY_AREAS = gpd.GeoDataFrame(
    {"area_id": ["Altstadt", "Nord"]},
    geometry=[shapely.box(14.2440, 51.4340, 14.2590, 51.4395), shapely.box(14.2480, 51.4370, 14.2560, 51.4395)],
    crs="EPSG:4326")


@pytest.fixture(scope="module")
def hoy():
    areas = run.prepare_areas(HOY_AREAS)
    data = osm.read(HOY, crs=areas.crs.to_string())
    table, missing = run.compute(areas, ind.Sources(osm=data))
    return areas, data, table, missing


def test_registry_has_at_least_25_documented_indicators():
    assert len(ind.REGISTRY) >= 25
    for i in ind.REGISTRY.values():
        assert i.name_de and i.name_en and i.unit and len(i.definition) > 20, i.id
    assert Path("docs/indicators.md").read_text() == cli.markdown() + "\n", "regenerate: isek indicators --markdown > docs/indicators.md"


def test_hoyerswerda_uses_utm_zone_33(hoy):
    areas, _data, table, missing = hoy
    assert areas.crs.to_epsg() == 25833
    assert missing == {"green_m2_per_resident": "braucht Einwohnerzahlen je Gebiet (Einwohner)"}
    assert table.loc["Altstadt", "area_ha"] == round(HOY_AREAS.to_crs(25833).area.iloc[0] / 1e4, 2)  # 2 decimals


def test_building_coverage_agrees_with_shapely(hoy):
    """Building coverage within 0.5 % of a direct shapely computation on the same ways."""
    areas, _data, table, _ = hoy
    # Independent path: libosmium's own area assembler (closed ways and multipolygon relations).
    wkb = osmium.geom.WKBFactory()
    rings = []
    for o in osmium.FileProcessor(str(HOY)).with_areas(osmium.filter.KeyFilter("building")):
        if o.is_area() and o.tags.get("building", "no") != "no":
            rings.append(shapely.from_wkb(wkb.create_multipolygon(o)))
    direct = gpd.GeoSeries(rings, crs="EPSG:4326").to_crs(25833).make_valid()
    for area_id, geom in zip(areas["area_id"], areas.geometry):
        share = 100 * shapely.intersection(shapely.union_all(direct.values), geom).area / geom.area
        assert table.loc[area_id, "building_coverage"] == pytest.approx(share, rel=0.005), area_id


def test_shop_count_equals_a_direct_tag_count(hoy):
    areas, _data, table, _ = hoy
    points = []
    wkb = osmium.geom.WKBFactory()
    for o in osmium.FileProcessor(str(HOY)).with_locations():
        if "shop" not in o.tags or o.tags["shop"] in ("vacant", "no"):
            continue
        if o.is_node():
            points.append(shapely.Point(o.location.lon, o.location.lat))
        elif o.is_way() and o.is_closed():
            points.append(shapely.Polygon(shapely.from_wkb(wkb.create_linestring(o)).coords).representative_point())
    pts = gpd.GeoSeries(points, crs="EPSG:4326").to_crs(25833)
    for area_id, geom in zip(areas["area_id"], areas.geometry):
        assert table.loc[area_id, "shops_count"] == int(pts.within(geom).sum()), area_id
    assert table.loc["Altstadt", "shops_count"] >= 5


def test_lauf_full_set_and_plausible_values(tmp_path):
    areas = gpd.GeoDataFrame({"area_id": ["Stadt", "Altstadt"]},
                             geometry=[shapely.box(11.2474, 49.4995, 11.3079, 49.5304), shapely.box(11.2735, 49.5055, 11.2815, 49.5095)],
                             crs="EPSG:4326")
    areas.to_file(tmp_path / "areas.geojson")
    (tmp_path / "pop.csv").write_text("area_id,population\nAltstadt,1500\nStadt,26000\n")
    summary = cli.analyze(str(LAUF), str(tmp_path / "areas.geojson"), str(tmp_path / "out"),
                          population=str(tmp_path / "pop.csv"), maps=True, progress=None)
    assert summary["not_available"] == {}
    table = pd.read_csv(tmp_path / "out" / "indicators.csv")
    assert list(table.columns)[0] == "area_id" and len(table.columns) == len(ind.REGISTRY) + 1
    t = table.set_index("area_id")
    assert not t.isna().any().any()
    assert t.loc["Stadt", "building_count"] > 6000 and t.loc["Stadt", "shops_count"] == 190
    assert 20 < t.loc["Stadt", "landuse_green_share"] < 30
    assert t.loc["Altstadt", "building_coverage"] > t.loc["Stadt", "building_coverage"]
    assert 0 <= t.loc["Altstadt", "pt_coverage_300m"] <= 100
    assert (tmp_path / "out" / "report.html").read_text().count("<tr>") >= len(ind.REGISTRY)
    assert len(list((tmp_path / "out" / "maps").glob("*.png"))) >= 8
    gpkg = gpd.read_file(tmp_path / "out" / "indicators.gpkg")
    assert set(gpkg["area_id"]) == {"Stadt", "Altstadt"} and "sealing_proxy" in gpkg.columns
    assert summary["osm_timestamp"].startswith("2020-01")


def test_bochum_city_layers_without_osm(tmp_path):
    """Bochum: the indicators its real city layers allow; the OSM-based ones say what they need."""
    od = DATA / "bochum" / "stadt_bochum_opendata" / "shapefiles_epsg25832"
    area = gpd.GeoDataFrame({"area_id": ["Innenstadt"]}, geometry=[shapely.box(7.205, 51.475, 7.230, 51.490)], crs="EPSG:4326")
    area.to_file(tmp_path / "a.geojson")
    summary = cli.analyze("-", str(tmp_path / "a.geojson"), str(tmp_path / "out"), maps=False, progress=None, layers=[
        f"stops={DATA / 'bochum/vrr_gtfs_stops/stops_bochum.txt'}", f"schools={od / 'bochum_schools.shp'}",
        f"daycare={od / 'bochum_daycare_centers.shp'}", f"playgrounds={od / 'bochum_playgrounds.shp'}",
        f"heritage={od / 'bochum_stolpersteine.shp'}"])
    t = pd.read_csv(tmp_path / "out" / "indicators.csv").set_index("area_id")
    # SOURCES.md: 43 schools, 6 daycare centres, 18 playgrounds, 164 Stolpersteine in this box; 91 stop rows.
    assert (t.loc["Innenstadt", "schools_count"], t.loc["Innenstadt", "daycare_count"],
            t.loc["Innenstadt", "playgrounds_count"], t.loc["Innenstadt", "heritage_count"]) == (43, 6, 18, 164)
    assert t.loc["Innenstadt", "pt_stops_count"] == 91
    assert 90 < t.loc["Innenstadt", "pt_coverage_300m"] <= 100
    assert summary["not_available"]["building_coverage"] == "braucht einen OSM-Extrakt"


@pytest.mark.parametrize("case, message", [
    ("corrupt", "keine .osm.pbf-Datei"),
    ("elsewhere", "überdeckt die Gebiete"),
    ("nocrs_csv", "keine Koordinatenspalten"),
    ("outside", "nicht in Deutschland"),
])
def test_bad_input_gets_clear_errors(tmp_path, case, message):
    areas = tmp_path / "areas.geojson"
    HOY_AREAS.to_file(areas)
    extract, layer = str(HOY), []
    if case == "corrupt":
        bad = tmp_path / "bad.osm.pbf"
        bad.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all" * 10)
        extract = str(bad)
    elif case == "elsewhere":
        extract = str(LAUF)
    elif case == "nocrs_csv":
        (tmp_path / "s.csv").write_text("name;strasse\nA;B\n")
        layer = [f"schools={tmp_path / 's.csv'}"]
    elif case == "outside":
        gpd.GeoDataFrame({"area_id": ["x"]}, geometry=[shapely.box(376000, 5704000, 377000, 5705000)],
                         crs="EPSG:4326").to_file(areas)
    with pytest.raises(run.AnalysisError, match=message):
        cli.analyze(extract, str(areas), str(tmp_path / "out"), layers=layer, maps=False, progress=None)
    assert not (tmp_path / "out" / "indicators.csv").exists()


def test_population_with_unknown_area(tmp_path):
    HOY_AREAS.to_file(tmp_path / "a.geojson")
    (tmp_path / "p.csv").write_text("area_id,population\nNirgendwo,100\n")
    with pytest.raises(run.AnalysisError, match="unbekannte Gebiete Nirgendwo"):
        cli.analyze(str(HOY), str(tmp_path / "a.geojson"), str(tmp_path / "out"), population=str(tmp_path / "p.csv"),
                    maps=False, progress=None)


def test_csv_layer_with_utm_coordinates(tmp_path):
    (tmp_path / "t.csv").write_text("name;Rechtswert;Hochwert\nBaum;377000,5;5705000,25\n")
    with pytest.raises(layers.LayerError, match="KBS angeben"):
        layers.read_layer(tmp_path / "t.csv")
    frame = layers.read_layer(tmp_path / "t.csv", crs="EPSG:25832")
    assert frame.geometry.iloc[0].x == 377000.5


def test_command_line(tmp_path):
    HOY_AREAS.to_file(tmp_path / "a.geojson")
    r = subprocess.run([sys.executable, "-m", "isek", "analyze", str(HOY), "--areas", str(tmp_path / "a.geojson"),
                        "--out", str(tmp_path / "out"), "--no-maps"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "2 Gebiete" in r.stdout and (tmp_path / "out" / "indicators.gpkg").exists()
    assert "2/2" in r.stderr  # progress on the terminal
    r = subprocess.run([sys.executable, "-m", "isek", "analyze", str(tmp_path / "none.pbf"), "--areas",
                        str(tmp_path / "a.geojson"), "--out", str(tmp_path / "o2")], capture_output=True, text=True)
    assert r.returncode == 2 and "Extrakt nicht gefunden" in r.stderr
    r = subprocess.run([sys.executable, "-m", "isek", "indicators"], capture_output=True, text=True)
    assert "building_coverage" in r.stdout and len(r.stdout.splitlines()) == len(ind.REGISTRY)


LANDUSE = ["landuse_residential_share", "landuse_commercial_share", "landuse_green_share", "landuse_water_share",
           "landuse_transport_share"]


def _synthetic(polygons: list[tuple[dict, shapely.Geometry]]) -> ind.Sources:
    """An OSM extract of a few land-use polygons, in UTM zone 32 (metres)."""
    crs = "EPSG:25832"
    empty = gpd.GeoDataFrame({"tags": []}, geometry=[], crs=crs)
    polys = gpd.GeoDataFrame({"tags": [t for t, _g in polygons]}, geometry=[g for _t, g in polygons], crs=crs)
    return ind.Sources(osm=osm.OsmData(polygons=polys, lines=empty, points=empty, timestamp=None, bbox=None))


def test_overlapping_land_use_counts_each_square_metre_once():
    """A city-wide residential polygon under a commercial one, a park and a parking lot, as in
    large centres: the smaller polygon wins, so the shares add up to at most 100 %."""
    x, y = 680_000, 5_710_000
    area = shapely.box(x, y, x + 1000, y + 1000)  # 100 ha
    sources = _synthetic([
        ({"landuse": "residential"}, shapely.box(x - 500, y - 500, x + 1500, y + 1500)),  # the whole city
        ({"landuse": "retail"}, shapely.box(x, y, x + 500, y + 400)),  # 20 ha
        ({"leisure": "park"}, shapely.box(x + 600, y + 600, x + 800, y + 800)),  # 4 ha
        ({"amenity": "parking"}, shapely.box(x + 100, y + 100, x + 200, y + 150)),  # 0.5 ha, inside the retail area
        ({"landuse": "commercial"}, shapely.box(x + 400, y, x + 700, y + 400)),  # 12 ha, 4 ha over the retail area
    ])
    areas = gpd.GeoDataFrame({"area_id": ["a"]}, geometry=[area], crs="EPSG:25832")
    table, _missing = run.compute(areas, sources, only=["area_ha", *LANDUSE, "parking_area_share"])
    row = table.loc["a"]
    # before: residential 100 %, commercial 28 %, green 4 %, transport 0.5 % = 132.5 %
    assert sum(row[i] for i in LANDUSE) == pytest.approx(100.0)
    assert row["landuse_commercial_share"] == 27.5  # retail 20 + commercial 12 − 4 ha overlap − the parking lot
    assert row["landuse_transport_share"] == 0.5 and row["parking_area_share"] == 0.5
    assert row["landuse_green_share"] == 4.0
    assert row["landuse_residential_share"] == 68.0


def test_values_are_rounded_to_their_documented_precision(tmp_path):
    """No 100.00000000004346 in the CSV: every value at its indicator's decimal places."""
    x, y = 680_000, 5_710_000
    area = shapely.box(x, y, x + 333.3, y + 333.3)
    sources = _synthetic([({"landuse": "residential"}, shapely.box(x, y, x + 333.3, y + 111.1)),
                          ({"building": "yes"}, shapely.box(x + 10, y + 10, x + 20.3, y + 20.7))])
    areas = gpd.GeoDataFrame({"area_id": ["a"]}, geometry=[area], crs="EPSG:25832")
    table, _missing = run.compute(areas, sources, only=["area_ha", "landuse_residential_share", "building_coverage",
                                                        "building_count"])
    table.reset_index().to_csv(tmp_path / "i.csv", index=False)
    text = (tmp_path / "i.csv").read_text()
    assert text.splitlines()[1] == "a,11.11,33.33,0.1,1.0", text
    assert ind.REGISTRY["building_count"].digits == 0 and ind.REGISTRY["diversity_shannon"].digits == 3
