"""Helpers of the analysis benchmarks: OSM files derived from the manifest's extracts."""

from pathlib import Path

import osmium

ROOT = Path(__file__).resolve().parent.parent
DATA_DIRS = [ROOT.parent / "shared" / "data", ROOT / "var" / "data"]


def extract(name: str) -> Path | None:
    return next((d / "osm" / name for d in DATA_DIRS if (d / "osm" / name).exists()), None)


def enlarged(pbf: Path, out: Path, copies_per_side: int, dlon: float, dlat: float) -> None:
    """copies_per_side² copies of the extract side by side (ids offset, coordinates shifted)."""
    step = 10 ** 10
    with osmium.SimpleWriter(str(out), overwrite=True) as w:
        for kind in ("n", "w", "r"):
            for i in range(copies_per_side):
                for j in range(copies_per_side):
                    k = i * copies_per_side + j
                    off = k * step
                    ents = {"n": osmium.osm.NODE, "w": osmium.osm.WAY, "r": osmium.osm.RELATION}[kind]
                    for o in osmium.FileProcessor(str(pbf), ents):
                        if kind == "n":
                            loc = o.location
                            w.add_node(o.replace(id=o.id + off, location=(loc.lon + i * dlon, loc.lat + j * dlat)))
                        elif kind == "w":
                            w.add_way(o.replace(id=o.id + off, nodes=[n.ref + off for n in o.nodes]))
                        else:
                            w.add_relation(o.replace(id=o.id + off, members=[(m.type, m.ref + off, m.role) for m in o.members]))
