"""The city's reference layers: where their files are, which are available, their GeoJSON
(clipped to a concept) and features, the analysis inputs among them; registering a data
file, uploading and deleting a layer."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import City, Concept, GeoFileError, read_geofile
from isek.core.audit import change
from isek.core.files import find_data_file, sha256_of, upload_on_disk
from isek.core.problems import InputError, too_large

from .. import reading
from ..models import ReferenceLayer

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
        raise LayerUploadError(exc.messages(_, get_language())) from None
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
