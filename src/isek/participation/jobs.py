"""The evaluation report's PDF as a background job (issue #24 point 6; django-tasks, database
queue; `isek db_worker` runs it): 11.5 s for the 697 contributions of FreiRaum Ottensen, minutes
for 10,000 – too long for a request. The one job runner (core.jobs) claims, beats, follows
progress and cancellation; the XLSX stays in the request (it is fast)."""

from __future__ import annotations

import errno
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop
from django_tasks import task

from isek import access
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


def pdf_path(job: ReportPdf) -> Path:
    return pdf_dir() / f"{job.pk}-{job.filename}"


def partial_path(job: ReportPdf) -> Path:
    """Where the PDF is written until it is whole (a worker killed meanwhile leaves no half file)."""
    path = pdf_path(job)
    return path.with_name(path.name + ".partial")


def execute(job: ReportPdf) -> bool:
    """Build the PDF (the job's body, run by core.jobs.run) in the language of the page that
    started it; progress and outcome go to its record. True if it is done."""
    from django.core.exceptions import ValidationError

    from . import reporting
    from .services import report

    path, partial = pdf_path(job), partial_path(job)
    phase, concept = job.phase, job.phase.concept
    operator = access.Operator("Auswertung als PDF")  # the start checked the person's right

    def body(run: jobs.Job) -> None:
        with translation.override(job.language or "de"):
            run.progress(5)
            content = report.evaluation_report(operator, concept, phase)
            run.progress(50)
            method = report.method_text()
            picture = reporting.map_png(content)
            run.progress(70)
            pages = reporting.write_pdf(content, method, partial, picture=picture)
            run.progress(99)
        partial.replace(path)
        run.done(file=str(path), pages=pages)

    def known(exc: Exception) -> str | None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return DISK_FULL
        if isinstance(exc, ValidationError):
            return PHASE_GONE
        return None

    return jobs.run(ReportPdf, job.pk, body, known=known, cleanup=lambda: partial.unlink(missing_ok=True))


@task()
def build_report_pdf(job_id: int) -> None:
    execute(ReportPdf.objects.select_related("phase", "phase__concept").get(pk=job_id))


def enqueue(job: ReportPdf) -> None:
    """Queue the job's task once the transaction that created (or reset) it commits."""
    transaction.on_commit(lambda: build_report_pdf.enqueue(job.pk))
