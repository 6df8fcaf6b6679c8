"""The documents of a submitted application, written by a background job (decision 0079).

The click on "Antrag einreichen" freezes the application in the request – its figures, measures
and readiness as a snapshot, the state "wird eingereicht" – and queues this job (django-tasks'
database queue; `isek db_worker` runs it, with core.jobs.run: the runner of the reports). The job
writes the ISEK, the fact sheets (one page per measure) and the frozen KuF (Excel, PDF) with its
progress, keeps them as bytes with their SHA-256 and – in one recorded transaction with them –
moves the application to "eingereicht": only then does the funding authority see it. A failed job
leaves no document and can be started again; tests and the demo run it in their own process
(``execute``)."""

from __future__ import annotations

import errno
import hashlib
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from isek.core import jobs
from isek.core.audit import change
from isek.finance import services as finance
from isek.monitoring import services as monitoring

from . import mail
from .models import Application, Document, DocumentJob, Remark

# the documents of a submitted application: kind, file name ending, share of the job's progress
# (the ISEK takes longest), how it is written – write(user, concept, application, path, progress)
DOCUMENTS = (
    (Document.Kind.ISEK, "isek.pdf", 55,
     lambda user, concept, app, path, progress: monitoring.write_report_now(user, concept, "isek", path, progress)),
    (Document.Kind.FACT_SHEETS, "steckbriefe.pdf", 30,
     lambda user, concept, app, path, progress: monitoring.write_report_now(user, concept, "steckbriefe", path,
                                                                            progress)),
    (Document.Kind.KUF_XLSX, "kuf.xlsx", 5,
     lambda user, concept, app, path, progress: finance.export_kuf(concept, app.finance_version, "xlsx", path)),
    (Document.Kind.KUF_PDF, "kuf.pdf", 8,
     lambda user, concept, app, path, progress: finance.export_kuf(concept, app.finance_version, "pdf", path)),
)

DISK_FULL = gettext_noop("Der Speicherplatz ist voll; die Dokumente wurden nicht geschrieben. Bitte den Betrieb "
                         "verständigen und danach „Erneut starten“ wählen.")
NOT_ALLOWED = gettext_noop("Wer eingereicht hat, darf keine Berichte dieses Konzepts mehr erstellen; die Dokumente "
                           "wurden nicht geschrieben. Eine Person mit Planungsrolle wählt „Erneut starten“.")
NOT_SUBMITTING = gettext_noop("Der Antrag wird nicht mehr eingereicht; es wurde nichts geschrieben.")


def answer_requests(application: Application) -> list[Remark]:
    """The open change requests on the earlier versions of the year are answered by
    ``application``, the version just submitted (inside the job's recorded change): those requests."""
    answered = list(Remark.objects.filter(application__concept_id=application.concept_id, state=Remark.State.OPEN,
                                          application__year=application.year, kind=Remark.Kind.REQUEST,
                                          application__version__lt=application.version).select_related("application"))
    for remark in answered:
        remark.state, remark.answered_by, remark.answered_at = Remark.State.ANSWERED, application, timezone.now()
        remark.save()
    return answered


class _Refused(Exception):
    """What the job cannot do, with its message (a msgid)."""


def _write(found: DocumentJob, job: jobs.Job) -> None:
    app = (Application.objects.select_related("concept__city", "finance_version", "submitted_by")
           .get(pk=found.application_id))
    concept, user = app.concept, found.created_by or app.submitted_by
    if app.state != Application.State.SUBMITTING:
        raise _Refused(NOT_SUBMITTING)
    stem = f"{concept.slug}-antrag-{app.year}-v{app.version}"
    written, reached = [], 1
    with tempfile.TemporaryDirectory(prefix="isek-application-") as tmp:
        for kind, ending, share, write in DOCUMENTS:
            path, start = Path(tmp) / ending, reached

            def progress(pct, _label="", start=start, share=share):
                job.progress(start + share * max(0, min(100, int(pct))) // 100)

            pages = write(user, concept, app, path, progress)
            data = path.read_bytes()
            written.append(Document(kind=kind, filename=f"{stem}-{ending}", content=data, size=len(data),
                                    sha256=hashlib.sha256(data).hexdigest(), pages=pages))
            reached += share
            job.progress(reached)
    with change(user, "job"):
        # the move and the documents together, or neither; once only (a second worker finds it sent)
        if not Application.objects.select_for_update().filter(pk=app.pk, state=Application.State.SUBMITTING).exists():
            raise _Refused(NOT_SUBMITTING)
        for document in written:
            document.application = app
            document.save()
        app.state = Application.State.SUBMITTED
        app.save(update_fields=["state"])
        answered = answer_requests(app)
        # the authority's staff hear of it once this commits (decision 0087), with the requests it answers (0094)
        mail.application_submitted(app, answered)
        job.done()


def _known(exc: Exception) -> str | None:
    if isinstance(exc, _Refused):
        return str(exc)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return NOT_ALLOWED
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DISK_FULL
    return monitoring.report_refusal(exc)


def execute(found: DocumentJob, *, beat: bool = True) -> bool:
    """Write the documents (the job's body, run by core.jobs.run); True if they are complete.
    ``beat=False`` for a run in the process that waits for it, inside its transaction (the demo)."""
    return jobs.run(DocumentJob, found.pk, lambda job: _write(found, job), known=_known, beat=beat)


@task()
def write_documents(job_id: int) -> None:
    execute(DocumentJob.objects.get(pk=job_id))


def enqueue(found: DocumentJob) -> None:
    """Queue the job once the transaction that made or reset it commits."""
    transaction.on_commit(lambda: write_documents.enqueue(found.pk))


def start(application: Application, user) -> DocumentJob:
    """The documents job of ``application``, just frozen by ``user`` (inside the submission's
    transaction): made, and queued once it commits."""
    found = DocumentJob.objects.create(application=application, created_by=None if user.pk is None else user)
    enqueue(found)
    return found
