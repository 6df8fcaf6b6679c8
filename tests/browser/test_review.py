"""The funding authority's review in Chromium with axe-core (issue #23 point 3): the authority
opens its district's portfolio and the application, asks for a change; the city sees it and
answers with a new version; the authority closes the request."""

import datetime

import pytest
from django.utils import timezone

from isek.procedure.models import Application
from tests.factories import authority_staff
from tests.procedure import documents_written
from tests.procedure.test_review import cheap_documents, submit

from .conftest import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def test_a_change_request_answered_with_a_new_version_and_closed(pages, kuf_city, live_server):
    concept, base = kuf_city, live_server.url
    first = submit(concept.roles.get(user__username="planer-neu").user, concept)
    staff = authority_staff("14", name="Sächsische Aufbaubank")
    staff.set_password("pw-browser-123")
    staff.save()
    authority = pages.new()
    login(authority, base, staff.username)
    authority.click("#authorities a")
    assert "Sächsische Aufbaubank" in authority.inner_text("main")
    assert authority.locator(f"tr[data-application='{first.pk}']").count() == 1
    assert axe_violations(authority, exclude_map=True) == []
    authority.click(f"tr[data-application='{first.pk}'] a")
    authority.click("#review-start button")
    assert authority.get_attribute("#application-state", "data-state") == "review"
    authority.fill("#id_text", "")
    authority.click("#remark-form button[type=submit]")
    assert "Bitte die markierten Angaben prüfen. Es wurde nichts gespeichert." in authority.inner_text("main")
    assert axe_violations(authority) == []
    authority.select_option("#id_kind", "request")
    authority.select_option("#id_about", label="die Zahlen (KuF)")
    authority.fill("#id_text", "Die Kosten 2028 bitte nach Kostengruppen aufschlüsseln.")
    authority.click("#remark-form button[type=submit]")
    assert authority.get_attribute("#application-state", "data-state") == "changes"
    assert authority.get_attribute("#remarks li", "data-state") == "open"
    assert axe_violations(authority) == []

    planner = pages.new()
    login(planner, base, "planer-neu", "pw-test-123")
    planner.goto(f"{base}/concepts/{concept.slug}/applications/{first.pk}/")
    assert "Die Kosten 2028 bitte nach Kostengruppen aufschlüsseln." in planner.inner_text("#remarks")
    assert planner.locator("#answer-hint").count() == 1 and planner.locator("#remark-form").count() == 0
    assert axe_violations(planner) == []
    planner.click("#application-next")
    planner.fill("#id_freeze_as", "Programmanmeldung 2027, Version 2")
    planner.fill("#id_council_decision", (timezone.localdate() - datetime.timedelta(days=3)).isoformat())
    planner.click("#application-form button[type=submit]")
    planner.click("#submit-form button[type=submit]")
    planner.click("#submit-confirmed")  # the confirmation (walk 23)
    planner.wait_for_selector("#documents-job")  # frozen; its documents are written in the background (decision 0079)
    with cheap_documents():  # the worker, here called directly: no PDFs written
        documents_written(Application.objects.get(concept=concept, year=2027, version=2))
    planner.wait_for_selector("#answers", timeout=15_000)  # the page follows the job and shows the submitted version
    assert "Die Kosten 2028 bitte nach Kostengruppen aufschlüsseln." in planner.inner_text("#review")
    assert axe_violations(planner) == []

    authority.reload()
    assert authority.get_attribute("#remarks li", "data-state") == "answered"
    assert "beantwortet mit Version 2" in authority.inner_text("#remarks")
    authority.click("#remarks li form button")
    assert authority.get_attribute("#remarks li", "data-state") == "closed"
    assert "Der Vermerk ist erledigt." in authority.inner_text("main")
    assert authority.get_attribute("#application-state", "data-state") == "review"
    assert axe_violations(authority) == []
