"""Reports as background jobs (django-tasks, database queue; `isek db_worker` runs them)."""

from __future__ import annotations

import errno
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from isek.core import jobs

from .models import Report


def report_dir() -> Path:
    d = Path(settings.VAR_DIR) / "reports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def report_path(report: Report) -> Path:
    return report_dir() / f"{report.pk}-{report.filename}"


def partial_path(report: Report) -> Path:
    """Where the report is written until it is whole (a worker killed meanwhile leaves it)."""
    path = report_path(report)
    return path.with_name(path.name + ".partial")


def execute(report: Report) -> None:
    """Build the report (the job's body); progress and outcome go to its record. The file is
    written beside its final name and renamed when whole: a stopped job leaves no half report."""
    from . import reports  # matplotlib and WeasyPrint: loaded by the worker, not by every page that queues a report

    if not jobs.claim(Report, report.pk):
        return  # cancelled while it waited

    def progress(pct: int, _label: str) -> None:
        jobs.progress(Report, report.pk, pct)

    path = report_path(report)
    partial = partial_path(report)
    try:
        with jobs.heartbeat(Report, report.pk):
            pages = reports.build(report.concept, report.kind, partial, year=report.year, progress=progress,
                                  version=report.version)
        partial.replace(path)
    except jobs.Cancelled:
        partial.unlink(missing_ok=True)
        jobs.cancelled(Report, report.pk)
        return
    except reports.ReportError as exc:
        partial.unlink(missing_ok=True)
        Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED, message=str(exc), finished_at=timezone.now())
        return
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        partial.unlink(missing_ok=True)
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, finished_at=timezone.now(),
            message="Der Speicherplatz ist voll; der Bericht wurde nicht geschrieben. Bitte den Betrieb verständigen "
                    "und den Bericht danach erneut starten.")
        return
    except Exception as exc:  # an unexpected failure: say so on the page, keep the traceback in the worker log
        partial.unlink(missing_ok=True)
        Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED, finished_at=timezone.now(),
                                                   message=f"Interner Fehler ({type(exc).__name__}); siehe Protokoll des Workers.")
        raise
    message = ""
    limit = reports.max_isek_pages(report.concept)
    if report.kind == Report.Kind.ISEK and pages and limit and pages > limit:
        message = f"Das ISEK hat {pages} Seiten; im Förderantrag {report.concept.city.land} sind höchstens {limit} zulässig."
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DONE, progress=100, file=str(path), pages=pages,
                                               message=message, finished_at=timezone.now())


@task()
def build_report(report_id: int) -> None:
    execute(Report.objects.select_related("concept", "concept__city", "version").get(pk=report_id))


def start(concept, user, kind: str, year: int | None = None, version=None) -> Report:
    report = Report.objects.create(concept=concept, created_by=user, kind=kind, year=year, version=version)
    transaction.on_commit(lambda: build_report.enqueue(report.pk))
    return report

