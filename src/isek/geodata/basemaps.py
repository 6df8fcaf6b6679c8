"""Offline base maps from a city's OpenStreetMap extract (no Django: plain files in and out).

1. ``inspect`` reads the extract's header and data extent with osmium (``osmium fileinfo``): a
   file that is not a .osm.pbf, is truncated or holds no nodes is refused here. ``check_coverage``
   then asks whether the extract has nodes inside the funding area's box (``nodes_inside``): no
   bounding box can tell, since the header's box is whatever the file claims and the data's box
   spans every node, also those of ways that leave the cut (a file cut north of a town has a data
   box reaching into the town and no node in it).
2. ``cut`` takes the funding area's box plus a margin out of it (``osmium extract``), so that
   time and memory depend on the area, not on the size of the download (a Regierungsbezirk, a
   Land).
3. ``complete`` drops references to objects the cut does not hold (filtered downloads lack some)
   and ``renumber`` gives the objects dense ids.
4. ``tiles`` turns the cut into vector tiles in an MBTiles file with tilemaker (Debian package),
   using isek's own layer rules (``tiles/config.json``, ``tiles/process.lua``): buildings, roads
   with their names, water, waterways, green, rail, place names.

Problems come back as ``BaseMapError`` (a ``core.problems.InputError``) with message ids and
parameters; the caller translates them.
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from isek.core import geo, numbers, osmtime
from isek.core.problems import InputError, Problem, gettext_noop

RULES = Path(__file__).resolve().parent / "tiles"
MARGIN_M = 500.0  # around the area's box, so that the map does not end at its edge
MINZOOM, MAXZOOM = 10, 14
ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"

Bbox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (WGS84)


class BaseMapError(InputError):
    """The extract cannot be used for a base map; nothing was stored."""


class ExtractRefused(BaseMapError):
    """The extract itself is unusable (not a .osm.pbf, damaged, empty, far from the area): trying
    again with the same file cannot help."""


class EmptyExtract(ExtractRefused):
    """The extract holds no nodes at all."""


@dataclass(frozen=True)
class ExtractInfo:
    bbox: Bbox  # of all its nodes
    nodes: int
    ways: int
    timestamp: str  # the data's time (isek.core.osmtime), ISO 8601, or "" when unknown
    header: Bbox | None = None  # the box its header claims, if any


def _fail(msgid: str, **params) -> BaseMapError:
    return BaseMapError([Problem(msgid, params)])


def _refuse(msgid: str, **params) -> ExtractRefused:
    return ExtractRefused([Problem(msgid, params)])


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise _fail(gettext_noop("Das Programm %(tool)s fehlt auf dem Server (Debian-Paket %(tool)s)."), tool=name)
    return path


def require_pbf(path: str | Path) -> Path:
    """``path`` if it is a non-empty file that starts like a .osm.pbf (a quick check before the
    whole file is read); BaseMapError otherwise."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise _refuse(gettext_noop("Die Datei ist leer."))
    with open(path, "rb") as fh:
        head = fh.read(4096)  # enough to see XML in a packed file
    # A PBF starts with the 4-byte length of its first BlobHeader, whose type is "OSMHeader".
    if head[4:15] != b"\n\tOSMHeader":
        raise ExtractRefused([not_pbf("", head)])
    return path


PACKED = {".gz": b"\x1f\x8b", ".bz2": b"BZh"}  # OSM XML as the download sites offer it: suffix, magic bytes


def _unpacked(head: bytes) -> tuple[str, bytes] | None:
    """(suffix, the first bytes unpacked) of a gzip or bzip2 file starting with ``head``; None otherwise."""
    import bz2
    import zlib

    for suffix, magic in PACKED.items():
        if head.startswith(magic):
            unpack = zlib.decompressobj(16 + zlib.MAX_WBITS) if suffix == ".gz" else bz2.BZ2Decompressor()
            try:
                return suffix, unpack.decompress(head)
            except (OSError, EOFError, zlib.error):
                return suffix, b""
    return None


