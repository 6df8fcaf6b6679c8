"""Reports as background jobs (django-tasks, database queue; `isek db_worker` runs them)."""

from __future__ import annotations

import errno
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_noop
from django_tasks import task

from isek.core import jobs

from .models import Report


def report_dir() -> Path:
    return jobs.output_dir("reports")


def report_path(report: Report) -> Path:
    return jobs.output_path(report_dir(), report)


def partial_path(report: Report) -> Path:
    return jobs.partial_of(report_path(report))


DISK_FULL = gettext_noop("Der Speicherplatz ist voll; der Bericht wurde nicht geschrieben. Bitte den Betrieb "
                         "verständigen und den Bericht danach erneut starten.")


def execute(report: Report) -> None:
    """Build the report (the job's body, run by core.jobs.run); progress and outcome go to its
    record. The file is written beside its final name and renamed when whole (core.jobs.run_to_file):
    a stopped job leaves no half report."""
    from . import reports  # matplotlib and WeasyPrint: loaded by the worker, not by every page that queues a report

    def write(job: jobs.Job, partial: Path) -> dict:
        pages = reports.build(report.concept, report.kind, partial, year=report.year, progress=job.progress,
                              version=report.version)
        message = ""
        limit = reports.max_isek_pages(report.concept)
        if report.kind == Report.Kind.ISEK and pages and limit and pages > limit:
            message = f"Das ISEK hat {pages} Seiten; im Förderantrag {report.concept.city.land} sind höchstens {limit} zulässig."
        return {"pages": pages, "message": message}

    def known(exc: Exception) -> str | None:
        if isinstance(exc, reports.ReportError):
            return str(exc)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return DISK_FULL
        return None

    jobs.run_to_file(Report, report.pk, report_path(report), write, known=known)


@task()
def build_report(report_id: int) -> None:
    execute(Report.objects.select_related("concept", "concept__city", "version").get(pk=report_id))


def start(concept, user, kind: str, year: int | None = None, version=None) -> Report:
    report = Report.objects.create(concept=concept, created_by=user, kind=kind, year=year, version=version)
    transaction.on_commit(lambda: build_report.enqueue(report.pk))
    return report

