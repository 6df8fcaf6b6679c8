"""The funding application in Chromium with axe-core (issue #23 point 2): a planner assembles it –
the form says what is wrong first –, submits it, and the funding authority of the city's district
reads what was submitted, with its documents."""

import datetime

import pytest
from django.utils import timezone

from isek.procedure.models import Application
from tests.factories import authority_staff
from tests.procedure import documents_written

from .conftest import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def test_a_planner_submits_and_the_authority_reads_it(pages, kuf_city, live_server):
    concept, base = kuf_city, live_server.url
    staff = authority_staff("14")  # the district's funding authority, set up before (decision 0085)
    planner = pages.new()
    login(planner, base, "planer-neu", "pw-test-123")
    planner.goto(f"{base}{concept.get_absolute_url()}")
    planner.click("text=Förderanträge")
    assert "Noch keine Anträge." in planner.inner_text("#applications")
    assert axe_violations(planner, exclude_map=True) == []

    planner.click("#application-new")
    planner.fill("#id_year", "2040")
    planner.click("#application-form button[type=submit]")
    errors = planner.inner_text("main")
    assert "Bitte die markierten Angaben prüfen. Es wurde nichts gespeichert." in errors
    assert "Das Programmjahr muss in der Laufzeit des Konzepts liegen (2026–2030)." in errors
    assert "Bitte eine eingefrorene KuF-Version wählen oder die KuF jetzt einfrieren (Name angeben)." in errors
    assert axe_violations(planner) == []

    planner.fill("#id_year", "2027")
    planner.fill("#id_freeze_as", "Programmanmeldung 2027")
    planner.fill("#id_council_decision", (timezone.localdate() - datetime.timedelta(days=3)).isoformat())
    planner.click("#application-form button[type=submit]")
    assert planner.get_attribute("#application-state", "data-state") == "draft"
    assert "Antragsreife heute" in planner.inner_text("main")
    assert axe_violations(planner) == []

    planner.click("#submit-form button[type=submit]")  # asks first (walk 23), without JavaScript too
    assert "Antrag für 2027 (Version 1) wirklich einreichen?" in planner.inner_text("#submit-confirm")
    assert planner.get_attribute("#application-state", "data-state") == "draft"
    assert axe_violations(planner) == []
    # the click freezes the application; its PDFs (ISEK, fact sheets, KuF) are written by a background
    # job whose progress the page shows (decision 0079: in the request they took > 30 s on a loaded machine)
    with planner.expect_navigation():
        planner.click("#submit-confirmed")
    assert planner.get_attribute("#application-state", "data-state") == "submitting"
    assert "ist eingereicht und unveränderlich" in planner.inner_text("main")
    assert "Dokumente werden erstellt" in planner.inner_text("#documents-job")
    assert planner.locator("#documents-progress progress").count() == 1
    assert axe_violations(planner) == []
    app = Application.objects.get(concept=concept, year=2027)
    # the authority does not see it before its documents are complete
    staff.set_password("pw-browser-123")
    staff.save()
    authority = pages.new()
    login(authority, base, staff.username)
    assert authority.goto(f"{base}/concepts/{concept.slug}/applications/{app.pk}/").status == 404
    documents_written(app)  # the worker (in the tests: called directly), while the page waits and polls
    planner.wait_for_selector("#documents", timeout=20_000)  # the page reloads itself once the job is done
    assert planner.get_attribute("#application-state", "data-state") == "submitted"
    # the four documents, and the funding area as XPlanGML (today's state of the concept, decision 0094)
    assert planner.locator("#documents li[data-kind]").count() == 4
    assert planner.locator("#documents li#funding-area-gml a").count() == 1
    assert axe_violations(planner) == []

    # the Sächsische Aufbaubank (all of Sachsen, 14) reads it; the concept itself is internal
    authority.goto(f"{base}/concepts/{concept.slug}/applications/")
    assert "Antrag zusammenstellen" not in authority.inner_text("main")
    assert axe_violations(authority) == []
    authority.click("#applications a")
    assert authority.get_attribute("#application-state", "data-state") == "submitted"
    assert "Neue Version anlegen" not in authority.inner_text("main")
    with authority.expect_download() as download:
        authority.click("#documents li[data-kind=kuf-xlsx] a")
    assert download.value.suggested_filename == "neu-antrag-2027-v1-kuf.xlsx"
    assert axe_violations(authority) == []
    # another district's authority finds nothing there
    other = authority_staff("059")
    other.set_password("pw-browser-123")
    other.save()
    stranger = pages.new()
    login(stranger, base, other.username)
    response = stranger.goto(f"{base}/concepts/{concept.slug}/applications/")
    assert response.status == 404
