"""The Land's funding rules and the hint to set rates, as a planner sees them in the browser."""

import pytest

from tests.factories import ConceptFactory, MeasureFactory, multipolygon, square

from .conftest import axe_violations, sign_in_planner

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def test_a_bavarian_concept_without_rates(page, transactional_db, live_server):
    from isek.finance.models import CostGroup, CostItem

    concept = ConceptFactory(city__ags="09162000", city__name="München", area=multipolygon(square(11.57, 48.14)))
    m = MeasureFactory(concept=concept)
    CostItem.objects.create(measure=m, year=2024, cost_group=CostGroup.objects.get(number="9.1"), amount=1000, eligible=800)
    base = sign_in_planner(page, live_server, concept, "planer-by")

    page.goto(f"{base}/concepts/{concept.slug}/kuf/")
    assert "Städtebauförderungsrichtlinien – StBauFR" in page.inner_text("#land-rules")
    page.locator("#kuf-warnings li[data-code=no_rates] a").click()
    page.wait_for_url(f"{base}/concepts/{concept.slug}/kuf/rates/")
    page.go_back()
    assert axe_violations(page) == []

    page.goto(f"{base}/concepts/{concept.slug}/readiness/")
    assert "Rahmenbewilligung" in page.inner_text("#land-procedure")
    assert "NRW" not in page.inner_text("main")
    assert axe_violations(page) == []
