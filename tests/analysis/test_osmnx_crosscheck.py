"""Street length and intersection count agree with OSMnx on the same data (within 2 %).

Rule stated: isek's walkable network (isek.analysis.indicators._walkable) is applied to the OSMnx
graph too. OSMnx drops the `foot` tag by default, which is why its own walk filter keeps a few
foot=no ways; the check keeps `foot`. OSMnx refuses ways cut by the extract, so both tools get
the ways shortened to their nodes present (isek's reading rule)."""


import geopandas as gpd
import osmnx as ox
import pytest
import shapely

from isek.analysis import indicators as ind
from isek.analysis import osm, run
from tests.data import data_dir

pytestmark = pytest.mark.database_independent

DATA = data_dir("osm")
REQUIRED_DATA = [DATA / "osm"]


@pytest.mark.parametrize("name, box", [
    ("hoyerswerda_altstadt.osm.pbf", (14.2440, 51.4340, 14.2590, 51.4395)),
    ("lauf_an_der_pegnitz_2020-01-15.osm.pbf", (11.2474, 49.4995, 11.3079, 49.5304)),
])
def test_street_length_and_intersections_agree_with_osmnx(tmp_path, name, box):
    pbf = DATA / "osm" / name
    xml = tmp_path / "extract.osm"
    osm.write_complete_xml(pbf, xml)
    ox.settings.useful_tags_way = list(dict.fromkeys([*ox.settings.useful_tags_way, "foot", "access", "area"]))
    G = ox.graph_from_xml(xml, simplify=False, retain_all=True, bidirectional=True)

    def walkable(d):
        return ind._walkable({k: (v[0] if isinstance(v, list) else v) for k, v in d.items()
                              if k in ("highway", "access", "foot", "area")})

    H = G.edge_subgraph([(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if walkable(d)]).copy()
    areas = run.prepare_areas(gpd.GeoDataFrame({"area_id": ["x"]}, geometry=[shapely.box(*box)], crs="EPSG:4326"))
    crs = areas.crs.to_string()
    Hp = ox.project_graph(H, to_crs=crs)
    area = areas.geometry.iloc[0]
    edges = ox.convert.graph_to_gdfs(ox.convert.to_undirected(Hp), nodes=False)
    osmnx_km = edges.geometry.intersection(area).length.sum() / 1000
    streets = ox.stats.count_streets_per_node(Hp)
    nodes = ox.convert.graph_to_gdfs(Hp, edges=False)
    osmnx_inter = sum(1 for n in nodes[nodes.within(area)].index if streets.get(n, 0) >= 3)

    table, _ = run.compute(areas, ind.Sources(osm=osm.read(pbf, crs=crs)), only=["street_length_km", "intersection_count"])
    assert table.iloc[0]["street_length_km"] == pytest.approx(osmnx_km, rel=0.02)
    assert table.iloc[0]["intersection_count"] == pytest.approx(osmnx_inter, rel=0.02)
