"""What every background job (analysis run, report, base map) shares beyond the queue: claiming it
in the worker, its heartbeat, progress that notices a cancellation, and the sweep that marks a job
whose worker died as failed (models: core.models.JobState).

The queue itself is django-tasks' database backend: a queued job is a row, so it outlives a restart
of the web process and waits for a worker. This module keeps the job's own record honest:

- ``claim`` moves a queued job to running, once, recording ``worker`` (host:pid) – a job cancelled
  while it waited is not claimed, and its task does nothing;
- ``heartbeat`` beats every ``HEARTBEAT_SECONDS`` while the job runs (a thread of its own, so a long
  step without progress – tilemaker, a PDF – still beats);
- ``progress`` writes the percentage and raises ``Cancelled`` once a cancellation was asked for;
- ``sweep`` fails running jobs whose worker process is gone (same host) or whose heartbeat is older
  than ``ISEK_JOB_STALE_SECONDS`` (any host); the apps call it where jobs are shown;
- ``run`` is the one runner of every job kind: claim, heartbeat, progress, cancellation, done, and
  failure – a known error with its own message, anything else at once with ``CRASHED``. The apps
  pass only their body and their known errors.

Messages are stored as their German msgid (or a known error's own text) and translated when shown
(``JobState.shown_message``), so each reader sees them in their language.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from .models import JobState

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
Status = JobState.Status
INTERRUPTED = gettext_noop("Der Hintergrund-Prozess wurde unterbrochen (beendet oder abgestürzt); nichts wurde halb "
                           "gespeichert. „Erneut starten“ versucht es noch einmal.")
CANCELLED = gettext_noop("Abgebrochen.")
CRASHED = gettext_noop("Interner Fehler: der Auftrag ist unerwartet abgebrochen; nichts wurde halb gespeichert. "
                       "Die Einzelheiten stehen im Protokoll des Workers. „Erneut starten“ versucht es noch einmal.")


class Cancelled(Exception):
    """Someone asked to cancel the running job; its body stops at the next progress step."""


def stale_seconds() -> int:
    return settings.ISEK_JOB_STALE_SECONDS


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(model, pk) -> bool:
    """Mark the queued job ``pk`` running by this process; False if it is not queued any more
    (cancelled while waiting, or taken by another worker)."""
    return bool(model.objects.filter(pk=pk, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=1, message="", worker=worker_id(), heartbeat_at=timezone.now(),
        cancel_requested=False))


@contextmanager
def heartbeat(model, pk, seconds: float = HEARTBEAT_SECONDS):
    """Beat for the running job ``pk`` while the block runs."""
    stop = threading.Event()

    def beat():
        # A beat that fails (the database busy or restarting) is tried again at the next one: a
        # heartbeat thread that died would let a running job look dead after the stale time.
        try:
            while not stop.wait(seconds):
                try:
                    model.objects.filter(pk=pk, status=Status.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:
                    log.warning("heartbeat of %s %s missed: %s", model._meta.label, pk, exc)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model._meta.label}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=seconds + 5)


def progress(model, pk, pct: int) -> None:
    """Write the job's progress (1–99 %); raise ``Cancelled`` if its cancellation was asked for."""
    written = model.objects.filter(pk=pk, cancel_requested=False).update(
        progress=max(1, min(99, int(pct))), heartbeat_at=timezone.now())
    if not written:
        raise Cancelled


def cancelled(model, pk) -> None:
    """Record that the running job stopped because it was cancelled."""
    model.objects.filter(pk=pk).update(status=Status.CANCELLED, finished_at=timezone.now(), message=CANCELLED)


def failed(model, pk, message: str, **fields) -> None:
    """Record that the job ``pk`` failed with ``message`` (a msgid or a known error's text) and
    ``fields`` of its model."""
    model.objects.filter(pk=pk).update(status=Status.FAILED, finished_at=timezone.now(), message=message, **fields)


class Job:
    """What a job's body gets from ``run``: ``progress`` (which raises ``Cancelled`` once its
    cancellation was asked for) and ``done``, to record the result – inside the body's own
    transaction when its writes must go with it; else ``run`` records it when the body returns."""

    def __init__(self, model, pk):
        self.model, self.pk, self.finished = model, pk, False

    def progress(self, pct: int, _label: str = "") -> None:
        progress(self.model, self.pk, pct)

    def done(self, **fields) -> None:
        self.model.objects.filter(pk=self.pk).update(status=Status.DONE, progress=100, finished_at=timezone.now(),
                                                     **fields)
        self.finished = True


def run(model, pk, body: Callable[[Job], object], *,
        known: Callable[[Exception], str | dict | None] = lambda exc: None,
        cleanup: Callable[[], None] = lambda: None, beat: bool = True) -> bool:
    """Run the queued job ``pk`` of ``model`` in this worker: claim it (False if it was cancelled
    while it waited or another worker took it), beat while ``body(job)`` runs, and record how it
    ended – done; cancelled; failed with what ``known(exc)`` gives for an error the app expects (its
    message, or the fields to record with a ``message``); or, for any other exception, failed at
    once with ``CRASHED`` and the exception raised again for the worker's log. ``cleanup`` runs
    after every ending but done. True if it is done. ``beat=False``: no heartbeat thread, for a job
    run in the process that waits for it, inside its open transaction (the demo's applications: a
    second connection's beat would wait for that transaction's lock); its progress still beats, and
    a process that dies is still found by ``sweep``."""
    if not claim(model, pk):
        return False
    job = Job(model, pk)
    try:
        with heartbeat(model, pk) if beat else nullcontext():
            body(job)
    except Cancelled:
        cleanup()
        cancelled(model, pk)
        return False
    except Exception as exc:
        cleanup()
        outcome = known(exc)
        if outcome is None:
            log.exception("job %s %s failed", model._meta.label, pk)
            failed(model, pk, CRASHED)
            raise
        failed(model, pk, **(outcome if isinstance(outcome, dict) else {"message": outcome}))
        return False
    if not job.finished:
        job.done()
    return True


