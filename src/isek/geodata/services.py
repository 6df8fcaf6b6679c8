"""Reference layers per city: the application layer that maps, the analysis, the reports, the
demo loader and the coming API use. Nothing outside this app reads layer files directly.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import City, Concept, GeoFileError, read_geofile
from isek.core import geo, uploads
from isek.core import jobs as background
from isek.core.audit import change
from isek.core.files import extract_dir, find_data_file, sha256_of, upload_on_disk
from isek.core.models import Upload
from isek.core.problems import InputError, Problem, gettext_noop, too_large

from . import basemaps, reading
from .basemaps import BaseMapError, ExtractRefused  # noqa: F401  (what the base-map services raise)
from .models import BaseMap, Extract, ReferenceLayer
from .signals import extract_cut  # noqa: F401  (other apps listen to it)

Bbox = tuple[float, float, float, float]


class LayerUploadError(InputError):
    """An upload that cannot become a layer (messages already in the user's language)."""


def store_dir() -> Path:
    """Where uploaded layers are kept (as GeoJSON): $ISEK_VAR_DIR/layers."""
    return Path(settings.VAR_DIR) / "layers"


def file_of(layer: ReferenceLayer) -> Path | None:
    """The layer's file, or None when it is missing (a data file not fetched yet)."""
    if layer.storage == ReferenceLayer.Storage.UPLOAD:
        p = store_dir() / layer.path
        return p if p.exists() else None
    return find_data_file(layer.path)


@dataclass
class LayerStatus:
    layer: ReferenceLayer
    path: Path | None

    @property
    def available(self) -> bool:
        return self.path is not None


def layers_of(city: City) -> list[LayerStatus]:
    return [LayerStatus(layer, file_of(layer)) for layer in city.reference_layers.all()]


def all_layers() -> list[LayerStatus]:
    return [LayerStatus(layer, file_of(layer)) for layer in ReferenceLayer.objects.select_related("city")]


def map_layers(concept: Concept) -> tuple[list[ReferenceLayer], list[ReferenceLayer]]:
    """(available, missing) layers of the concept's city, for its maps."""
    available, missing = [], []
    for st in layers_of(concept.city):
        (available if st.available else missing).append(st.layer)
    return available, missing


def map_config(concept: Concept, layers: list[ReferenceLayer]) -> list[dict]:
    """What the browser map needs of each layer: name, label, kind, colour, base or overlay, URL."""
    from django.urls import reverse

    return [{"name": layer.name, "label": layer.label, "kind": layer.kind, "colour": layer.colour,
             "basemap": layer.basemap,
             "url": reverse("geodata:layer-geojson", args=[concept.slug, layer.name])} for layer in layers]


def map_context(concept: Concept) -> dict:
    """Template context of a concept map: the layers shown, the ones missing, their map config,
    and the base map's style URL and attribution: the city's own once built, else the external
    style an administrator configured (ISEK_BASEMAP_STYLE_URL), else none."""
    from django.urls import reverse

    available, missing = map_layers(concept)
    bm = base_map_of(concept.city)
    if bm is not None and basemap_file(bm) is not None:
        style, attribution = reverse("geodata:basemap-style", args=[concept.slug]), bm.attribution
    else:  # an administrator may name an external vector style (e.g. basemap.de); none by default
        style, attribution = settings.ISEK_BASEMAP_STYLE_URL, settings.ISEK_BASEMAP_ATTRIBUTION
    return {"context_layers": available, "missing_layers": missing,
            "map_layers_json": json.dumps(map_config(concept, available), ensure_ascii=False),
            "basemap_style_url": style, "basemap_attribution": attribution}


def attributions(concept: Concept, base_only: bool = False) -> list[str]:
    """"Label: attribution" of each available layer of the concept's city (German, for reports)."""
    return [f"{layer.label_de}: {layer.attribution}" for layer in map_layers(concept)[0]
            if layer.basemap or not base_only]


def concept_bbox(concept: Concept, pad: float = 0.03) -> Bbox | None:
    if concept.area is None:
        return None
    x0, y0, x1, y1 = concept.area.extent
    return (round(x0 - pad, 3), round(y0 - pad / 1.6, 3), round(x1 + pad, 3), round(y1 + pad / 1.6, 3))


def layer_geojson(layer: ReferenceLayer, bbox: Bbox | None = None) -> bytes | None:
    """The layer as RFC 7946 GeoJSON bytes (WGS84), clipped to ``bbox`` if given; None if its file is missing."""
    path = file_of(layer)
    if path is None:
        return None
    return _geojson(str(path), path.stat().st_mtime, layer.name, layer.name_field, layer.attribution, layer.licence, bbox)


@lru_cache(maxsize=64)
def _geojson(path: str, _mtime: float, name: str, name_field: str, attribution: str, licence: str, bbox) -> bytes:
    return reading.feature_collection(reading.features(Path(path), name, name_field, bbox),
                                      name=name, attribution=attribution, licence=licence)


def concept_layer_geojson(user, concept: Concept, layer: ReferenceLayer) -> bytes | None:
    """A layer of the concept's city for its map: base layers whole, others clipped around the
    area; None if its file is missing."""
    access.require(user, "reference_layer", "view", concept)
    if layer.city_id != concept.city_id:
        raise ReferenceLayer.DoesNotExist
    return layer_geojson(layer, None if layer.basemap else concept_bbox(concept))


def _layer_file(user, concept: Concept, layer: ReferenceLayer) -> Path | None:
    access.require(user, "reference_layer", "view", concept)
    if layer.city_id != concept.city_id:
        raise ReferenceLayer.DoesNotExist
    return file_of(layer)


def layer_features(user, concept: Concept, layer: ReferenceLayer) -> list[dict] | None:
    """All features of a layer of the concept's city as GeoJSON dicts (WGS84), in the file's
    order, for the OGC API; None if its file is missing. Read once per file version."""
    path = _layer_file(user, concept, layer)
    return None if path is None else _features(str(path), path.stat().st_mtime, layer.name, layer.name_field)


def layer_bounds(user, concept: Concept, layer: ReferenceLayer) -> list[float] | None:
    """[min lon, min lat, max lon, max lat] of the layer's features (None: missing or empty),
    computed once per file version."""
    path = _layer_file(user, concept, layer)
    return None if path is None else _bounds(str(path), path.stat().st_mtime, layer.name, layer.name_field)


@lru_cache(maxsize=16)
def _features(path: str, _mtime: float, name: str, name_field: str) -> list[dict]:
    return reading.features(Path(path), name, name_field)


@lru_cache(maxsize=64)
def _bounds(path: str, mtime: float, name: str, name_field: str) -> list[float] | None:
    import shapely.geometry

    features = _features(path, mtime, name, name_field)
    if not features:
        return None
    return list(shapely.GeometryCollection([shapely.geometry.shape(f["geometry"]) for f in features]).bounds)


# How the report maps (matplotlib, beneath the area and the measures) draw the city's base map:
# (tile layer, kind or None for all, style), in drawing order; muted, so the plan stays in front.
REPORT_BASE_STYLE = (
    ("green", None, {"facecolor": "#d8e9c8"}),
    ("water", None, {"facecolor": "#b5d3f0"}),
    ("waterway", None, {"edgecolor": "#9cc3ea", "linewidth": 0.8}),
    ("building", None, {"facecolor": "#ddd5cd"}),
    ("rail", None, {"edgecolor": "#8c8c8c", "linewidth": 0.7}),
    ("road", "path", {"edgecolor": "#c9c9c9", "linewidth": 0.35}),
    ("road", "service", {"edgecolor": "#bdbdbd", "linewidth": 0.45}),
    ("road", "minor", {"edgecolor": "#a8a8a8", "linewidth": 0.8}),
    ("road", "medium", {"edgecolor": "#969696", "linewidth": 1.2}),
    ("road", "major", {"edgecolor": "#828282", "linewidth": 1.6}),
)


def base_geometries(concept: Concept) -> list[tuple[dict, list]]:
    """[(matplotlib style, WGS84 shapely geometries)] to draw beneath a report map of the concept:
    the city's own base map (decoded from its tiles) once built, then the outlines of the city's
    base reference layers."""
    import shapely

    out = []
    bbox = concept_bbox(concept)
    if bbox is None:
        return out
    bm = base_map_of(concept.city)
    mbtiles = basemap_file(bm) if bm is not None and bm.ready else None
    if mbtiles is not None:
        found = basemaps.features(mbtiles, bbox)
        for layer, kind, style in REPORT_BASE_STYLE:
            geoms = [g for g, props in found.get(layer, ()) if kind is None or props.get("kind") == kind]
            if geoms:
                out.append((style, geoms))
    for layer in map_layers(concept)[0]:
        if not layer.basemap:
            continue
        data = layer_geojson(layer, bbox)
        geoms = [shapely.geometry.shape(f["geometry"]).boundary if f["geometry"]["type"].endswith("Polygon")
                 else shapely.geometry.shape(f["geometry"]) for f in json.loads(data)["features"] if f.get("geometry")]
        out.append(({"edgecolor": layer.colour, "linewidth": 0.7}, geoms))
    return out


def report_attributions(concept: Concept) -> list[str]:
    """"Label: attribution" of what a report map of the concept draws beneath the plan (German)."""
    bm = base_map_of(concept.city)
    own = ["Grundkarte: " + bm.attribution] if bm is not None and bm.ready and basemap_file(bm) is not None else []
    return own + attributions(concept, base_only=True)


def analysis_inputs(city: City) -> dict[str, tuple[Path, str]]:
    """{analysis input (stops, schools, …): (file, attribution)} of the city's available layers."""
    out = {}
    for st in layers_of(city):
        if st.available and st.layer.analysis_input:
            out[st.layer.analysis_input] = (st.path, st.layer.attribution)
    return out


@transaction.atomic
def register_data_layer(user, city: City, name: str, *, path: str, sha256: str = "", **fields) -> ReferenceLayer:
    """Register (or update) a layer whose file lives in a data directory, e.g. from the data manifest
    (an operator's action: the file is on the server already)."""
    access.require_site(user, "city", "edit")
    with change(user, "web"):
        layer, _created = ReferenceLayer.objects.update_or_create(
            city=city, name=name, defaults={"storage": ReferenceLayer.Storage.DATA, "path": path, "sha256": sha256, **fields})
    return layer


def upload_layer(user, concept: Concept, upload, *, name: str, label_de: str, label_en: str, licence: str,
                 attribution: str, colour: str = "#555555", basemap: bool = False, analysis_input: str = "",
                 name_field: str = "", crs: str | None = None) -> ReferenceLayer:
    """Check an uploaded geodata file (anything with ``name``, ``size`` and ``chunks()``, e.g.
    Django's UploadedFile; the checks of the geometry import), store it as GeoJSON in the layer
    store and register it for the concept's city. Raises LayerUploadError; stores nothing then."""
    access.require(user, "reference_layer", "upload", concept)
    city = concept.city
    if city.reference_layers.filter(name=name).exists():
        raise LayerUploadError([_("Die Stadt hat schon eine Ebene mit dem Kurznamen „%(n)s“.") % {"n": name}])
    limit = settings.ISEK_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise LayerUploadError([too_large(upload.size, limit).render(_)])
    try:
        with upload_on_disk(upload) as path:
            gf = read_geofile(path, crs=crs, filename=upload.name, max_bytes=limit)
    except GeoFileError as exc:
        raise LayerUploadError(exc.messages(_)) from None
    kind = reading.kind_of({f.geometry.geom_type for f in gf.features})
    if kind is None:
        raise LayerUploadError([_("Eine Ebene enthält nur Punkte, nur Linien oder nur Flächen; diese Datei mischt sie.")])
    import shapely

    features = [{"type": "Feature", "properties": {k: v for k, v in f.properties.items() if _jsonable(v)},
                 "geometry": json.loads(shapely.to_geojson(f.geometry))} for f in gf.features]
    rel = f"{city.ags}/{name}.geojson"
    target = store_dir() / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(reading.feature_collection(features, name=name))
    try:
        with change(user, "upload"):
            layer = ReferenceLayer.objects.create(
                city=city, name=name, label_de=label_de, label_en=label_en, kind=kind, colour=colour, basemap=basemap,
                analysis_input=analysis_input, name_field=name_field, licence=licence, attribution=attribution,
                storage=ReferenceLayer.Storage.UPLOAD, path=rel, sha256=sha256_of(Path(tmp)),
                size_bytes=Path(tmp).stat().st_size, feature_count=len(features),
                created_by=user if user is not None and user.is_authenticated else None)
            os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return layer


def delete_layer(user, concept: Concept, layer: ReferenceLayer) -> None:
    access.require(user, "reference_layer", "delete", concept)
    if layer.city_id != concept.city_id:
        raise ReferenceLayer.DoesNotExist
    path = file_of(layer) if layer.storage == ReferenceLayer.Storage.UPLOAD else None
    with change(user, "web"):
        layer.delete()
    if path is not None:
        path.unlink(missing_ok=True)


def _jsonable(value) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


# --- base maps ---------------------------------------------------------------------------------


def base_map_of(city: City) -> BaseMap | None:
    """The city's base map record (also while it is being built), or None."""
    return BaseMap.objects.filter(city=city).first()


def cut_extract_of(concept: Concept) -> Path | None:
    """The city's extract cut to the concept's area by the last base-map build, if there is one."""
    from .jobs import cut_path

    path = cut_path(concept.city.ags, concept.slug)
    return path if path.is_file() else None


def basemap_job(concept: Concept) -> BaseMap | None:
    """The city's base map as its page and status poll show it: a build whose worker died is
    failed first."""
    return background.current(base_map_of(concept.city))


def cancel_basemap(user, concept: Concept) -> str:
    """Cancel the city's queued or running base-map build; the message for the person who asked."""
    access.require(user, "basemap", "build", concept)
    bm = base_map_of(concept.city)
    if bm is None:
        raise basemaps.BaseMapError([Problem(gettext_noop("Es gibt keinen Auftrag für eine Grundkarte."))])
    return background.cancel_job(bm)


def retry_basemap(user, concept: Concept) -> None:
    """Build the city's base map again from the same extract, after a failed or cancelled build."""
    from . import jobs

    access.require(user, "basemap", "build", concept)
    bm = base_map_of(concept.city)
    if bm is None:
        raise basemaps.BaseMapError([Problem(gettext_noop("Es gibt keinen Auftrag für eine Grundkarte."))])
    if bm.refused:
        raise basemaps.BaseMapError([Problem(gettext_noop(
            "Mit demselben Extrakt schlägt die Grundkarte wieder fehl; bitte einen passenden Extrakt hochladen."))])
    who = None if user.pk is None else user.pk
    target = bm.concept_id or concept.pk
    background.retry_job(bm, lambda: jobs.build_basemap.enqueue(bm.pk, target, bm.analyse, who))


def basemap_file(bm: BaseMap) -> Path | None:
    """The base map's MBTiles file, if it is there."""
    if not bm.path:
        return None
    from .jobs import basemap_store

    path = basemap_store() / bm.path
    return path if path.is_file() else None


def start_basemap(user, concept: Concept, extract: str | os.PathLike, *, extract_name: str = "",
                  analyse: bool = False, now: bool = False, info: basemaps.ExtractInfo | None = None) -> BaseMap:
    """Build the base map of the concept's city from an OSM extract (cut to the area plus a margin),
    as a background job or, with ``now``, before returning; the previous base map stays in use
    until the new one is done. The extract is checked before anything is queued (a .osm.pbf,
    readable, with data, near the funding area; ``info`` if the caller inspected it already):
    BaseMapError with the reason. The extract then belongs to the city (its concepts' analyses
    may read it). With ``analyse``, the inventory analysis of the concept then runs on the cut."""
    access.require(user, "basemap", "build", concept)
    if concept.area is None:
        raise basemaps.BaseMapError([Problem(gettext_noop("Das Konzept hat noch kein Fördergebiet."))])
    path = basemaps.require_pbf(extract)
    if info is None:  # else the caller checked it
        info = basemaps.inspect(path)
        check_coverage(concept, path, info)
    with change(user, "web"):
        _register(user, concept.city, path, extract_name or path.name, info)
        bm = base_map_of(concept.city) or BaseMap(city=concept.city)
        bm.status, bm.progress, bm.message = BaseMap.Status.QUEUED, 0, ""
        bm.extract, bm.extract_name = str(path.resolve()), extract_name or path.name
        bm.created_by = None if user.pk is None else user
        bm.finished_at, bm.worker, bm.heartbeat_at, bm.cancel_requested = None, "", None, False
        bm.concept, bm.analyse, bm.refused = concept, analyse, False
        bm.save()
    from . import jobs

    if now:
        jobs.execute(bm.pk, concept.pk, analyse=analyse, user=user)
        bm.refresh_from_db()
        if bm.status == BaseMap.Status.FAILED:
            raise basemaps.BaseMapError([Problem(bm.message)])
        return bm
    who = None if user.pk is None else user.pk
    transaction.on_commit(lambda: jobs.build_basemap.enqueue(bm.pk, concept.pk, analyse, who))
    return bm


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


def extract_upload_scope(concept: Concept) -> str:
    """The scope of resumable uploads of extracts for the concept's base map (core.uploads)."""
    return f"basemap:{concept.pk}"


def resumable_extract(user, concept: Concept, upload_id: str) -> Upload:
    """The user's finished resumable upload of an extract for the concept; BaseMapError if there is none."""
    access.require(user, "basemap", "build", concept)
    try:
        return uploads.finished(user, extract_upload_scope(concept), upload_id)
    except InputError as exc:
        raise basemaps.BaseMapError(exc.problems) from exc


def upload_extract(user, concept: Concept, upload) -> BaseMap:
    """Store an uploaded .osm.pbf of the concept's city (size checked before reading it) and queue
    the base map and, once it is cut to the area, the inventory analysis from it. ``upload`` is a
    file of a form or a finished resumable upload (moved, not copied); a refused one is removed."""
    access.require(user, "basemap", "build", concept)
    resumable = isinstance(upload, Upload)
    size, name = (upload.length, upload.filename) if resumable else (upload.size, Path(upload.name).name)
    limit = settings.ISEK_EXTRACT_MAX_BYTES
    problem = None
    if size > limit:
        problem = too_large(size, limit)
    elif not name.endswith(".osm.pbf") and not name.endswith(".pbf"):
        problem = basemaps.not_pbf(name)
    if problem is not None:
        if resumable:
            uploads.discard(upload)
        raise basemaps.BaseMapError([problem])
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120]
    target = extract_dir(concept.city.ags) / stem
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part.osm.pbf")  # osmium reads the format from the name
    try:
        if resumable:
            os.close(fd)
            uploads.claim(upload, tmp)
        else:
            with os.fdopen(fd, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        info = basemaps.inspect(tmp)  # before anything is queued: a refused extract is not kept
        check_coverage(concept, tmp, info)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return start_basemap(user, concept, target, extract_name=name, analyse=True, info=info)


# --- the city's extracts ---------------------------------------------------------------------------


def check_coverage(concept: Concept, path: str | os.PathLike, info: basemaps.ExtractInfo) -> None:
    """ExtractRefused when the extract has no nodes inside the box of the concept's funding area
    (or, without one, of its quarters): the check of the upload, the base map and the analysis."""
    extent = _extent(concept)
    if extent is not None:
        basemaps.check_coverage(path, info, extent)


def check_extract(concept: Concept, path: str | os.PathLike) -> None:
    """The coverage check of an extract about to be analysed (it may have changed, or be a cut
    that came out empty): ExtractRefused with the reason."""
    extent = _extent(concept)
    try:
        info = basemaps.inspect(path)
    except basemaps.EmptyExtract:
        if extent is None:
            raise
        raise basemaps.no_data(None, extent) from None
    check_coverage(concept, path, info)


def covered_percent(concept: Concept, path: str | os.PathLike) -> int | None:
    """The share of the concept's funding area (in %) that the city's extract at ``path`` covers
    (its extent: header box, else data box), when below ``basemaps.FULL_COVER``; else None."""
    ext = Extract.objects.filter(city_id=concept.city_id, path=str(Path(path).resolve())).first()
    if concept.area is None or ext is None or len(ext.bbox or []) != 4:
        return None
    share = basemaps.covered_share(tuple(ext.bbox), geo.from_django(concept.area), concept.working_srid)
    return min(round(share * 100), 94) if share < basemaps.FULL_COVER else None


def _extent(concept: Concept) -> Bbox | None:
    if concept.area is not None:
        return tuple(concept.area.extent)
    boxes = [q.geometry.extent for q in concept.quarters.all()]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _register(user, city: City, path: Path, name: str, info: basemaps.ExtractInfo) -> Extract:
    ext, _created = Extract.objects.update_or_create(city=city, path=str(Path(path).resolve()), defaults={
        "concept": None, "name": name[:200], "bbox": list(basemaps.extent(info)), "data_date": info.timestamp,
        "created_by": None if user.pk is None else user})
    return ext


def add_extract(user, concept: Concept, path: str | os.PathLike, *, name: str = "") -> Extract:
    """Give the concept's city an extract on the server (e.g. from a data directory) for its
    analyses, checked like an upload (a readable .osm.pbf near the concept's area)."""
    access.require(user, "basemap", "build", concept)
    path = basemaps.require_pbf(path)
    info = basemaps.inspect(path)
    check_coverage(concept, path, info)
    with change(user, "web"):
        return _register(user, concept.city, path, name or path.name, info)


def extracts_for(user, concept: Concept) -> list[Extract]:
    """The extracts the concept's analysis may read: its city's and its own cut, newest first, if
    their files are there. Only for those who may run the concept's analysis."""
    access.require(user, "analysis", "run", concept)
    found = Extract.objects.filter(city=concept.city).filter(models.Q(concept=None) | models.Q(concept=concept))
    return [e for e in found if Path(e.path).is_file()]


def usable_extract(user, concept: Concept, path: str) -> Extract:
    """The extract at ``path`` if the concept's analysis may read it and it lies at the concept's
    area; BaseMapError (ExtractRefused) with the reason otherwise."""
    wanted = str(Path(path).resolve()) if path else ""
    ext = next((e for e in extracts_for(user, concept) if e.path == wanted), None)
    if ext is None:
        raise basemaps.ExtractRefused([Problem(gettext_noop("Dieser Extrakt gehört nicht zu dieser Stadt."))])
    if not ext.bbox:  # not inspected yet
        info = basemaps.inspect(ext.path)
        Extract.objects.filter(pk=ext.pk).update(bbox=list(info.bbox), data_date=info.timestamp)
    else:
        info = basemaps.ExtractInfo(bbox=tuple(ext.bbox), nodes=1, ways=0, timestamp=ext.data_date)
    check_coverage(concept, ext.path, info)
    return ext
