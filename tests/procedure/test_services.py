"""The funding application (issue #23 point 2, decision 0053): the city assembles a draft for a
programme year from a frozen KuF version and the council decision, submits it with its documents
(kept as bytes with their SHA-256), figures and readiness; what was submitted never changes, a
later change is the next version with its difference shown; bad input changes nothing."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from isek.concepts.models import Measure
from isek.core.models import ChangeRecord
from isek.finance import services as finance
from isek.finance.models import CostItem, FinanceVersion
from isek.procedure import services
from isek.procedure.models import Application, Document, DocumentJob
from tests.dbstate import checksum
from tests.factories import ConceptFactory, authority_staff, district_of, member
from tests.procedure import YESTERDAY, cheap_documents, documents_written, submit

PLANNER = "planer-neu"


@pytest.fixture
def planner(new_city):
    return new_city.roles.get(user__username=PLANNER).user


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


def test_a_submitted_application_keeps_its_documents_figures_and_readiness(new_city, planner):
    district_of(new_city.city)  # its funding authority (decision 0085)
    draft = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung 2027",
                                note="erste Anmeldung")
    assert (draft.state, draft.version, draft.finance_version.name) == ("draft", 1, "Anmeldung 2027")
    assert draft.finance_version.kind == "first_application" and not draft.documents.exists()
    app = services.submit(planner, new_city, draft)
    app.refresh_from_db()
    # frozen in the request, the documents queued for the background job (decision 0079)
    assert app.state == "submitting" and app.is_frozen and not app.is_submitted and not app.documents.exists()
    assert app.document_job.status == "queued" and app.document_job.created_by == planner
    app = documents_written(app)  # the worker (in the tests: called directly)
    assert app.is_submitted and app.submitted_by == planner and app.submitted_at is not None
    assert (app.document_job.status, app.document_job.progress) == ("done", 100)
    documents = {d.kind: d for d in app.documents.all()}
    assert set(documents) == {"isek", "steckbriefe", "kuf-xlsx", "kuf-pdf"}
    for d in documents.values():
        data = bytes(d.content)
        assert d.sha256 == hashlib.sha256(data).hexdigest() and d.size == len(data) > 1000
        assert d.filename.startswith("neu-antrag-2027-v1-")
    assert bytes(documents["isek"].content).startswith(b"%PDF") and documents["steckbriefe"].pages == 5
    # the figures are the frozen KuF's, to the cent: cost of 1.1 in 2028 as entered, the EU grant
    m11 = Measure.objects.get(concept=new_city, number="1.1")
    figures = {(f["measure"], f["year"], f["what"]): D(f["amount"]) for f in app.snapshot["figures"]}
    assert figures[(str(m11.pk), 2028, "cost")] == D("250000.01")
    assert figures[(str(m11.pk), 2028, "eu")] == D("30000.00")
    result = finance.version_result(app.finance_version)
    assert sum(v for (m, y, w), v in figures.items() if w == "cost") == sum(c.cost for c in result.cells.values())
    assert app.snapshot["council_decision"] == YESTERDAY.isoformat()
    assert app.snapshot["readiness"]["total"] >= 5 and {"items", "done", "ready"} <= set(app.snapshot["readiness"])
    assert app.snapshot["current_plan_differs"] is False
    # the change history has the creation and the submission, by the planner
    records = ChangeRecord.objects.filter(model="procedure.Application", object_id=str(app.pk)).order_by("id")
    assert [r.action for r in records] == ["create", "update", "update"]
    assert records[1].changes["state"] == ["draft", "submitting"] and records[1].actor == PLANNER
    assert records[2].changes["state"] == ["submitting", "submitted"] and records[2].actor == PLANNER
    assert ChangeRecord.objects.filter(model="procedure.Document", concept_pk=new_city.pk).count() == 4


def test_without_a_funding_authority_the_submission_is_refused_and_changes_nothing(new_city, planner):
    """No authority's district holds the city's AGS: the application would reach nobody (decision 0085)."""
    draft = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")
    before = checksum()
    with pytest.raises(ValidationError) as refused:
        services.submit(planner, new_city, draft)
    assert refused.value.code == "no_authority" and "(AGS 14625240)" in refused.value.messages[0]
    assert checksum() == before and Application.objects.get(pk=draft.pk).state == "draft"
    assert not DocumentJob.objects.filter(application=draft).exists()
    authority_staff("059")  # another district's authority does not help
    with pytest.raises(ValidationError):
        services.submit(planner, new_city, draft)
    district_of(new_city.city)
    assert services.no_authority(new_city) == "" and services.submit(planner, new_city, draft).state == "submitting"


def test_a_submitted_application_cannot_be_edited_or_deleted(new_city, planner):
    app = submit(planner, new_city)
    before = checksum()
    with pytest.raises(ValidationError) as edit:
        services.save_draft(planner, new_city, application=app, year=2028, council_decision=YESTERDAY,
                            finance_version=app.finance_version)
    assert "Ein eingereichter Antrag kann nicht mehr geändert oder gelöscht werden" in edit.value.messages[0]
    with pytest.raises(ValidationError, match="kann nicht mehr geändert oder gelöscht"):
        services.delete_draft(planner, new_city, app)
    with pytest.raises(ValidationError, match="kann nicht mehr geändert oder gelöscht"):
        services.submit(planner, new_city, app)
    # nor past the services: the rows refuse themselves
    app.note = "nachträglich"
    with pytest.raises(ValidationError):
        app.save()
    with pytest.raises(ValidationError):
        app.delete()
    document = app.documents.first()
    document.content = b"anders"
    with pytest.raises(ValidationError):
        document.save()
    with pytest.raises(ValidationError):
        document.delete()
    with pytest.raises(ValidationError):
        Document.objects.create(application=app, kind="isek", filename="x.pdf", content=b"x", sha256="", size=1)
    assert checksum() == before


def test_altered_bytes_are_not_served(new_city, planner):
    app = submit(planner, new_city)
    document = app.documents.get(kind="kuf-xlsx")
    assert services.document_of(planner, new_city, app.pk, document.pk).intact
    Document.objects.filter(pk=document.pk).update(content=b"manipuliert")  # past the model, as a database user could
    with pytest.raises(ValidationError, match="Prüfsumme"):
        services.document_of(planner, new_city, app.pk, document.pk)


def test_a_later_change_is_the_next_version_with_its_difference(new_city, planner):
    first = submit(planner, new_city)
    m11 = Measure.objects.get(concept=new_city, number="1.1")
    CostItem.objects.filter(measure=m11, year=2028).update(amount=D("260000.01"))
    Measure.objects.filter(concept=new_city, number="5.1").delete()
    second = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY - datetime.timedelta(days=1),
                                 freeze_as="Programmanmeldung 2027 (2)")
    assert second.version == 2 and second.finance_version.kind == "update"
    assert services.difference_of(second) is None  # a draft is compared once submitted
    with cheap_documents():
        documents_written(services.submit(planner, new_city, second))
    previous, d = services.difference_of(second)
    assert previous == first
    assert d.removed == ["5.1 Fuß- und Radweg Markt – Zentralpark"] and d.added == []
    cost = next(r for r in d.rows if r.measure.startswith("1.1") and r.year == 2028 and r.what == "cost")
    assert (cost.before, cost.after, cost.delta) == (D("250000.01"), D("260000.01"), D("10000.00"))
    assert all(r.measure.startswith(("1.1", "5.1")) for r in d.rows)
    assert ("council_decision", YESTERDAY.isoformat(), (YESTERDAY - datetime.timedelta(days=1)).isoformat()) in d.fields
    # the first version stays as it was
    first.refresh_from_db()
    assert first.is_submitted and first.snapshot["kuf_version"] == "Programmanmeldung 2027"
    assert services.difference_of(first) is None


@pytest.mark.parametrize("values, field, message", [
    ({"finance_version": None}, "finance_version", "Bitte eine eingefrorene KuF-Version wählen"),
    ({"council_decision": None}, "council_decision", "Bitte das Datum des Ratsbeschlusses angeben."),
    ({"council_decision": "tomorrow"}, "council_decision", "darf nicht in der Zukunft liegen"),
    ({"year": 2031}, "year", "Laufzeit des Konzepts liegen (2026–2030)"),
    ({"year": 2025}, "year", "Laufzeit des Konzepts liegen (2026–2030)"),
    ({"year": None}, "year", "Bitte das Programmjahr angeben."),
    ({"freeze_as": "Neu"}, "freeze_as", "nicht beides"),
    ({"finance_version": "other"}, "finance_version", "gehört zu einem anderen Konzept"),
], ids=["no-kuf", "no-date", "future-date", "year-after", "year-before", "no-year", "both-kuf", "other-concept"])
def test_bad_input_is_refused_in_german_and_changes_nothing(new_city, planner, values, field, message):
    version = finance.freeze_version(planner, new_city, "Stand", "other")
    other = FinanceVersion.objects.create(concept=ConceptFactory(), name="X", kind="other", snapshot={}, figures={})
    given = {"year": 2027, "council_decision": YESTERDAY, "finance_version": version} | values
    if given["council_decision"] == "tomorrow":
        given["council_decision"] = timezone.localdate() + datetime.timedelta(days=1)
    if given["finance_version"] == "other":
        given["finance_version"] = other
    before = checksum()
    with pytest.raises(ValidationError) as exc:
        services.save_draft(planner, new_city, **given)
    assert message in " ".join(_errors(exc.value)[field])
    assert checksum() == before


def test_a_past_programme_year_is_refused_though_the_concept_runs_then(new_city, planner):
    """Walk 23d: a concept running since earlier took an application for last year (2025 in December
    2026), submitted and mailed to the authority. Refused at its field; nothing saved."""
    last = timezone.localdate().year - 1
    new_city.start_year = last - 1
    new_city.save(update_fields=["start_year"])
    before = checksum()
    with pytest.raises(ValidationError) as exc:
        services.save_draft(planner, new_city, year=last, council_decision=YESTERDAY, freeze_as="Zu spät")
    assert _errors(exc.value)["year"] == [f"Das Programmjahr {last} ist vergangen: ein Antrag gilt dem laufenden Jahr "
                                          f"({last + 1}) oder einem kommenden."]
    assert checksum() == before
    # second reading: the next version answering a change request of that year (asked for before New Year) is taken
    version = finance.freeze_version(planner, new_city, "Stand", "other")
    Application.objects.create(concept=new_city, year=last, finance_version=version, council_decision=YESTERDAY,
                               state="changes")
    assert services.save_draft(planner, new_city, year=last, council_decision=YESTERDAY, finance_version=version).version == 2


def test_one_draft_per_year_and_a_name_taken_is_said_at_its_field(new_city, planner):
    services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")
    before = checksum()
    with pytest.raises(ValidationError) as exc:
        services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Noch eine")
    assert "Für 2027 gibt es schon einen Entwurf (Version 1)" in _errors(exc.value)["year"][0]
    with pytest.raises(ValidationError) as exc:
        services.save_draft(planner, new_city, year=2028, council_decision=YESTERDAY, freeze_as="Anmeldung")
    assert "Eine Version mit diesem Namen gibt es schon" in _errors(exc.value)["freeze_as"][0]
    assert checksum() == before  # the refused freeze is undone with the rest


def test_a_draft_can_be_changed_and_deleted(new_city, planner):
    draft = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")
    services.save_draft(planner, new_city, application=draft, year=2028, council_decision=YESTERDAY,
                        finance_version=draft.finance_version, note="geändert")
    draft.refresh_from_db()
    assert (draft.year, draft.note) == (2028, "geändert")
    pk = draft.pk
    services.delete_draft(planner, new_city, draft)
    assert not Application.objects.filter(pk=pk).exists()
    assert ChangeRecord.objects.filter(model="procedure.Application", object_id=str(pk), action="delete").exists()


def test_who_may_assemble_and_who_sees_what(new_city, planner):
    draft = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")
    reviewer = member(new_city, "reviewer")
    sachsen, arnsberg = authority_staff("14"), authority_staff("059")
    for user in (reviewer, sachsen, arnsberg):
        with pytest.raises((PermissionDenied, Http404)):
            services.save_draft(user, new_city, year=2028, council_decision=YESTERDAY, freeze_as="Fremd")
    # a draft: the city's people only
    assert services.applications_of(reviewer, new_city) == [draft]
    for user in (sachsen, arnsberg):
        with pytest.raises((PermissionDenied, Http404)):
            services.applications_of(user, new_city)
        with pytest.raises((PermissionDenied, Http404)):
            services.application_of(user, new_city, draft.pk)
    with cheap_documents():
        services.submit(planner, new_city, draft)
        # being submitted (its documents being written): still the city's alone (decision 0079)
        for user in (sachsen, arnsberg):
            with pytest.raises((PermissionDenied, Http404)):
                services.applications_of(user, new_city)
            with pytest.raises((PermissionDenied, Http404)):
                services.application_of(user, new_city, draft.pk)
        documents_written(draft)
    # submitted: also the district's authority (Sachsen's), with its documents; never Arnsberg
    assert services.applications_of(sachsen, new_city) == [draft]
    assert services.application_of(sachsen, new_city, draft.pk) == draft
    next_draft = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, finance_version=draft.finance_version)
    assert services.applications_of(sachsen, new_city) == [draft]  # not the new draft
    assert set(services.applications_of(reviewer, new_city)) == {draft, next_draft}
    with pytest.raises((PermissionDenied, Http404)):
        services.application_of(sachsen, new_city, next_draft.pk)
    with pytest.raises((PermissionDenied, Http404)):
        services.application_of(arnsberg, new_city, draft.pk)


def test_deleting_the_concept_takes_its_applications(new_city, planner):
    """The one way a submitted application goes (decision 0053): with its concept, by the
    installation's administrator."""
    from isek.concepts import services as concepts
    from tests.factories import UserFactory

    app = submit(planner, new_city)
    concepts.delete_concept(UserFactory(is_superuser=True), new_city)
    assert not Application.objects.filter(pk=app.pk).exists() and not Document.objects.exists()


