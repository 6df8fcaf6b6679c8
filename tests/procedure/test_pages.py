"""The application's pages (issue #23 point 2): the list, the form with its errors, the draft
and the submitted application with its documents and the difference to the previous version; the
district's funding authority reads what was submitted, never a draft."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from isek.concepts.models import Measure
from isek.finance.models import CostItem
from isek.procedure import services
from isek.procedure.models import Application
from tests.conftest import client_for
from tests.dbstate import checksum
from tests.factories import authority_staff, district_of, member
from tests.procedure import YESTERDAY, cheap_documents, documents_written


@pytest.fixture
def planner(new_city):
    return new_city.roles.get(user__username="planer-neu").user


def _url(concept, rest=""):
    return f"/concepts/{concept.slug}/applications/{rest}"


def test_the_planner_assembles_and_submits(new_city, planner):
    client = client_for(planner)
    assert f'href="{_url(new_city)}"' in client.get(new_city.get_absolute_url()).content.decode()
    html = client.get(_url(new_city)).content.decode()
    assert "Förderanträge" in html and "Noch keine Anträge." in html and 'id="application-new"' in html
    form = client.get(_url(new_city, "new/")).content.decode()
    assert "Programmjahr" in form and "Oder die aktuelle KuF jetzt einfrieren als" in form
    # the fields the service requires are not labelled "optional" (the version: one of two)
    assert ">Programmjahr</label>" in form and "KuF-Version <span class=\"kern-label__optional\">– eines von beiden" in form
    assert ">Ratsbeschluss am</label>" in form and "Nötig für den Entwurf und das Einreichen." in form
    response = client.post(_url(new_city, "new/"), {"year": "2027", "freeze_as": "Anmeldung 2027",
                                                    "council_decision": YESTERDAY.isoformat(), "note": ""})
    app = Application.objects.get(concept=new_city)
    assert response.status_code == 302 and response["Location"] == _url(new_city, f"{app.pk}/")
    draft = client.get(response["Location"]).content.decode()
    assert 'data-state="draft"' in draft and "Antrag einreichen" in draft and "Antragsreife heute" in draft
    # the readiness counts the application's council decision (the concept has none of its own)
    assert new_city.council_decision_date is None and "Datum des Ratsbeschlusses" not in draft
    # no funding authority holds Hoyerswerda's AGS yet: said as an open point, no button, refused (decision 0085)
    assert 'id="no-authority"' in draft and 'id="submit-form"' not in draft
    reason = ("Für Hoyerswerda ist in isek keine Bewilligungsbehörde eingerichtet (AGS 14625240). Die Administration "
              "der Installation richtet sie unter „Bewilligungsbehörden“ (/authorities/) ein")
    assert reason in draft
    before = checksum()
    asked = client.post(_url(new_city, f"{app.pk}/submit/")).content.decode()
    assert 'id="submit-no-authority"' in asked and reason in asked and 'id="submit-confirmed"' not in asked
    refused = client.post(_url(new_city, f"{app.pk}/submit/"), {"confirmed": "1"})  # sent anyway: refused, said
    assert reason in client.get(refused["Location"]).content.decode() and checksum() == before
    assert Application.objects.get(pk=app.pk).state == "draft"
    district_of(new_city.city)  # the administration sets it up
    draft = client.get(response["Location"]).content.decode()
    assert 'id="no-authority"' not in draft and 'id="submit-form"' in draft
    before = checksum()
    asked = client.post(_url(new_city, f"{app.pk}/submit/"))  # the first press asks (without JavaScript too)
    assert asked.status_code == 200 and "Antrag für 2027 (Version 1) wirklich einreichen?" in asked.content.decode()
    assert 'name="confirmed" value="1"' in asked.content.decode() and checksum() == before
    # the confirmation says how much of the readiness is open, and what (walk 23)
    readiness = services.readiness_now(new_city, app)
    missing = [i["label"] for i in readiness["items"] if i["status"] == "incomplete"]
    assert missing and readiness["total"] - readiness["done"] == len(missing)
    said = asked.content.decode().split('id="submit-readiness"')[1].split("</p>")[0]
    assert f'data-open="{len(missing)}">{len(missing)} von {readiness["total"]} Punkten der Antragsreife' in said
    assert all(label in said for label in missing)
    again = client.get(_url(new_city, f"{app.pk}/submit/"))  # the step reloaded or reached with "back": no 405
    assert (again.status_code, again["Location"]) == (302, _url(new_city, f"{app.pk}/")) and checksum() == before
    response = client.post(_url(new_city, f"{app.pk}/submit/"), {"confirmed": "1"})
    assert response.status_code == 302
    # frozen at the click, its documents being written in the background (decision 0079)
    page = client.get(response["Location"]).content.decode()
    assert "Der Antrag für 2027 (Version 1) ist eingereicht und unveränderlich." in page
    assert 'data-state="submitting"' in page and "Dokumente werden erstellt" in page and "Antrag einreichen" not in page
    status = _url(new_city, f"{app.pk}/documents/status/")
    assert f'data-status="queued" data-status-url="{status}"' in page and "isek/jobs.mjs" in page
    assert client.get(status).json() | {"message": ""} == {"status": "queued", "progress": 0, "status_label": "wartet",
                                                            "message": "", "application_state": "submitting"}
    listing = client.get(_url(new_city)).content.decode()
    assert 'data-state="submitting"' in listing and 'data-documents="queued">Dokumente werden erstellt (0 %)' in listing
    again = client.post(_url(new_city, f"{app.pk}/submit/"), {"confirmed": "1"})  # a second click: refused, said
    assert "wird gerade eingereicht" in client.get(again["Location"]).content.decode()
    documents_written(app)  # the worker (in the tests: called directly)
    assert client.get(status).json()["status"] == "done"
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="submitted"' in page and "Antrag einreichen" not in page and "Neue Version anlegen" in page
    assert "Dies ist die erste eingereichte Version für dieses Programmjahr." in page
    for document in app.documents.all():
        assert document.sha256 in page
        got = client.get(_url(new_city, f"{app.pk}/documents/{document.pk}/"))
        assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == document.sha256
        assert got["Content-Disposition"] == f'attachment; filename="{document.filename}"'
    assert client.get(_url(new_city, f"{app.pk}/documents/{app.documents.get(kind='isek').pk}/"))["Content-Type"] == "application/pdf"
    # the sums per year as the frozen KuF has them: 2028's cost of all measures, from the cost lines
    cost = sum(CostItem.objects.filter(measure__concept=new_city, year=2028).values_list("amount", flat=True), D(0))
    german = f"{cost:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert ('<tr class="kern-table__row" data-year="2028" data-requested="yes"><th scope="row" class="kern-table__cell">2028</th>'
            f'<td class="kern-table__cell kern-table__cell--numeric">{german}</td>') in page


def test_the_form_says_what_is_wrong_and_saves_nothing(new_city, planner):
    client = client_for(planner)
    before = checksum()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(_url(new_city, "new/"), {"year": "2040", "council_decision": tomorrow.isoformat()})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Bitte die markierten Angaben prüfen. Es wurde nichts gespeichert." in html
    assert "Das Programmjahr muss in der Laufzeit des Konzepts liegen (2026–2030)." in html
    assert "Für 2040 verlängern Sie zuerst die Laufzeit unter „Konzept bearbeiten“ (Feld „Ende (Jahr)“)." in html
    assert f'id="term-hint"><a class="kern-link" href="/concepts/{new_city.slug}/edit/">' in html
    assert "Das Datum des Ratsbeschlusses darf nicht in der Zukunft liegen." in html
    assert "Bitte eine eingefrorene KuF-Version wählen oder die KuF jetzt einfrieren (Name angeben)." in html
    response = client.post(_url(new_city, "new/"), {"year": "zwanzig", "council_decision": "gestern"})
    html = response.content.decode()
    assert response.status_code == 400 and "Bitte eine ganze Zahl eingeben." in html and "Bitte ein gültiges Datum eingeben." in html
    assert checksum() == before


def test_a_submitted_application_cannot_be_changed_through_the_pages(new_city, planner):
    district_of(new_city.city)
    with cheap_documents():
        app = documents_written(services.submit(planner, new_city, services.save_draft(
            planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")))
    client = client_for(planner)
    before = checksum()
    for path in ("edit/", "delete/", "submit/"):
        response = client.post(_url(new_city, f"{app.pk}/{path}"), {"year": "2028", "council_decision": YESTERDAY.isoformat(),
                                                                     "finance_version": app.finance_version_id})
        assert response.status_code == 302 and response["Location"] == _url(new_city, f"{app.pk}/")
        page = client.get(response["Location"]).content.decode()
        assert "Ein eingereichter Antrag kann nicht mehr geändert oder gelöscht werden" in page, path
    assert checksum() == before


def test_the_next_version_shows_what_changed(new_city, planner):
    district_of(new_city.city)
    with cheap_documents():
        documents_written(services.submit(planner, new_city, services.save_draft(
            planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")))
    m11 = Measure.objects.get(concept=new_city, number="1.1")
    CostItem.objects.filter(measure=m11, year=2028).update(amount=D("260000.01"))
    client = client_for(planner)
    form = client.get(_url(new_city, "new/?year=2027")).content.decode()
    assert 'value="2027"' in form
    response = client.post(_url(new_city, "new/"), {"year": "2027", "freeze_as": "Anmeldung (2)",
                                                    "council_decision": YESTERDAY.isoformat()})
    second = Application.objects.get(concept=new_city, version=2)
    client.post(_url(new_city, f"{second.pk}/submit/"), {"confirmed": "1"})
    with cheap_documents():
        documents_written(second)
    page = client.get(response["Location"]).content.decode()
    assert "Verglichen mit Version 1" in page
    row = page[page.index('id="changes"'):]
    assert "1.1 Altstadtstraßen" in row and ">250.000,01<" in row and ">260.000,01<" in row and ">10.000,00<" in row
    assert "KuF-Version: Anmeldung → Anmeldung (2)" in page


def test_the_district_authority_reads_what_was_submitted_and_never_a_draft(new_city, planner):
    sachsen, arnsberg = client_for(authority_staff("14")), client_for(authority_staff("059"))
    draft = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")
    # an internal concept: before anything is submitted the authority is told nothing exists
    assert sachsen.get(_url(new_city)).status_code == 404
    assert sachsen.get(_url(new_city, f"{draft.pk}/")).status_code == 404
    with cheap_documents():
        services.submit(planner, new_city, draft)
        # being submitted, its documents not yet written: not the authority's yet (decision 0079)
        for url in (_url(new_city), _url(new_city, f"{draft.pk}/"), _url(new_city, f"{draft.pk}/documents/status/")):
            assert sachsen.get(url).status_code == 404, url
        documents_written(draft)
    services.save_draft(planner, new_city, year=2028, council_decision=YESTERDAY, finance_version=draft.finance_version)
    html = sachsen.get(_url(new_city)).content.decode()
    assert f'data-application="{draft.pk}"' in html and 'data-state="draft"' not in html
    assert "Antrag zusammenstellen" not in html
    page = sachsen.get(_url(new_city, f"{draft.pk}/")).content.decode()
    assert 'data-state="submitted"' in page and "Neue Version anlegen" not in page
    document = draft.documents.first()
    assert sachsen.get(_url(new_city, f"{draft.pk}/documents/{document.pk}/")).status_code == 200
    other = Application.objects.get(concept=new_city, year=2028)
    assert sachsen.get(_url(new_city, f"{other.pk}/")).status_code == 404
    assert sachsen.post(_url(new_city, f"{other.pk}/submit/")).status_code == 404
    for url in (_url(new_city), _url(new_city, f"{draft.pk}/"), _url(new_city, f"{draft.pk}/documents/{document.pk}/")):
        assert arnsberg.get(url).status_code == 404
    assert not Application.objects.get(pk=other.pk).is_submitted


def test_the_pages_in_english(new_city, planner):
    app = services.save_draft(planner, new_city, year=2027, council_decision=YESTERDAY, freeze_as="Anmeldung")
    client = client_for(planner)
    client.cookies["django_language"] = "en"
    html = client.get(_url(new_city, f"{app.pk}/"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No funding authority is set up in isek for Hoyerswerda (AGS 14625240)." in html  # decision 0085
    district_of(new_city.city)
    html = client.get(_url(new_city, f"{app.pk}/"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submit the application" in html and "Application 2027, version 1" in html
    assert "Readiness today" in html and "Funding area, legal basis and " in html
    assert "Date of the council decision" not in html  # the draft's own date counts (issue #23)
    assert "Teilen" not in html and "Datum des Ratsbeschlusses" not in html  # today's check in the page's language


def test_a_failed_documents_job_is_said_on_the_page_and_started_again(new_city, planner, monkeypatch):
    """The job that writes the documents fails (decision 0079): the page says so with the reason
    and offers "Erneut starten", which queues it again; the list marks it."""
    district_of(new_city.city)
    from isek.procedure import jobs

    with cheap_documents():
        app = services.submit(planner, new_city, services.save_draft(planner, new_city, year=2027,
                                                                     council_decision=YESTERDAY, freeze_as="Anmeldung"))

    def refuse(*_args):
        raise ValidationError("Für das ISEK fehlt die Gliederung.")

    monkeypatch.setattr(jobs, "DOCUMENTS", tuple((k, e, s, refuse) for k, e, s, _w in jobs.DOCUMENTS))
    jobs.execute(app.document_job)
    client = client_for(planner)
    page = client.get(_url(new_city, f"{app.pk}/")).content.decode()
    assert "Die Dokumente des Antrags konnten nicht erstellt werden." in page and "Für das ISEK fehlt die Gliederung." in page
    assert 'id="documents-retry"' in page and "isek/jobs.mjs" not in page  # nothing to follow
    assert 'data-documents="failed">Erstellen der Dokumente fehlgeschlagen' in client.get(_url(new_city)).content.decode()
    reviewer = client_for(member(new_city, "reviewer"))  # who may only read sees the failure, not the button
    seen = reviewer.get(_url(new_city, f"{app.pk}/")).content.decode()
    assert "Für das ISEK fehlt die Gliederung." in seen and 'id="documents-retry"' not in seen
    assert reviewer.post(_url(new_city, f"{app.pk}/documents/retry/")).status_code in (403, 404)
    response = client.post(_url(new_city, f"{app.pk}/documents/retry/"))
    assert response.status_code == 302 and "Die Dokumente werden erneut erstellt." in client.get(response["Location"]).content.decode()
    app.document_job.refresh_from_db()
    assert app.document_job.status == "queued"


def test_a_documents_job_no_worker_took_can_be_queued_again_once(new_city, planner):
    """Second reading: a documents job whose queue entry no worker takes (no `isek db_worker`)
    waited "wird erstellt" forever, with no way to start it again. After the stale time the page
    says so and offers "Erneut starten"; right after, once more is refused."""
    from django.utils import timezone

    from isek.procedure.models import DocumentJob

    district_of(new_city.city)
    app = services.submit(planner, new_city, services.save_draft(planner, new_city, year=2027,
                                                                 council_decision=YESTERDAY, freeze_as="Anmeldung"))
    client = client_for(planner)
    page = client.get(_url(new_city, f"{app.pk}/")).content.decode()
    assert 'data-job-status="queued"' in page and 'id="documents-stuck"' not in page and 'id="documents-retry"' not in page
    assert client.post(_url(new_city, f"{app.pk}/documents/retry/"), follow=True).content.decode().count(
        "seit Langem wartende") == 1  # a job that has just been queued is left to its worker
    DocumentJob.objects.filter(application=app).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    page = client.get(_url(new_city, f"{app.pk}/")).content.decode()
    assert 'id="documents-stuck"' in page and "isek db_worker" in page and 'id="documents-retry"' in page
    response = client.post(_url(new_city, f"{app.pk}/documents/retry/"))
    assert response.status_code == 302
    job = DocumentJob.objects.get(application=app)
    assert job.status == "queued" and timezone.now() - job.heartbeat_at < datetime.timedelta(minutes=1)
    assert 'id="documents-stuck"' not in client.get(_url(new_city, f"{app.pk}/")).content.decode()
    with cheap_documents():
        assert documents_written(app).state == "submitted"  # the worker's claim runs it once


def test_a_new_version_starts_with_the_council_decision_of_the_previous(new_city, planner):
    """Walk (Landshut): "Neue Version anlegen" left the date of the council decision empty (decision 0085)."""
    decided = YESTERDAY - datetime.timedelta(days=30)
    services.save_draft(planner, new_city, year=2027, council_decision=decided, freeze_as="Anmeldung")
    form = client_for(planner).get(_url(new_city, "new/?year=2027")).content.decode()
    assert f'value="{decided.isoformat()}"' in form
    assert f'value="{decided.isoformat()}"' not in client_for(planner).get(_url(new_city, "new/?year=2028")).content.decode()
