"""Tests of the funding procedure. ``cheap_documents`` submits without writing the PDFs (a few
seconds each time) for the tests that read the rows, not the files; writing them is proved by
tests/procedure/test_services.py::test_a_submitted_application_keeps_its_documents_figures_and_readiness.
``submit`` submits and runs the documents job as the worker would (decision 0079)."""

import contextlib
import datetime

from django.utils import timezone

from isek.procedure import jobs, services


@contextlib.contextmanager
def cheap_documents():
    """Submitting without writing the PDFs (a few seconds each time): the review reads the rows,
    not the files (their writing is tests/procedure/test_services.py's)."""
    kept = jobs.DOCUMENTS
    jobs.DOCUMENTS = tuple((kind, ending, share, lambda user, concept, app, path, progress: path.write_bytes(b"%PDF-1.7 test"))
                           for kind, ending, share, _write in kept)
    try:
        yield
    finally:
        jobs.DOCUMENTS = kept


YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def documents_written(application):
    """The application's documents job run here, as the worker runs it (tests call it directly)."""
    return services.finish_submission(application)


def submit(planner, concept, year=2027, name="Programmanmeldung 2027"):
    from tests.factories import district_of

    district_of(concept.city)  # without a funding authority nothing can be submitted (decision 0085)
    with cheap_documents():
        draft = services.save_draft(planner, concept, year=year, council_decision=YESTERDAY, freeze_as=name)
        return documents_written(services.submit(planner, concept, draft))