def not_pbf(name: str, head: bytes = b"") -> Problem:
    """Why a file named ``name`` starting with ``head`` is refused; OSM XML, also packed (.osm.gz,
    .osm.bz2), gets the command that converts it."""
    lower, xml = name.lower(), (b"<?xml", b"<osm")
    packed = next((s for s in PACKED if lower.endswith(".osm" + s)), None)
    unpacked = _unpacked(head) if packed is None else None
    if unpacked is not None and unpacked[1].lstrip().startswith(xml):
        packed, name = unpacked[0], "datei.osm" + unpacked[0]
    if packed is not None:
        return Problem(gettext_noop("Die Datei ist ein gepackter OpenStreetMap-Extrakt im XML-Format (%(suffix)s); "
                                    "isek liest nur das Format .osm.pbf. Umwandeln z. B. mit: osmium cat %(name)s -o "
                                    "%(target)s"), {"suffix": ".osm" + packed, "name": name,
                                                    "target": name[:-len(packed)] + ".pbf"})
    if lower.endswith(".osm") or head.lstrip().startswith(xml):
        name = name if lower.endswith(".osm") else "datei.osm"
        return Problem(gettext_noop("Die Datei ist ein OpenStreetMap-Extrakt im XML-Format (.osm); isek liest nur "
                                    "das Format .osm.pbf. Umwandeln z. B. mit: osmium cat %(name)s -o %(target)s"),
                       {"name": name, "target": name + ".pbf"})
    return Problem(gettext_noop("Die Datei ist kein OpenStreetMap-Extrakt im Format .osm.pbf."))


