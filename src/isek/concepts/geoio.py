"""Reading and checking geodata files (GeoJSON, GeoPackage, zipped Shapefile) in any CRS.

This module has no Django imports: it turns a file into checked WGS84 features or a list of
errors, one per problem and per feature. Storing is done by ``isek.concepts.importing``.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely import force_2d
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from isek.core import geo, jsontext
from isek.core.geo import plain_value
from isek.core.numbers import Coordinates
from isek.core.problems import InputError, Problem, gettext_noop, too_large

POLYGONAL = ("Polygon", "MultiPolygon")
ANY = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")
MAX_ZIP_MEMBERS = 50
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024


class GeoFileError(InputError):
    """The file cannot be used; ``problems`` lists every problem found, per feature."""


@dataclass
class Feature:
    geometry: BaseGeometry  # WGS84, 2D, valid, non-empty
    properties: dict
    index: int  # 1-based position in the file, for messages


@dataclass
class GeoFile:
    features: list[Feature]
    source_crs: str
    layer: str | None
    warnings: list[Problem] = field(default_factory=list)


def read(
    path: str | os.PathLike,
    *,
    allowed_types: tuple[str, ...] = ANY,
    crs: str | None = None,
    layer: str | None = None,
    prefer_layer: str | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    filename: str | None = None,
    unlocated: bool = False,
) -> GeoFile:
    """Read and check a geodata file; return WGS84 features or raise GeoFileError.

    ``crs`` is the CRS to assume when the file declares none (e.g. "EPSG:25832").
    ``filename`` is the user's name of the file (uploads are stored under a temporary name).
    ``prefer_layer`` is taken when no ``layer`` is given and the file has a layer of that name
    (isek's own GeoPackage export has one layer per kind). With ``unlocated`` an object without
    geometry is left out with a warning (a measure need not be located), else it is an error.
    """
    path = Path(path)
    name = filename or path.name
    suffix = Path(name).suffix.lower()
    if suffix in (".kml", ".kmz"):
        target = Path(name).stem + ".geojson"
        raise GeoFileError([Problem(gettext_noop("KML-Dateien (Google Earth, %(value)s) liest isek nicht. Bitte in GeoJSON "
                                                 "umwandeln, z. B. in QGIS (Layer exportieren → Objekte speichern als "
                                                 "GeoJSON) oder mit: ogr2ogr -f GeoJSON %(target)s %(name)s"),
                                    {"value": suffix, "target": target, "name": Path(name).name})])
    if suffix not in SUFFIXES:
        raise GeoFileError([Problem(gettext_noop("Unbekanntes Dateiformat „%(value)s“: erlaubt sind GeoJSON (.geojson, .json), GeoPackage (.gpkg) und Shapefile als .zip."), {"value": suffix or name})])
    size = path.stat().st_size
    if size > max_bytes:
        raise GeoFileError([too_large(size, max_bytes)])
    if size == 0:
        raise GeoFileError([Problem(gettext_noop("Die Datei ist leer."))])

    if suffix in (".geojson", ".json"):
        # GDAL reports EPSG:4326 for every GeoJSON; only a "crs" member (GeoJSON 2008) declares one.
        declares_crs = _check_json(path)
        return _read_ogr(path, allowed_types, crs, layer, prefer_layer, unlocated, default_crs="EPSG:4326",
                         trust_declared=declares_crs)
    if suffix == ".gpkg":
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise GeoFileError([Problem(gettext_noop("Die Datei ist kein GeoPackage (keine SQLite-Datenbank)."))])
        return _read_ogr(path, allowed_types, crs, layer, prefer_layer, unlocated)
    with tempfile.TemporaryDirectory(prefix="isek-zip-") as tmp:
        shp = _unzip_shapefile(path, Path(tmp), crs)
        return _read_ogr(shp, allowed_types, crs, layer, prefer_layer, unlocated)


def _check_json(path: Path) -> bool:
    """Check that the file is GeoJSON; return whether it declares a CRS (a "crs" member)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GeoFileError([Problem(gettext_noop("Die Datei ist kein GeoJSON: sie ist kein UTF-8-Text."))]) from None
    try:
        data = jsontext.loads(text)
    except jsontext.TooDeep:
        raise GeoFileError([Problem(gettext_noop("Die Datei ist zu tief verschachtelt, um GeoJSON zu sein (GeoJSON braucht nur wenige Ebenen)."))]) from None
    except json.JSONDecodeError as exc:
        raise GeoFileError([Problem(gettext_noop("Die Datei ist kein GeoJSON (kein gültiges JSON ab Zeile %(lineno)s, Spalte %(colno)s)."), {"lineno": exc.lineno, "colno": exc.colno})]) from None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature") and data.get("type") not in ANY:
        raise GeoFileError([Problem(gettext_noop("Die Datei ist JSON, aber kein GeoJSON (es fehlt \"type\": \"FeatureCollection\" oder \"Feature\")."))])
    return "crs" in data


def _unzip_shapefile(path: Path, dest: Path, crs: str | None) -> Path:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise GeoFileError([Problem(gettext_noop("Die Datei ist kein gültiges ZIP-Archiv."))]) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise GeoFileError([Problem(gettext_noop("Das ZIP-Archiv enthält %(value)s Dateien; erlaubt sind höchstens %(MAX_ZIP_MEMBERS)s."), {"value": len(infos), "MAX_ZIP_MEMBERS": MAX_ZIP_MEMBERS})])
        bad = [i.filename for i in infos if _unsafe_member(i.filename)]
        if bad:
            raise GeoFileError([Problem(gettext_noop("Unzulässiger Dateiname im ZIP-Archiv (Pfad außerhalb des Archivs): %(value)s"), {"value": ', '.join(bad)})])
        total = sum(i.file_size for i in infos)
        if total > MAX_UNZIPPED_BYTES:
            raise GeoFileError([Problem(gettext_noop("Das ZIP-Archiv entpackt sich auf %(total)s MB; erlaubt sind %(MAX_UNZIPPED_BYTES)s MB."), {"total": f"{total / 1e6:.0f}", "MAX_UNZIPPED_BYTES": f"{MAX_UNZIPPED_BYTES / 1e6:.0f}"})])
        shps = [i for i in infos if i.filename.lower().endswith(".shp") and not i.is_dir()]
        if not shps:
            raise GeoFileError([Problem(gettext_noop("Das ZIP-Archiv enthält keine Shapefile-Datei (.shp)."))])
        if len(shps) > 1:
            raise GeoFileError([Problem(gettext_noop("Das ZIP-Archiv enthält %(value)s Shapefiles; bitte genau eines pro Datei hochladen."), {"value": len(shps)})])
        stem = shps[0].filename[:-4]
        names = {i.filename.lower() for i in infos}
        missing = [ext for ext in (".shx", ".dbf") if (stem + ext).lower() not in names]
        if missing:
            raise GeoFileError([Problem(gettext_noop("Zum Shapefile fehlen die Teile %(value)s."), {"value": ', '.join(missing)})])
        if (stem + ".prj").lower() not in names and not crs:
            raise GeoFileError([Problem(gettext_noop("Das Shapefile hat keine .prj-Datei, also kein Koordinatenreferenzsystem. Bitte die .prj beilegen oder das KBS angeben (z. B. EPSG:25832)."))])
        for info in infos:
            if info.is_dir():
                continue
            # Members are written flat under dest with a name we control.
            target = dest / PurePosixPath(info.filename).name
            with zf.open(info) as src, open(target, "wb") as out:
                out.write(src.read(MAX_UNZIPPED_BYTES + 1))
        return dest / PurePosixPath(shps[0].filename).name


def _unsafe_member(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return name.startswith(("/", "\\")) or ".." in p.parts or (len(name) > 1 and name[1] == ":")


def _read_ogr(path: Path, allowed_types, crs, layer, prefer_layer, unlocated=False, default_crs=None,
              trust_declared=True) -> GeoFile:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise GeoFileError([Problem(gettext_noop("Die Datei lässt sich nicht als Geodaten lesen: %(value)s"), {"value": _short(exc)})]) from None
    if not layers:
        raise GeoFileError([Problem(gettext_noop("Die Datei enthält keine Ebene (Layer)."))])
    if layer is None:
        layer = prefer_layer if prefer_layer in layers else layers[0]
    elif layer not in layers:
        raise GeoFileError([Problem(gettext_noop("Die Ebene „%(layer)s“ fehlt; vorhanden: %(value)s."), {"layer": layer, "value": ', '.join(layers)})])
    try:
        meta, _fids, wkb, field_data = pyogrio.raw.read(path, layer=layer)
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise GeoFileError([Problem(gettext_noop("Die Datei lässt sich nicht als Geodaten lesen: %(value)s"), {"value": _short(exc)})]) from None

    declared = meta.get("crs") if trust_declared else None
    assumed = False
    warnings: list[Problem] = []
    if declared:
        source_crs = declared
        if crs:
            try:
                if CRS.from_user_input(crs) != CRS.from_user_input(declared):
                    raise GeoFileError([Problem(gettext_noop("Die Datei erklärt das KBS %(declared)s, angegeben wurde %(crs)s. Bitte klären, welches gilt."), {"declared": declared, "crs": crs})])
            except CRSError:
                raise GeoFileError([Problem(gettext_noop("Unbekanntes Koordinatenreferenzsystem „%(crs)s“."), {"crs": crs})]) from None
    elif crs:
        source_crs = crs
    elif default_crs:
        source_crs, assumed = default_crs, True
    else:
        raise GeoFileError([Problem(gettext_noop("Die Datei hat kein Koordinatenreferenzsystem (KBS). Bitte das KBS angeben (z. B. EPSG:25832)."))])
    try:
        CRS.from_user_input(source_crs)
    except CRSError:
        raise GeoFileError([Problem(gettext_noop("Unbekanntes Koordinatenreferenzsystem „%(source_crs)s“."), {"source_crs": source_crs})]) from None

    if wkb is None or len(wkb) == 0:
        raise GeoFileError([Problem(gettext_noop("Die Datei enthält keine Objekte mit Geometrie."))])
    names = list(meta["fields"])
    errors: list[Problem] = []
    features: list[Feature] = []
    dropped_z = 0
    not_degrees: list[BaseGeometry] = []
    for i, blob in enumerate(wkb):
        n = i + 1
        if blob is None and unlocated:
            warnings.append(Problem(gettext_noop("Objekt %(n)s: keine Geometrie, übergangen."), {"n": n}, row=n))
            continue
        if blob is None:
            errors.append(Problem(gettext_noop("Objekt %(n)s: keine Geometrie."), {"n": n}, row=n))
            continue
        try:
            g = shapely.from_wkb(blob)
        except shapely.errors.GEOSException as exc:
            errors.append(Problem(gettext_noop("Objekt %(n)s: Geometrie nicht lesbar (%(exc)s)."), {"n": n, "exc": exc}, row=n))
            continue
        if g.is_empty:
            errors.append(Problem(gettext_noop("Objekt %(n)s: die Geometrie ist leer."), {"n": n}, row=n))
            continue
        if g.has_z:
            dropped_z += 1
            g = force_2d(g)
        if g.geom_type not in allowed_types:
            errors.append(Problem(gettext_noop("Objekt %(n)s: Geometrietyp %(geom_type)s passt nicht; erwartet: %(value)s."), {"n": n, "geom_type": g.geom_type, "value": ', '.join(allowed_types)}, row=n))
            continue
        if not g.is_valid:
            errors.append(_invalid(n, explain_validity(g)))
            continue
        if assumed and not geo.lon_lat(g):
            not_degrees.append(g)
            continue
        g = geo.transform(g, source_crs, "EPSG:4326")
        if not geo.inside_germany(g):
            errors.append(_outside_germany(n, g, source_crs, assumed=assumed, given=bool(crs and not declared)))
            continue
        props = {name: plain_value(field_data[j][i]) for j, name in enumerate(names)}
        features.append(Feature(geometry=g, properties=props, index=n))
    if not_degrees:
        errors.insert(0, _not_degrees(not_degrees, len(wkb)))
    if errors:
        raise GeoFileError(errors)
    if dropped_z:
        warnings.append(Problem(gettext_noop("%(dropped_z)s Objekt(e) hatten Höhenwerte (Z); diese wurden verworfen, isek speichert 2D."), {"dropped_z": dropped_z}))
    return GeoFile(features=features, source_crs=str(source_crs), layer=layer, warnings=warnings)


def _outside_germany(n: int, g: BaseGeometry, source_crs, *, assumed: bool, given: bool) -> Problem:
    at = g.centroid
    params = {"n": n, "at": Coordinates(((at.x, at.y),), places=2), "source_crs": source_crs}
    if CRS.from_user_input(source_crs).is_geographic and geo.inside_germany(shapely.transform(g, lambda xy: xy[:, ::-1])):
        return Problem(gettext_noop("Objekt %(n)s: liegt außerhalb Deutschlands (Koordinaten um %(at)s). Breite und Länge "
                                    "vertauscht? Vertauscht läge es in Deutschland; GeoJSON nennt erst die Länge (Ost), "
                                    "dann die Breite (Nord)."), params, row=n)
    if assumed:
        return Problem(gettext_noop("Objekt %(n)s: liegt außerhalb Deutschlands (Koordinaten um %(at)s). Stimmt das Koordinatenreferenzsystem? Da die Datei keins angibt, gilt WGS84 (EPSG:4326, Längen und Breiten); sonst bitte das KBS angeben."), params, row=n)
    if given:
        return Problem(gettext_noop("Objekt %(n)s: liegt außerhalb Deutschlands (Koordinaten um %(at)s). Stimmt das Koordinatenreferenzsystem? Angegeben wurde %(source_crs)s."), params, row=n)
    return Problem(gettext_noop("Objekt %(n)s: liegt außerhalb Deutschlands (Koordinaten um %(at)s). Stimmt das Koordinatenreferenzsystem? Die Datei erklärt %(source_crs)s."), params, row=n)


def _not_degrees(geoms: list[BaseGeometry], total: int) -> Problem:
    """One problem for a file without CRS whose coordinates are no longitudes and latitudes."""
    c = shapely.union_all(geoms).centroid
    params = {"count": len(geoms), "total": total, "x": f"{c.x:.0f}", "y": f"{c.y:.0f}"}
    if geo.looks_like_utm(c.x, c.y):
        return Problem(gettext_noop("Die Datei gibt kein Koordinatenreferenzsystem (KBS) an, also gilt für GeoJSON WGS84 (Längen und Breiten). Die Koordinaten von %(count)s von %(total)s Objekten (um %(x)s, %(y)s) sind aber keine Längen und Breiten: sie sehen aus wie UTM-Koordinaten (EPSG:25832 oder 25833?). Bitte das Koordinatenreferenzsystem angeben."), params)
    return Problem(gettext_noop("Die Datei gibt kein Koordinatenreferenzsystem (KBS) an, also gilt für GeoJSON WGS84 (Längen und Breiten). Die Koordinaten von %(count)s von %(total)s Objekten (um %(x)s, %(y)s) sind aber keine Längen und Breiten. Bitte das Koordinatenreferenzsystem angeben (z. B. EPSG:25832)."), params)


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text[:200]


def _invalid(n: int, reason: str) -> Problem:
    params = {"n": n, "reason": reason}
    if reason.startswith("Self-intersection"):
        return Problem(gettext_noop("Objekt %(n)s: ungültige Geometrie (die Fläche schneidet sich selbst, %(reason)s)."), params, row=n)
    if reason.startswith("Ring Self-intersection"):
        return Problem(gettext_noop("Objekt %(n)s: ungültige Geometrie (ein Ring berührt sich selbst, %(reason)s)."), params, row=n)
    return Problem(gettext_noop("Objekt %(n)s: ungültige Geometrie (%(reason)s)."), params, row=n)
