"""Small OSM extracts written in a test: XML with a header box and a few tagged objects, turned into
a .osm.pbf by ``osmium cat`` (the header box stays, as in files cut with ``osmium extract``)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from xml.sax.saxutils import quoteattr

STAMP = 'version="1" timestamp="2024-05-01T10:00:00Z"'


def _tags(tags: dict) -> str:
    return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())


def write_pbf(path: Path, header: tuple[float, float, float, float], nodes: list[tuple[float, float]],
              ways: list[tuple[list[int], dict]], node_tags: dict[int, dict] | None = None, *,
              stamp: str = STAMP, options: dict[str, str] | None = None, node_stamps: dict[int, str] | None = None,
              relations: list[tuple[list[tuple[str, int, str]], dict]] | None = None) -> Path:
    """``nodes`` (lon, lat) get the ids 1, 2, …, with ``node_tags`` by id; ``ways`` are (node ids, tags).
    ``stamp`` is the objects' version and timestamp attributes ("": none, as in files stripped of
    metadata), ``node_stamps`` those of single nodes by id; ``options`` are header options (e.g. ``timestamp``);
    ``relations`` are (members as (type "node"/"way", id, role), tags), with the ids 1, 2, …"""
    node_tags, node_stamps = node_tags or {}, node_stamps or {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="isek-test">',
             f'<bounds minlon="{header[0]}" minlat="{header[1]}" maxlon="{header[2]}" maxlat="{header[3]}"/>']
    lines += [f'<node id="{i}" {node_stamps.get(i, stamp)} lon="{lon:.7f}" lat="{lat:.7f}">{_tags(node_tags.get(i, {}))}</node>'
              for i, (lon, lat) in enumerate(nodes, 1)]
    lines += [f'<way id="{i}" {stamp}>' + "".join(f'<nd ref="{r}"/>' for r in refs) + _tags(tags) + "</way>"
              for i, (refs, tags) in enumerate(ways, 1)]
    lines += [f'<relation id="{i}" {stamp}>' + "".join(f'<member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members)
              + _tags(tags) + "</relation>" for i, (members, tags) in enumerate(relations or [], 1)]
    lines.append("</osm>")
    xml = path.with_suffix("").with_suffix(".osm")
    xml.write_text("\n".join(lines), encoding="utf-8")
    headers = [f"--output-header={k}={v}" for k, v in (options or {}).items()]
    subprocess.run(["osmium", "cat", "--overwrite", "--no-progress", *headers, "-o", str(path), str(xml)], check=True)
    xml.unlink()
    return path


def beside(path: Path, lon: float, lat: float, *, north_km: float = 3.0) -> Path:
    """An extract whose header box covers (lon, lat) but whose data lie ``north_km`` north of it: a
    block of houses with streets, and one long road whose far end lies south of the point, so that
    the data's box (of all nodes) spans the point too. No node lies within 1 km of it."""
    dlat = north_km / 111.32
    base = lat + dlat
    nodes = [(lon - 0.002, base), (lon + 0.002, base), (lon + 0.002, base + 0.001), (lon - 0.002, base + 0.001),
             (lon - 0.01, base - 0.0005), (lon + 0.01, base - 0.0005), (lon, lat - dlat)]
    ways = [([1, 2, 3, 4, 1], {"building": "house"}), ([5, 6], {"highway": "residential", "name": "Nordstraße"}),
            ([6, 7], {"highway": "secondary", "name": "Lange Straße"})]
    return write_pbf(path, (lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05), nodes, ways)


def with_lone_node(path: Path, lon: float, lat: float) -> Path:
    """An extract with one bench at (lon, lat): data in the area, but neither buildings nor ways."""
    return write_pbf(path, (lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01), [(lon, lat)], [],
                     node_tags={1: {"amenity": "bench"}})
