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
    """Execute a queued build (the job's body, run by core.jobs.run): progress and the outcome go
    to the record. The cut extract stays beside the upload; with ``analyse`` the concept's
    analysis is queued from it."""
    bm = BaseMap.objects.select_related("city").get(pk=pk)
    concept = Concept.objects.select_related("city").get(pk=concept_pk)
    area = concept.area.extent
    store = basemap_store()
    target = store / f"{bm.city.ags}.mbtiles"
    cut = cut_path(bm.city.ags, concept.slug)

    def body(job: jobs.Job) -> None:
        with tempfile.TemporaryDirectory(dir=store) as work:
            part = Path(work) / "new.mbtiles"
            tileset, info = basemaps.build(bm.extract, tuple(area), work, part, progress=job.progress, cut_to=cut)
            os.replace(part, target)  # the previous base map stays until the new one is whole
        Extract.objects.update_or_create(city=bm.city, path=str(cut.resolve()), defaults={
            "concept": concept, "name": f"{bm.extract_name} – {concept.name}"[:200],
            "bbox": list(basemaps.clip(basemaps.extent(info), basemaps.padded(tuple(area)))), "data_date": info.timestamp,
            "created_by": user if getattr(user, "pk", None) else None})
        job.done(path=target.name, sha256=sha256_of(target), size_bytes=target.stat().st_size, tiles=tileset.tiles,
                 bounds=list(tileset.bbox), minzoom=tileset.minzoom, maxzoom=tileset.maxzoom,
                 extract_date=info.timestamp)

    def known(exc: Exception) -> dict | None:
        if isinstance(exc, basemaps.BaseMapError):
            return {"message": " ".join(exc.errors), "refused": isinstance(exc, basemaps.ExtractRefused)}
        return None

    if jobs.run(BaseMap, pk, body, known=known):
        versions.bump(versions.SITE)  # the city's pages now draw the new base map
        if analyse:
            signals.extract_cut.send(sender=BaseMap, concept=concept, path=cut, user=user)


@task()
def build_basemap(basemap_id: int, concept_id: int, analyse: bool = False, user_id: int | None = None) -> None:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    execute(basemap_id, concept_id, analyse=analyse, user=user)
