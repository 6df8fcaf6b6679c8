"""Base maps as background jobs (django-tasks, database queue; `isek db_worker` runs them)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django_tasks import task

from isek.concepts.services import Concept
from isek.core import jobs, versions
from isek.core.files import extract_dir, sha256_of

from . import basemaps, signals
from .models import BaseMap, Extract


def basemap_store() -> Path:
    d = Path(settings.VAR_DIR) / "basemaps"
    d.mkdir(parents=True, exist_ok=True)
    return d


def cut_path(ags: str, slug: str) -> Path:
    """Where the cut of a city's extract to a concept's area is kept (the analysis reads it)."""
    return extract_dir(ags) / f"{slug}-cut.osm.pbf"


def execute(pk: int, concept_pk: int, *, analyse: bool = False, user=None) -> None:
    """Execute a queued build (the job's body): progress and the outcome go to the record. The cut
    extract stays beside the upload; with ``analyse`` the concept's analysis is queued from it."""
    from django.utils import timezone

    bm = BaseMap.objects.select_related("city").get(pk=pk)
    concept = Concept.objects.select_related("city").get(pk=concept_pk)
    area = concept.area.extent
    if not jobs.claim(BaseMap, pk):
        return  # cancelled while it waited

    def progress(pct: int, _label: str) -> None:
        jobs.progress(BaseMap, pk, pct)

    store = basemap_store()
    target = store / f"{bm.city.ags}.mbtiles"
    cut = cut_path(bm.city.ags, concept.slug)
    try:
        with jobs.heartbeat(BaseMap, pk), tempfile.TemporaryDirectory(dir=store) as work:
            part = Path(work) / "new.mbtiles"
            tileset, info = basemaps.build(bm.extract, tuple(area), work, part, progress=progress, cut_to=cut)
            os.replace(part, target)  # the previous base map stays until the new one is whole
    except jobs.Cancelled:
        jobs.cancelled(BaseMap, pk)
        return
    except basemaps.BaseMapError as exc:
        BaseMap.objects.filter(pk=pk).update(status=BaseMap.Status.FAILED, message=" ".join(exc.errors),
                                             refused=isinstance(exc, basemaps.ExtractRefused),
                                             finished_at=timezone.now())
        return
    except Exception as exc:  # unexpected: say so on the page, keep the traceback in the worker log
        BaseMap.objects.filter(pk=pk).update(status=BaseMap.Status.FAILED, finished_at=timezone.now(),
                                             message=f"Interner Fehler ({type(exc).__name__}); siehe Protokoll des Workers.")
        raise
    BaseMap.objects.filter(pk=pk).update(
        status=BaseMap.Status.DONE, progress=100, path=target.name, sha256=sha256_of(target),
        size_bytes=target.stat().st_size, tiles=tileset.tiles, bounds=list(tileset.bbox), minzoom=tileset.minzoom,
        maxzoom=tileset.maxzoom, extract_date=info.timestamp, finished_at=timezone.now())
    versions.bump(versions.SITE)  # the city's pages now draw the new base map
    Extract.objects.update_or_create(city=bm.city, path=str(cut.resolve()), defaults={
        "concept": concept, "name": f"{bm.extract_name} – {concept.name}"[:200], "bbox": list(basemaps.padded(tuple(area))),
        "data_date": info.timestamp, "created_by": user if getattr(user, "pk", None) else None})
    if analyse:
        signals.extract_cut.send(sender=BaseMap, concept=concept, path=cut, user=user)


@task()
def build_basemap(basemap_id: int, concept_id: int, analyse: bool = False, user_id: int | None = None) -> None:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    execute(basemap_id, concept_id, analyse=analyse, user=user)
