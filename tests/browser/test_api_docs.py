"""The API's documentation as a developer uses it in Chromium: isek's own page passes axe and lists
the operations (walk 22); from it, Swagger UI from vendored files (nothing leaves loopback) to try
it out: fetch the measures without a key, then authorize with a personal API key and add a
milestone."""

import pytest

from isek.api import tokens
from isek.concepts.models import Milestone
from isek.demo import loader

from .conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def _operation(page, operation_id: str):
    op = page.locator(f"[id$='-{operation_id}']").first
    op.locator(".opblock-summary").first.click()
    op.locator(".try-out__btn").click()
    return op


def test_a_developer_fetches_measures_and_adds_a_milestone(page, live_bochum):
    from django.contrib.auth import get_user_model

    base, concept = live_bochum
    _token, key = tokens.create(get_user_model().objects.get(username=loader.PLANNER), "Swagger")
    page.goto(f"{base}/api/docs/")
    assert axe_violations(page) == []
    measures_list = page.locator("h3#concepts_measures_list")
    assert "GET /api/v1/concepts/{slug}/measures/" in measures_list.inner_text()
    assert "Maßnahmen (GeoJSON, WGS84)" in measures_list.inner_text()
    assert page.locator("footer .isek-footer__legal a").count() == 5
    page.get_by_role("link", name="Interaktiv ausprobieren", exact=True).click()
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert page.url == f"{base}/api/docs/swagger/"
    # as opened: language, landmarks, contrast (decision 0102); its forms after "Try it out" are Swagger's own
    assert axe_violations(page) == []

    measures = _operation(page, "concepts_measures_list")
    measures.locator("input[placeholder='slug']").fill(concept.slug)
    measures.locator(".execute").click()
    measures.locator(".live-responses-table tr.response .response-col_status").first.wait_for()
    assert "200" in measures.locator(".live-responses-table tr.response .response-col_status").first.inner_text()
    assert "FeatureCollection" in measures.locator(".live-responses-table .microlight").first.inner_text()

    page.locator(".auth-wrapper .authorize").first.click()
    page.locator(".modal-ux input[type=text]").first.fill(key)
    page.locator(".modal-ux .auth-btn-wrapper .authorize").first.click()
    page.locator(".modal-ux .btn-done").first.click()

    add = _operation(page, "concepts_measures_milestones_create")
    add.locator("input[placeholder='slug']").fill(concept.slug)
    add.locator("input[placeholder='number']").fill("2.1")
    add.locator("textarea.body-param__text").fill('{"title": "Baubeginn (über die Doku)", "due": "2027-04-01"}')
    add.locator(".execute").click()
    add.locator(".live-responses-table tr.response .response-col_status").first.wait_for()
    assert "201" in add.locator(".live-responses-table tr.response .response-col_status").first.inner_text()
    assert Milestone.objects.filter(measure__concept=concept, measure__number="2.1", title="Baubeginn (über die Doku)").exists()
