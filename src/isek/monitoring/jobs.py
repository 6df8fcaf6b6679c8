"""Reports as background jobs (django-tasks, database queue; `isek db_worker` runs them)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Report


def report_dir() -> Path:
    d = Path(settings.VAR_DIR) / "reports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def execute(report: Report) -> None:
    from . import reports  # matplotlib and WeasyPrint: loaded by the worker, not by every page that queues a report

    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING, progress=1)

    def progress(pct: int, _label: str) -> None:
        Report.objects.filter(pk=report.pk).update(progress=max(1, min(99, pct)))

    path = report_dir() / f"{report.pk}-{report.filename}"
    try:
        pages = reports.build(report.concept, report.kind, path, year=report.year, progress=progress,
                              version=report.version)
    except reports.ReportError as exc:
        Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED, message=str(exc), finished_at=timezone.now())
        return
    except Exception as exc:  # an unexpected failure: say so on the page, keep the traceback in the worker log
        Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED, finished_at=timezone.now(),
                                                   message=f"Interner Fehler ({type(exc).__name__}); siehe Protokoll des Workers.")
        raise
    message = ""
    if report.kind == Report.Kind.ISEK and pages and pages > reports.MAX_ISEK_PAGES:
        message = f"Das ISEK hat {pages} Seiten; im Förderantrag NRW sind höchstens {reports.MAX_ISEK_PAGES} zulässig."
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DONE, progress=100, file=str(path), pages=pages,
                                               message=message, finished_at=timezone.now())


@task()
def build_report(report_id: int) -> None:
    execute(Report.objects.select_related("concept", "concept__city", "version").get(pk=report_id))


def start(concept, user, kind: str, year: int | None = None, version=None) -> Report:
    report = Report.objects.create(concept=concept, created_by=user, kind=kind, year=year, version=version)
    transaction.on_commit(lambda: build_report.enqueue(report.pk))
    return report
