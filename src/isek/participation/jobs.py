"""The evaluation report's PDF as a background job (issue #24 point 6; django-tasks, database
queue; `isek db_worker` runs it): 11.5 s for the 697 contributions of FreiRaum Ottensen, minutes
for 10,000 – too long for a request. The one job runner (core.jobs) claims, beats, follows
progress and cancellation; the XLSX stays in the request (it is fast). The task itself
(``services.report.build_report_pdf``) passes the build: jobs know no services."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext_noop

from isek.core import jobs

from .models import ReportPdf

DISK_FULL = gettext_noop("Der Speicherplatz ist voll; das PDF wurde nicht geschrieben. Bitte den Betrieb "
                         "verständigen und das PDF danach erneut erstellen.")
PHASE_GONE = gettext_noop("Die Auswertung ließ sich nicht erstellen: die Beteiligungsphase gehört nicht mehr zu "
                          "diesem Konzept.")


def pdf_dir() -> Path:
    return jobs.output_dir("participation-reports")


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
    return jobs.output_path(pdf_dir(), job)


def execute(job: ReportPdf, build: Callable[[ReportPdf, Path, Callable[[int], None]], int]) -> bool:
    """Run the job (core.jobs.run): ``build(job, path, progress)`` writes the PDF at ``path`` and
    returns its pages (services.report, in the language of the page that started it). The file is
    written beside its final name and renamed when whole (core.jobs.run_to_file): a stopped job
    leaves no half file.
    When it is done, the phase's finished PDFs in its language beyond the newest ``KEEP`` are
    deleted (``prune``). True if it is done."""
    from django.core.exceptions import ValidationError

    def write(run: jobs.Job, partial: Path) -> dict:
        return {"pages": build(job, partial, run.progress)}

    def known(exc: Exception) -> str | None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return DISK_FULL
        if isinstance(exc, ValidationError):
            return PHASE_GONE
        return None

    done = jobs.run_to_file(ReportPdf, job.pk, pdf_path(job), write, known=known)
    if done:
        prune(job)
    return done
