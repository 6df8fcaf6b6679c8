"""The city's OSM extracts: registered, checked to lie at the concept's area, the share they cover,
the ones a concept's analysis may read."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from django.db import models

from isek import access
from isek.concepts.services import City, Concept
from isek.core import geo
from isek.core.audit import change
from isek.core.problems import Problem, gettext_noop

from .. import basemaps
from ..models import Extract
from .layers import Bbox


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


def register_extract(user, city: City, path: Path, name: str, info: basemaps.ExtractInfo) -> Extract:
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
        return register_extract(user, concept.city, path, name or path.name, info)


def extracts_for(user, concept: Concept) -> list[Extract]:
    """The extracts the concept's analysis may read: its city's and its own cut, newest first, if
    their files are there. Only for those who may run the concept's analysis."""
    access.require(user, "analysis", "run", concept)
    found = Extract.objects.filter(city=concept.city).filter(models.Q(concept=None) | models.Q(concept=concept))
    return [e for e in found if Path(e.path).is_file()]


def has_extract(concept: Concept) -> bool:
    """Whether the concept's analysis has an extract to read (its city's or its own cut, file
    present); what the check "Was fehlt noch?" asks before it links to the analysis form."""
    found = Extract.objects.filter(city=concept.city).filter(models.Q(concept=None) | models.Q(concept=concept))
    return any(Path(e.path).is_file() for e in found)


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


def street_names(concept: Concept) -> list[str]:
    """The street names of the concept's area: of the city's extract cut to it by the last base-map
    build (``cut_extract_of``), read once per file version; empty without one. The participation's
    evaluation keeps them out of the reasons of a theme suggestion (fix24h, decision 0107)."""
    from .lifecycle import cut_extract_of

    path = cut_extract_of(concept)
    if path is None:
        return []
    return list(_street_names(str(path), path.stat().st_mtime))


@functools.lru_cache(maxsize=8)
def _street_names(path: str, _mtime: float) -> tuple[str, ...]:
    from ..reading import street_names as read

    try:
        return tuple(read(Path(path)))
    except RuntimeError:  # a damaged file: the evaluation goes on without the area's names
        return ()