def cancel(obj) -> bool:
    """Cancel a job: a queued one at once, a running one at its next progress step (True if it
    is now cancelled, False if the running job was asked to stop). Not for finished jobs."""
    model = type(obj)
    if model.objects.filter(pk=obj.pk, status=Status.QUEUED).update(
            status=Status.CANCELLED, finished_at=timezone.now(), message=CANCELLED):
        return True
    if model.objects.filter(pk=obj.pk, status=Status.RUNNING).update(cancel_requested=True):
        return False
    raise ValueError("not active")


def reset(obj) -> bool:
    """Put a failed or cancelled job back into the queue's state (the caller enqueues its task),
    or a queued one that no worker took within the stale time (``stuck``: queued once more – the
    worker's claim lets only one of its tasks run it); False if it is none of these. A queued job's
    ``heartbeat_at`` says when it was queued again."""
    model = type(obj)
    limit = timezone.now() - datetime.timedelta(seconds=stale_seconds())
    waited = Q(status=Status.QUEUED, heartbeat_at__lt=limit)
    if "created_at" in {f.name for f in model._meta.concrete_fields}:
        waited |= Q(status=Status.QUEUED, heartbeat_at=None, created_at__lt=limit)
    return bool(model.objects.filter(Q(pk=obj.pk) & (Q(status__in=[Status.FAILED, Status.CANCELLED]) | waited)).update(
        status=Status.QUEUED, progress=0, message="", finished_at=None, worker="", heartbeat_at=timezone.now(),
        cancel_requested=False))


def cancel_job(obj) -> str:
    """Cancel ``obj`` for the person who asked: what happened, in their language; a
    ValidationError if the job is finished."""
    from .rules import invalid

    try:
        now = cancel(obj)
    except ValueError:
        raise invalid(gettext("Dieser Auftrag ist schon beendet."), "job_finished") from None
    return gettext("Abgebrochen.") if now else gettext("Wird beim nächsten Arbeitsschritt abgebrochen.")


def retry_job(obj, enqueue) -> None:
    """Queue a failed or cancelled job again: its record reset, ``enqueue()`` once the
    transaction commits; a ValidationError for any other job."""
    from .rules import invalid

    if not reset(obj):
        raise invalid(gettext("Nur fehlgeschlagene, abgebrochene oder seit Langem wartende Aufträge lassen sich erneut "
                              "starten."),
                      "job_not_retryable")
    transaction.on_commit(enqueue)


def _process_gone(worker: str) -> bool:
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def sweep(queryset) -> int:
    """Fail the running jobs in ``queryset`` whose worker is gone or silent; how many."""
    limit = timezone.now() - datetime.timedelta(seconds=stale_seconds())
    gone = [job.pk for job in queryset.filter(status=Status.RUNNING).only("pk", "worker", "heartbeat_at")
            if job.heartbeat_at is None or job.heartbeat_at < limit or _process_gone(job.worker)]
    if not gone:
        return 0
    return queryset.model.objects.filter(pk__in=gone, status=Status.RUNNING).update(
        status=Status.FAILED, finished_at=timezone.now(), message=INTERRUPTED)


def newest(queryset, limit: int) -> list:
    """The first ``limit`` jobs of ``queryset`` as a page shows them: those whose worker is gone
    are failed first."""
    sweep(queryset)
    return list(queryset[:limit])


def current(job):
    """``job`` as its status poll shows it: failed first if it runs and its worker is gone."""
    if job is not None and job.status == Status.RUNNING and sweep(type(job).objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


# --- jobs that write a file (the reports, the evaluation's PDF) -----------------------------------


def output_dir(name: str) -> Path:
    """The directory ``name`` under the var directory, made where missing: where one kind of job
    keeps its finished files."""
    d = Path(settings.VAR_DIR) / name
    d.mkdir(parents=True, exist_ok=True)
    return d


def output_path(directory: Path, job) -> Path:
    """The finished file of ``job`` (a model with ``filename``) in ``directory``."""
    return directory / f"{job.pk}-{job.filename}"


def partial_of(path: Path) -> Path:
    """Where the file ``path`` is written until it is whole: a worker killed meanwhile leaves no
    half file under the final name."""
    return path.with_name(path.name + ".partial")


def run_to_file(model, pk, path: Path, write: Callable[[Job, Path], dict], *,
                known: Callable[[Exception], str | dict | None] = lambda exc: None) -> bool:
    """``run`` for a job that writes one file: ``write(job, partial)`` writes it beside ``path``
    and returns the fields to record with it (e.g. ``pages``); the whole file is then renamed to
    ``path`` and the job done with ``file``; a job that stops leaves neither. True if it is done."""
    partial = partial_of(path)

    def body(job: Job) -> None:
        fields = write(job, partial)
        partial.replace(path)
        job.done(file=str(path), **fields)

    return run(model, pk, body, known=known, cleanup=lambda: partial.unlink(missing_ok=True))
