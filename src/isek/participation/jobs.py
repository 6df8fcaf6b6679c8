"""The evaluation report's PDF as a background job (issue #24 point 6; django-tasks, database
queue; `isek db_worker` runs it): 11.5 s for the 697 contributions of FreiRaum Ottensen, minutes
for 10,000 – too long for a request. The one job runner (core.jobs) claims, beats, follows
progress and cancellation; the XLSX stays in the request (it is fast). The task itself
(``services.report.build_report_pdf``) passes the build: jobs know no services."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop

from isek.core import jobs

from .models import ReportPdf

DISK_FULL = gettext_noop("Der Speicherplatz ist voll; das PDF wurde nicht geschrieben. Bitte den Betrieb "
                         "verständigen und das PDF danach erneut erstellen.")
PHASE_GONE = gettext_noop("Die Auswertung ließ sich nicht erstellen: die Beteiligungsphase gehört nicht mehr zu "
                          "diesem Konzept.")


def pdf_dir() -> Path:
    d = Path(settings.VAR_DIR) / "participation-reports"
    d.mkdir(parents=True, exist_ok=True)
    return d


KEEP = 3  # finished PDFs kept per phase and language; older ones go when a new one is done (walk 24)


def prune(job: ReportPdf, keep: int = KEEP) -> int:
    """Delete the files and rows of the finished PDFs of ``job``'s phase and language beyond the
    ``keep`` newest (a failed or cancelled job has no file and stays to be retried); how many."""
    done = list(ReportPdf.objects.filter(phase_id=job.phase_id, language=job.language, status=ReportPdf.Status.DONE)
                .order_by("-created_at", "-pk"))
    folder = pdf_dir().resolve()
    for old in done[keep:]:
        if old.file and folder in Path(old.file).resolve().parents:
            Path(old.file).unlink(missing_ok=True)
        old.delete()
    return max(0, len(done) - keep)


def pdf_path(job: ReportPdf) -> Path:
    return pdf_dir() / f"{job.pk}-{job.filename}"


def partial_path(job: ReportPdf) -> Path:
    """Where the PDF is written until it is whole (a worker killed meanwhile leaves no half file)."""
    path = pdf_path(job)
    return path.with_name(path.name + ".partial")


def execute(job: ReportPdf, build: Callable[[ReportPdf, Path, Callable[[int], None]], int]) -> bool:
    """Run the job (core.jobs.run): ``build(job, path, progress)`` writes the PDF at ``path`` and
    returns its pages (services.report, in the language of the page that started it). The file is
    written beside its final name and renamed when whole: a stopped job leaves no half file.
    When it is done, the phase's finished PDFs in its language beyond the newest ``KEEP`` are
    deleted (``prune``). True if it is done."""
    from django.core.exceptions import ValidationError

    path, partial = pdf_path(job), partial_path(job)

    def body(run: jobs.Job) -> None:
        pages = build(job, partial, run.progress)
        partial.replace(path)
        run.done(file=str(path), pages=pages)

    def known(exc: Exception) -> str | None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return DISK_FULL
        if isinstance(exc, ValidationError):
            return PHASE_GONE
        return None

    done = jobs.run(ReportPdf, job.pk, body, known=known, cleanup=lambda: partial.unlink(missing_ok=True))
    if done:
        prune(job)
    return done
