"""The base map served to the browser: its vector tiles and its MapLibre style."""

from __future__ import annotations

from functools import lru_cache

from isek import access
from isek.concepts.services import Concept

from .lifecycle import base_map_of, basemap_file


@lru_cache(maxsize=16)
def _tile_db(path: str, _mtime: float):
    import sqlite3

    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def tile(user, concept: Concept, z: int, x: int, y: int) -> bytes | None:
    """One vector tile (gzip-compressed MVT) of the concept's city base map, None where there is none."""
    access.require(user, "basemap", "view", concept)
    bm = base_map_of(concept.city)
    path = basemap_file(bm) if bm else None
    if path is None or not (bm.minzoom <= z <= bm.maxzoom) or not (0 <= x < 1 << z and 0 <= y < 1 << z):
        return None
    db = _tile_db(str(path), path.stat().st_mtime)
    row = db.execute("select tile_data from tiles where zoom_level=? and tile_column=? and tile_row=?",
                     (z, x, (1 << z) - 1 - y)).fetchone()
    return row[0] if row else None


def basemap_style(concept: Concept, tiles_url: str, font_url: str) -> dict | None:
    """The MapLibre style of the city's base map (offline: tiles from isek, labels in a vendored
    font through the style's font-faces), or None without a finished base map."""
    bm = base_map_of(concept.city)
    if bm is None or basemap_file(bm) is None:
        return None
    font = "Noto Sans Regular"
    src = "basemap"

    def layer(id_, type_, source_layer, paint, **extra):
        return {"id": f"base-{id_}", "type": type_, "source": src, "source-layer": source_layer, "paint": paint, **extra}

    road = lambda kind: ["==", ["get", "kind"], kind]  # noqa: E731
    return {
        "version": 8,
        "name": f"isek – {concept.city.name}",
        "font-faces": {font: font_url},
        "sources": {src: {"type": "vector", "tiles": [tiles_url], "minzoom": bm.minzoom, "maxzoom": bm.maxzoom,
                          "bounds": bm.bounds or [-180, -85, 180, 85], "attribution": bm.attribution}},
        "layers": [
            {"id": "base-background", "type": "background", "paint": {"background-color": "#f4f3ef"}},
            layer("green", "fill", "green", {"fill-color": "#d8e8cf"}),
            layer("water", "fill", "water", {"fill-color": "#b9d3e8"}),
            layer("waterway", "line", "waterway", {"line-color": "#9cc0de", "line-width": 1.5}),
            layer("building", "fill", "building", {"fill-color": "#dcd8d2", "fill-outline-color": "#c8c3bb"}),
            layer("road-path", "line", "road", {"line-color": "#ffffff", "line-width": 1, "line-dasharray": [2, 1]},
                  filter=road("path")),
            layer("road-minor", "line", "road", {"line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 1, 16, 5]},
                  filter=["any", road("minor"), road("service")]),
            layer("road-major", "line", "road", {"line-color": "#f6e7b6", "line-width": ["interpolate", ["linear"], ["zoom"], 10, 1.5, 16, 8]},
                  filter=["any", road("major"), road("medium")]),
            layer("rail", "line", "rail", {"line-color": "#8d8d8d", "line-width": 1.5, "line-dasharray": [3, 2]}),
            layer("road-label", "symbol", "road", {"text-color": "#5c5c5c", "text-halo-color": "#ffffff", "text-halo-width": 1.2},
                  minzoom=15, layout={"text-field": ["get", "name"], "text-font": [font], "text-size": 11,
                                      "symbol-placement": "line"}),
            layer("place-label", "symbol", "place", {"text-color": "#3a3a3a", "text-halo-color": "#ffffff", "text-halo-width": 1.5},
                  layout={"text-field": ["get", "name"], "text-font": [font], "text-size": 13}),
        ],
    }
