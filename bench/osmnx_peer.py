"""The peer to beat: an OSMnx script computing the six indicators OSMnx can (street length,
intersections, buildings, building coverage, shops, green share) for one area from .osm XML.

Run by bench/analysis_bench.py as:  python bench/osmnx_peer.py EXTRACT.osm W S E N
Prints the six figures (for checking) on one line.
"""

import sys

import geopandas as gpd
import osmnx as ox
import shapely

xml, box = sys.argv[1], tuple(float(v) for v in sys.argv[2:6])
crs = "EPSG:25833" if (box[0] + box[2]) / 2 >= 12 else "EPSG:25832"
area = gpd.GeoSeries([shapely.box(*box)], crs="EPSG:4326").to_crs(crs).iloc[0]

G = ox.project_graph(ox.graph_from_xml(xml, simplify=True, retain_all=True), to_crs=crs)
edges = ox.convert.graph_to_gdfs(ox.convert.to_undirected(G), nodes=False)
street_km = edges.geometry.intersection(area).length.sum() / 1000
nodes = ox.convert.graph_to_gdfs(G, edges=False)
spn = ox.stats.count_streets_per_node(G)
intersections = sum(1 for n in nodes[nodes.within(area)].index if spn.get(n, 0) >= 3)

f = ox.features_from_xml(xml).to_crs(crs)
polys = f[f.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
buildings = polys[polys["building"].notna()] if "building" in polys else polys.iloc[0:0]
n_buildings = int(buildings.representative_point().within(area).sum())
coverage = 100 * shapely.intersection(shapely.union_all(buildings.geometry.values), area).area / area.area
shops = f[f["shop"].notna()] if "shop" in f else f.iloc[0:0]
n_shops = int(shops.representative_point().within(area).sum())
green_mask = False
for col, values in (("leisure", {"park", "garden", "playground", "pitch"}), ("landuse", {"grass", "meadow", "forest", "recreation_ground"}),
                    ("natural", {"wood", "scrub", "grassland"})):
    if col in polys:
        green_mask = green_mask | polys[col].isin(values)
green = polys[green_mask] if green_mask is not False else polys.iloc[0:0]
green_share = 100 * shapely.intersection(shapely.union_all(green.geometry.values), area).area / area.area
print(f"street_km={street_km:.3f} intersections={intersections} buildings={n_buildings} coverage={coverage:.3f} "
      f"shops={n_shops} green_share={green_share:.3f}")
