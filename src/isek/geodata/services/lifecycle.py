"""The city's base map through its life: its record, a build started from an extract (on the
server, uploaded or resumed), cancelled or retried, and its MBTiles file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from isek import access
from isek.concepts.services import City, Concept
from isek.core import jobs as background
from isek.core import uploads
from isek.core.audit import change
from isek.core.files import extract_dir
from isek.core.models import Upload
from isek.core.problems import InputError, Problem, gettext_noop, too_large

from .. import basemaps
from ..models import BaseMap
from .extracts import check_coverage, register_extract


def base_map_of(city: City) -> BaseMap | None:
    """The city's base map record (also while it is being built), or None."""
    return BaseMap.objects.filter(city=city).first()


def cut_extract_of(concept: Concept) -> Path | None:
    """The city's extract cut to the concept's area by the last base-map build, if there is one."""
    from ..jobs import cut_path

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
    from .. import jobs

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
    from ..jobs import basemap_store

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
        register_extract(user, concept.city, path, extract_name or path.name, info)
        bm = base_map_of(concept.city) or BaseMap(city=concept.city)
        bm.status, bm.progress, bm.message = BaseMap.Status.QUEUED, 0, ""
        bm.extract, bm.extract_name = str(path.resolve()), extract_name or path.name
        bm.created_by = None if user.pk is None else user
        bm.finished_at, bm.worker, bm.heartbeat_at, bm.cancel_requested = None, "", None, False
        bm.concept, bm.analyse, bm.refused = concept, analyse, False
        bm.save()
    from .. import jobs

    if now:
        jobs.execute(bm.pk, concept.pk, analyse=analyse, user=user)
        bm.refresh_from_db()
        if bm.status == BaseMap.Status.FAILED:
            raise basemaps.BaseMapError([Problem(bm.message)])
        return bm
    who = None if user.pk is None else user.pk
    transaction.on_commit(lambda: jobs.build_basemap.enqueue(bm.pk, concept.pk, analyse, who))
    return bm


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
