"""Read an OpenStreetMap extract (.osm.pbf) into GeoDataFrames in EPSG:25832 (no Django).

One pass with pyosmium (node locations kept in memory) collects the tagged objects isek's
indicators need. Geometry rules, because tools differ here:

* A closed way with an area tag (building, landuse, leisure, natural, amenity=parking, …) is a
  polygon; a way with a node missing from the extract is shortened to the nodes present, and
  dropped if fewer than 2 (lines) or 4 (rings) remain.
* A multipolygon relation is built from the member ways present in the extract: the outer
  member lines are joined and polygonized, the inner ones likewise and subtracted. Rings that
  the extract's bounding box cut open are dropped; closed rings are kept even when other members
  are missing. So a park cut by the extract boundary keeps its complete rings (and loses the
  open ones); it is never silently dropped as a whole.
* Points of interest are tagged nodes, plus the representative points of tagged areas.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from isek.core import osmtime

WORKING_CRS = "EPSG:25832"

AREA_KEYS = ("building", "landuse", "leisure", "natural", "amenity", "waterway", "area:highway", "place",
             "shop", "tourism", "historic", "heritage", "public_transport", "railway")
POI_KEYS = ("shop", "amenity", "office", "craft", "tourism", "leisure", "historic", "heritage", "healthcare",
            "public_transport", "highway", "railway", "natural")
KEEP_TAGS = ("building", "building:levels", "landuse", "leisure", "natural", "amenity", "shop", "office", "craft",
             "tourism", "historic", "heritage", "healthcare", "highway", "railway", "public_transport", "access",
             "foot", "area", "waterway", "water", "service", "bicycle", "cycleway", "name", "parking")


class ExtractError(Exception):
    """The extract cannot be read (corrupt, not a .osm.pbf, empty)."""


@dataclass
class OsmData:
    """Tagged OSM objects of an extract, in EPSG:25832."""

    polygons: gpd.GeoDataFrame  # buildings, land use, leisure, natural, parking, water …
    lines: gpd.GeoDataFrame  # highways, railways, waterways (as lines)
    points: gpd.GeoDataFrame  # tagged nodes and representative points of tagged areas
    timestamp: datetime.datetime | None  # the data's timestamp (header or newest object)
    bbox: tuple[float, float, float, float] | None  # lon/lat of the extract
    stats: dict = field(default_factory=dict)
    # Members of public_transport=stop_area relations: point osm_id ("n123") → relation ("r45").
    stop_areas: dict[str, str] = field(default_factory=dict)


def _tags(obj) -> dict:
    out = {}
    for t in obj.tags:
        if t.k in KEEP_TAGS:
            out[t.k] = t.v
    return out


def _interesting(tags: dict, keys) -> bool:
    return any(k in tags for k in keys)


def _is_area_way(tags: dict) -> bool:
    if tags.get("area") == "no":
        return False
    if "highway" in tags and tags.get("area") != "yes" and "area:highway" not in tags:
        return False
    return _interesting(tags, ("building", "landuse", "leisure", "natural", "amenity", "waterway", "place",
                               "shop", "tourism", "historic", "heritage", "area:highway")) or tags.get("area") == "yes"


def read(path: str | Path, clip_lonlat: tuple[float, float, float, float] | None = None,
         crs: str = WORKING_CRS) -> OsmData:
    """Read ``path`` into ``crs``; keep objects touching ``clip_lonlat`` (lon/lat box) if given."""
    import osmium

    path = Path(path)
    if not path.exists():
        raise ExtractError(f"Extrakt nicht gefunden: {path}")
    with open(path, "rb") as fh:
        head = fh.read(64)
    if b"OSMHeader" not in head:
        raise ExtractError(f"{path.name} ist keine .osm.pbf-Datei (kein OSMHeader-Block).")

    # Pass 1 (relations only, fast): multipolygons and the ways they need.
    rel_members, member_ids, stop_areas = [], set(), {}
    try:
        for o in osmium.FileProcessor(str(path), osmium.osm.RELATION):
            if not len(o.tags):
                continue
            tags = {t.k: t.v for t in o.tags}
            if tags.get("public_transport") == "stop_area":  # the parts of one stop (pt_stops_count)
                stop_areas.update((f"n{m.ref}", f"r{o.id}") for m in o.members if m.type == "n")
                continue
            if tags.get("type") not in ("multipolygon", "boundary") or not _interesting(tags, AREA_KEYS):
                continue
            members = [(m.ref, m.role) for m in o.members if m.type == "w"]
            member_ids.update(ref for ref, _role in members)
            rel_members.append((f"r{o.id}", {k: v for k, v in tags.items() if k in KEEP_TAGS}, members))
    except RuntimeError as exc:
        raise ExtractError(f"{path.name} lässt sich nicht lesen: {exc}") from None

    # Pass 2: nodes (only tagged points of interest reach Python; the location index sees all)
    # and ways, with their node locations.
    node_points, way_geoms, way_lines = [], [], {}
    newest = None
    nodes = ways = 0
    wkb = osmium.geom.WKBFactory()
    try:
        fp = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
              .with_filter(osmium.filter.KeyFilter(*POI_KEYS).enable_for(osmium.osm.NODE)))
        header = fp.header
        for o in fp:
            if o.is_node():
                nodes += 1
                tags = _tags(o)
                loc = o.location
                if tags and loc.valid():
                    node_points.append((o.id, tags, (loc.lon, loc.lat)))
                    ts = o.timestamp
                    if newest is None or ts > newest:
                        newest = ts
                continue
            ways += 1
            is_member = o.id in member_ids
            if not len(o.tags) and not is_member:
                continue
            try:
                line = wkb.create_linestring(o)  # hex WKB, decoded in one vectorised call below
            except (RuntimeError, osmium.InvalidLocationError):
                # Nodes missing from the extract (cut at its boundary): keep those present.
                coords = [(n.lon, n.lat) for n in o.nodes if n.location.valid()]
                coords = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
                if len(coords) < 2:
                    continue
                line = shapely.LineString(coords).wkb_hex
            if is_member:
                way_lines[o.id] = line
            tags = _tags(o)
            if not tags:
                continue
            ts = o.timestamp
            if newest is None or ts > newest:
                newest = ts
            closed = len(o.nodes) > 3 and o.nodes[0].ref == o.nodes[-1].ref
            if closed and _is_area_way(tags):
                way_geoms.append((f"w{o.id}", tags, "polygon", line))
            if "highway" in tags or "railway" in tags or "waterway" in tags:
                way_geoms.append((f"w{o.id}", tags, "line", line))
    except RuntimeError as exc:
        raise ExtractError(f"{path.name} lässt sich nicht lesen: {exc}") from None
    rels = len(rel_members)
    if way_lines:
        decoded = shapely.from_wkb(list(way_lines.values()))
        way_lines = dict(zip(way_lines.keys(), decoded))

    if nodes == 0 and ways == 0:  # ``nodes`` counts the tagged points of interest only
        raise ExtractError(f"{path.name} enthält weder Punkte noch Wege.")

    box = None
    try:
        b = header.box()
        if b.valid():
            box = (b.bottom_left.lon, b.bottom_left.lat, b.top_right.lon, b.top_right.lat)
    except Exception:  # noqa: BLE001 – a header without a box is allowed
        box = None
    options = {k: header.get(k, "") for k in ("osmosis_replication_timestamp", "timestamp")}
    timestamp = osmtime.data_time(options, newest)

    poly_rows, line_rows = [], []
    lines = shapely.from_wkb([w[3] for w in way_geoms]) if way_geoms else []
    is_poly = [w[2] == "polygon" for w in way_geoms]
    # A closed way's polygon: the same WKB with type Polygon and one ring (little-endian).
    ring_wkb = [bytes.fromhex(w[3][:2]) + (3).to_bytes(4, "little") + (1).to_bytes(4, "little") + bytes.fromhex(w[3][10:])
                for w, p in zip(way_geoms, is_poly) if p]
    polys = iter(shapely.from_wkb(ring_wkb, on_invalid="ignore") if ring_wkb else [])
    for (oid, tags, kind, _hex), line in zip(way_geoms, lines):
        if kind == "polygon":
            g = next(polys)
            if g is None or g.is_empty or not shapely.is_closed(g.exterior):
                continue  # a ring the extract cut open
            if not g.is_valid:
                g = shapely.make_valid(g)
            poly_rows.append((oid, tags, g))
        else:
            line_rows.append((oid, tags, line))
    dropped_rings = 0
    for rid, tags, members in rel_members:
        outer = [way_lines[ref] for ref, role in members if role != "inner" and ref in way_lines]
        inner = [way_lines[ref] for ref, role in members if role == "inner" and ref in way_lines]
        if not outer:
            continue
        outer_polys = list(shapely.polygonize(outer).geoms)
        if not outer_polys:
            dropped_rings += 1
            continue
        g = shapely.union_all(outer_polys)
        if inner:
            holes = list(shapely.polygonize(inner).geoms)
            if holes:
                g = g.difference(shapely.union_all(holes))
        if not g.is_empty:
            poly_rows.append((rid, tags, shapely.make_valid(g)))

    point_rows = [(f"n{nid}", tags, shapely.Point(xy)) for nid, tags, xy in node_points]
    for oid, tags, g in poly_rows:
        if _interesting(tags, ("shop", "amenity", "office", "craft", "tourism", "historic", "heritage", "healthcare")) \
                and "building" not in tags or _interesting(tags, ("shop", "office", "craft", "healthcare")):
            point_rows.append((oid, tags, g.representative_point()))

    def frame(rows):
        if not rows:
            return gpd.GeoDataFrame({"osm_id": [], "tags": []}, geometry=[], crs="EPSG:4326").to_crs(crs)
        f = gpd.GeoDataFrame({"osm_id": [r[0] for r in rows], "tags": [r[1] for r in rows]},
                             geometry=[r[2] for r in rows], crs="EPSG:4326")
        if clip_lonlat is not None:
            f = f[f.intersects(shapely.box(*clip_lonlat))]
        return f.to_crs(crs)

    data = OsmData(polygons=frame(poly_rows), lines=frame(line_rows), points=frame(point_rows),
                   timestamp=timestamp, bbox=box,
                   stats={"poi_nodes": nodes, "ways": ways, "relations": rels, "dropped_open_multipolygons": dropped_rings},
                   stop_areas=stop_areas)
    return data


def write_complete_xml(path: str | Path, out: str | Path) -> None:
    """Write ``path`` as .osm XML with every way shortened to its nodes present in the extract:
    the data isek reads, for tools that refuse ways cut by the extract (OSMnx)."""
    import osmium

    with osmium.SimpleWriter(str(out), overwrite=True) as writer:
        for o in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations():
            if o.is_node():
                writer.add_node(o)
            else:
                refs = [n.ref for n in o.nodes if n.location.valid()]
                if len(refs) >= 2:
                    writer.add_way(o.replace(nodes=refs))