def inspect(path: str | Path) -> ExtractInfo:
    """Header and extent of an OSM extract; BaseMapError when it is not a readable, non-empty .osm.pbf."""
    path = require_pbf(path)
    proc = subprocess.run([_tool("osmium"), "fileinfo", "--extended", "--json", "--no-progress", str(path)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        if _node_count(path) == 0:  # osmium's JSON cannot show the box of no nodes (an empty cut)
            raise EmptyExtract([Problem(gettext_noop("Der Extrakt enthält keine Daten."))])
        detail = (proc.stderr.strip().splitlines() or ["?"])[-1][:200]
        raise _refuse(gettext_noop("Der Extrakt ist beschädigt oder unvollständig (osmium: %(detail)s)."), detail=detail)
    info = json.loads(proc.stdout)
    data = info.get("data", {})
    count = data.get("count", {})
    nodes, ways = int(count.get("nodes", 0)), int(count.get("ways", 0))
    box = data.get("bbox")
    if not nodes or not box:
        raise EmptyExtract([Problem(gettext_noop("Der Extrakt enthält keine Daten."))])
    header = (info.get("header", {}).get("boxes") or [None])[0]
    return ExtractInfo(bbox=tuple(float(v) for v in box), nodes=nodes, ways=ways,
                       timestamp=osmtime.data_time_iso(info.get("header", {}).get("option") or {},
                                                       (data.get("timestamp") or {}).get("last")),
                       header=tuple(float(v) for v in header) if header else None)


def _node_count(path: Path) -> int | None:
    """The number of nodes as osmium's plain output tells it; None if it cannot read the file."""
    proc = subprocess.run([_tool("osmium"), "fileinfo", "--extended", "--get", "data.count.nodes", "--no-progress",
                           str(path)], capture_output=True, text=True, timeout=600)
    out = proc.stdout.strip()
    return int(out) if proc.returncode == 0 and out.isdigit() else None


def padded(bbox: Bbox, margin_m: float = MARGIN_M) -> Bbox:
    """``bbox`` grown by ``margin_m`` metres on each side."""
    lat = (bbox[1] + bbox[3]) / 2
    dlat = margin_m / 111_320
    dlon = margin_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return (bbox[0] - dlon, bbox[1] - dlat, bbox[2] + dlon, bbox[3] + dlat)


def overlaps(a: Bbox, b: Bbox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_coverage(path: str | Path, info: ExtractInfo, area: Bbox) -> None:
    """The one coverage check of an extract (upload, base map, analysis): ExtractRefused unless it
    has nodes inside the area's box. The box test first refuses far-away files without reading them."""
    if not overlaps(info.bbox, area) or not nodes_inside(path, area):
        raise no_data(info, area)


FULL_COVER = 0.95  # below this share of the area covered by the extract, isek warns


def extent(info: ExtractInfo) -> Bbox:
    """The extract's extent: the box its header claims (the cut it was made as), else its data's box."""
    return info.header or info.bbox


def clip(a: Bbox, b: Bbox) -> Bbox:
    """The part of box ``a`` inside box ``b`` (the extent of a cut of an extract ``a`` to ``b``)."""
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def covered_share(box: Bbox, area, srid: int) -> float:
    """The share (0–1) of the WGS84 shapely geometry ``area`` that the WGS84 box ``box`` covers,
    measured in metres in ``srid`` (the concept's working CRS); 1.0 for an empty area."""
    import shapely

    total = geo.area_m2(area, srid)
    if total <= 0:
        return 1.0
    inside = area.intersection(shapely.box(*box))
    return min(1.0, geo.area_m2(inside, srid) / total)


def no_data(info: ExtractInfo | None, area: Bbox) -> ExtractRefused:
    """The refusal of an extract without data in the area, with where its data lie: the header's
    box when it is away from the area (the data's box may span the area by way of a few long
    ways), else the data's box; ``None``: it holds no nodes at all."""
    if info is None:
        return _refuse(gettext_noop("Der Extrakt enthält keine Daten im Fördergebiet (%(area)s), überhaupt "
                                    "keine Knoten. Bitte einen Extrakt hochladen, der das Fördergebiet abdeckt."),
                       area=_fmt(area))
    where = info.header if info.header and not overlaps(info.header, area) else info.bbox
    return _refuse(gettext_noop("Der Extrakt enthält keine Daten im Fördergebiet (%(area)s); seine Daten liegen "
                                "bei %(extract)s. Bitte einen Extrakt hochladen, der das Fördergebiet abdeckt."),
                   extract=_fmt(where), area=_fmt(area))


def nodes_inside(path: str | Path, area: Bbox) -> int:
    """How many of the extract's nodes lie inside ``area``: ``osmium extract --strategy simple``
    (one pass in C++, about as fast as reading the file) writes just those as OPL lines, which
    are counted. Remembered per file version and area, since the analysis asks on every start."""
    path = Path(path).resolve()
    stat = path.stat()
    return _nodes_inside(str(path), stat.st_mtime_ns, stat.st_size, tuple(round(v, 7) for v in area))


@lru_cache(maxsize=64)
def _nodes_inside(path: str, _mtime: int, _size: int, area: Bbox) -> int:
    box = ",".join(f"{v:.7f}" for v in area)
    proc = subprocess.run([_tool("osmium"), "extract", "--bbox", box, "--strategy", "simple", "--no-progress",
                           "-f", "opl", "-o", "-", path], capture_output=True, timeout=3600)
    if proc.returncode != 0:
        detail = (proc.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1][:200]
        raise _refuse(gettext_noop("Der Extrakt ist beschädigt oder unvollständig (osmium: %(detail)s)."), detail=detail)
    return sum(1 for line in proc.stdout.splitlines() if line.startswith(b"n"))


def _fmt(b: Bbox) -> numbers.Coordinates:
    """A box in a message: its corners, in the notation of the language the message is shown in."""
    return numbers.Coordinates(((b[0], b[1]), (b[2], b[3])))


def cut(extract: str | Path, bbox: Bbox, out: str | Path, timestamp: str = "") -> Path:
    """The part of ``extract`` inside ``bbox`` (ways and multipolygons kept whole). Its header
    carries the source's data time ``timestamp`` (``ExtractInfo.timestamp``) where known, else
    the source header's: the cut's own newest object may be older than the source's."""
    out = Path(out)
    box = ",".join(f"{v:.6f}" for v in bbox)
    # A .osm.pbf header keeps the data time as osmosis_replication_timestamp (read back as timestamp too).
    stamps = ([f"--output-header=osmosis_replication_timestamp={timestamp}"] if timestamp else
              ["--output-header=timestamp!", "--output-header=osmosis_replication_timestamp!"])
    proc = subprocess.run([_tool("osmium"), "extract", "--bbox", box, "--strategy", "complete_ways", *stamps,
                           "--overwrite", "--no-progress", "-o", str(out), str(extract)],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["?"])[-1][:200]
        raise _fail(gettext_noop("Der Ausschnitt konnte nicht erzeugt werden (osmium: %(detail)s)."), detail=detail)
    return out


def tiles(extract: str | Path, bbox: Bbox, out: str | Path, progress: Callable[[int], None] | None = None) -> Path:
    """Vector tiles (zoom 10–14, gzip-compressed MVT) of ``extract`` inside ``bbox`` as MBTiles."""
    out = Path(out)
    out.unlink(missing_ok=True)
    box = ",".join(f"{v:.6f}" for v in bbox)
    cmd = [_tool("tilemaker"), "--input", str(extract), "--output", str(out), "--bbox", box,
           "--config", str(RULES / "config.json"), "--process", str(RULES / "process.lua")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=out.parent)
    tail = b""
    assert proc.stdout is not None
    for chunk in iter(lambda: proc.stdout.read(256), b""):
        tail = (tail + chunk)[-2000:]
        if progress is not None and b"Zoom level" in chunk:
            z = chunk.rsplit(b"Zoom level ", 1)[-1][:2].strip(b", ")
            if z.isdigit():
                progress(min(99, int(100 * (int(z) - MINZOOM + 1) / (MAXZOOM - MINZOOM + 2))))
    if proc.wait() != 0 or not out.is_file():
        detail = tail.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise _fail(gettext_noop("Die Kacheln konnten nicht erzeugt werden (tilemaker: %(detail)s)."), detail=detail[0][:200])
    return out


def complete(src: str | Path, out: str | Path) -> Path:
    """A referentially complete copy of ``src``: ways keep only the nodes the file has (and go
    when fewer than two remain), relations only the members the file has. Extracts made by other
    tools (or filtered) may lack them, and tilemaker stops on a missing node."""
    import osmium

    src, out = str(src), Path(out)
    nodes = {n.id for n in osmium.FileProcessor(src, osmium.osm.NODE)}
    ways = set()
    for w in osmium.FileProcessor(src, osmium.osm.WAY):
        if sum(1 for n in w.nodes if n.ref in nodes) >= 2:
            ways.add(w.id)
    relations = {r.id for r in osmium.FileProcessor(src, osmium.osm.RELATION)}
    present = {"n": nodes, "w": ways, "r": relations}
    with osmium.SimpleWriter(str(out), overwrite=True) as writer:
        for obj in osmium.FileProcessor(src):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                if obj.id in ways:
                    writer.add_way(obj.replace(nodes=[n.ref for n in obj.nodes if n.ref in nodes]))
            else:
                members = [(m.type, m.ref, m.role) for m in obj.members if m.ref in present.get(m.type, ())]
                if members:
                    writer.add_relation(obj.replace(members=members))
    return out


def renumber(src: str | Path, out: str | Path) -> Path:
    """The same data with dense ids from 1 (``osmium renumber``): tilemaker's memory then follows
    the size of the cut, not the size of the ids."""
    out = Path(out)
    proc = subprocess.run([_tool("osmium"), "renumber", "--overwrite", "--no-progress", "-o", str(out), str(src)],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["?"])[-1][:200]
        raise _fail(gettext_noop("Der Ausschnitt konnte nicht erzeugt werden (osmium: %(detail)s)."), detail=detail)
    return out


@dataclass(frozen=True)
class TileSet:
    path: Path
    bbox: Bbox
    minzoom: int
    maxzoom: int
    tiles: int
    layers: tuple[str, ...]


def describe(mbtiles: str | Path) -> TileSet:
    """What an MBTiles file holds (bounds, zoom range, number of tiles, layer names)."""
    with sqlite3.connect(f"file:{mbtiles}?mode=ro", uri=True) as db:
        meta = dict(db.execute("select name, value from metadata"))
        n = db.execute("select count(*) from tiles").fetchone()[0]
    bounds = tuple(float(v) for v in meta.get("bounds", "0,0,0,0").split(","))
    layers = tuple(layer["id"] for layer in json.loads(meta.get("json", "{}")).get("vector_layers", []))
    return TileSet(Path(mbtiles), bounds, int(meta.get("minzoom", MINZOOM)), int(meta.get("maxzoom", MAXZOOM)), n, layers)


def build(extract: str | Path, area: Bbox, workdir: str | Path, out: str | Path,
          progress: Callable[[int, str], None] | None = None, cut_to: str | Path | None = None) -> tuple[TileSet, ExtractInfo]:
    """Check ``extract``, cut ``area`` plus a margin out of it (into ``cut_to``, kept, or a file in
    ``workdir``) and make the tiles into ``out``."""
    say = progress or (lambda _p, _l: None)
    say(2, "check")
    info = inspect(extract)
    if not overlaps(info.bbox, area):
        raise no_data(info, area)
    box = padded(area)
    say(10, "cut")
    part = cut(extract, box, Path(cut_to) if cut_to else Path(workdir) / "cut.osm.pbf", info.timestamp)
    if not nodes_inside(part, area):  # the cut is small: this costs little
        part.unlink()  # no analysis may read it
        raise no_data(info, area)
    say(30, "complete")
    whole = renumber(complete(part, Path(workdir) / "complete.osm.pbf"), Path(workdir) / "renumbered.osm.pbf")
    say(40, "tiles")
    tiles(whole, box, out, progress=lambda p: say(40 + int(p * 0.55), "tiles"))
    say(98, "done")
    return describe(out), info


def _tile_range(bbox: Bbox, z: int) -> tuple[range, range]:
    """XYZ columns and rows of the tiles at zoom ``z`` that cover ``bbox`` (WGS84)."""
    n = 1 << z

    def col(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))

    def row(lat: float) -> int:
        r = math.radians(lat)
        return min(n - 1, max(0, int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)))

    return range(col(bbox[0]), col(bbox[2]) + 1), range(row(bbox[3]), row(bbox[1]) + 1)


def features(mbtiles: str | Path, bbox: Bbox, zoom: int | None = None) -> dict[str, list[tuple[object, dict]]]:
    """The base map's own features inside ``bbox`` (WGS84), for maps drawn outside the browser (the
    reports): {layer: [(shapely geometry in WGS84, properties)]}, decoded from the tiles at their
    highest zoom, each clipped to its tile so that nothing is drawn twice."""
    import gzip

    import mapbox_vector_tile
    import numpy as np
    import shapely

    z = zoom if zoom is not None else describe(mbtiles).maxzoom
    n = float(1 << z)
    cols, rows = _tile_range(bbox, z)
    out: dict[str, list[tuple[object, dict]]] = {}
    with sqlite3.connect(f"file:{mbtiles}?mode=ro", uri=True) as db:
        for x in cols:
            for y in rows:
                found = db.execute("select tile_data from tiles where zoom_level=? and tile_column=? and tile_row=?",
                                   (z, x, (1 << z) - 1 - y)).fetchone()
                if not found:
                    continue
                data = found[0]
                if data[:2] == b"\x1f\x8b":
                    data = gzip.decompress(data)
                for name, layer in mapbox_vector_tile.decode(data).items():
                    extent = float(layer.get("extent", 4096))

                    def to_lonlat(c, x=x, y=y, extent=extent):
                        u = (x + c[:, 0] / extent) / n
                        v = (y + 1.0 - c[:, 1] / extent) / n  # decoded with y upwards
                        return np.column_stack((u * 360.0 - 180.0, np.degrees(np.arctan(np.sinh(np.pi * (1.0 - 2.0 * v))))))

                    for f in layer["features"]:
                        g = shapely.geometry.shape(f["geometry"])
                        g = shapely.clip_by_rect(g, 0, 0, extent, extent) if g.geom_type != "Point" else g
                        if g.is_empty:
                            continue
                        out.setdefault(name, []).append((shapely.transform(g, to_lonlat), f.get("properties") or {}))
    return out