def test_a_submission_is_frozen_at_the_click_and_a_failed_job_is_marked_and_started_again(new_city, planner,
                                                                                          monkeypatch):
    """Decision 0079: the click freezes the application (its snapshot taken in the request) and
    queues its documents job; until the documents are complete nothing of it changes, it is not
    submitted twice and the authority does not see it. A job that fails writes nothing, says why
    and can be started again."""
    from isek.core import jobs as core_jobs
    from isek.procedure import jobs
    from isek.procedure.models import DocumentJob

    sachsen = authority_staff("14")
    draft = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")
    stale = Application.objects.get(pk=draft.pk)  # another tab, still showing the draft
    app = services.submit(planner, new_city, draft)
    kept = app.snapshot
    # the plan changes after the click: the submitted figures do not
    m11 = Measure.objects.get(concept=new_city, number="1.1")
    CostItem.objects.filter(measure=m11, year=2028).update(amount=D("999999.00"))
    before = checksum()
    for call in (lambda: services.submit(planner, new_city, stale), lambda: services.submit(planner, new_city, app),
                 lambda: services.delete_draft(planner, new_city, app),
                 lambda: services.save_draft(planner, new_city, application=app, year=2027, council_decision=YESTERDAY,
                                             finance_version=app.finance_version)):
        with pytest.raises(ValidationError, match="wird gerade eingereicht"):
            call()
    with pytest.raises(ValidationError) as exc:  # nor a next version before this one is complete
        services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, finance_version=app.finance_version)
    assert "Version 1 für 2027 wird gerade eingereicht" in _errors(exc.value)["year"][0]
    assert checksum() == before and DocumentJob.objects.filter(application=app).count() == 1
    with pytest.raises((PermissionDenied, Http404)):
        services.application_of(sachsen, new_city, app.pk)

    # the fact sheets cannot be written: the job fails, with the reason, and leaves no document
    def refuse(user, concept, application, path, progress):
        progress(50)
        raise ValidationError("Für die Steckbriefe fehlt die Karte.")

    cheap = lambda user, concept, application, path, progress: path.write_bytes(b"%PDF-1.7 test")  # noqa: E731
    monkeypatch.setattr(jobs, "DOCUMENTS", tuple((k, e, s, refuse if k == "steckbriefe" else cheap)
                                                 for k, e, s, _w in jobs.DOCUMENTS))
    assert jobs.execute(app.document_job) is False
    job = services.documents_job(app)
    assert (job.status, job.shown_message) == ("failed", "Für die Steckbriefe fehlt die Karte.")
    assert 55 < job.progress < 100  # it got as far as half the fact sheets
    app.refresh_from_db()
    assert app.state == "submitting" and not app.documents.exists() and app.snapshot == kept
    with pytest.raises(ValidationError, match="Für die Steckbriefe fehlt die Karte."):
        services.finish_submission(app)  # the demo's way says so too
    # an unexpected error: failed at once, with the runner's message, raised for the worker's log
    core_jobs.reset(job)
    monkeypatch.setattr(jobs, "DOCUMENTS", tuple((k, e, s, cheap if k != "kuf-pdf" else (lambda *a: 1 / 0))
                                                 for k, e, s, _w in jobs.DOCUMENTS))
    with pytest.raises(ZeroDivisionError):
        jobs.execute(job)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == core_jobs.CRASHED and not app.documents.exists()
    # started again (by another planner), it writes the documents and the application is submitted
    other = member(new_city, "planner")
    services.retry_documents(other, new_city, app)
    job.refresh_from_db()
    assert (job.status, job.progress, job.created_by) == ("queued", 0, other)
    with pytest.raises(PermissionDenied):
        services.retry_documents(member(new_city, "reviewer"), new_city, app)
    with cheap_documents():
        app = documents_written(app)
    assert app.state == "submitted" and app.documents.count() == 4 and app.snapshot == kept
    assert services.application_of(sachsen, new_city, app.pk) == app
    with pytest.raises(ValidationError, match="keine Dokumente zu erstellen"):
        services.retry_documents(planner, new_city, app)
    assert jobs.execute(job) is False  # a second worker taking the same job finds it done
