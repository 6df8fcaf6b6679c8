"""A Köln planner's pages after the usability test, in the browser with axe-core: the readiness
page with its open items, the call for applications and the city's missing legal texts; the
concept and phase forms warning about them; the analysis page without any input."""

import pytest

from tests.factories import ConceptFactory, FieldFactory, QuarterFactory, multipolygon, square

from .conftest import axe_violations, sign_in_planner

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def test_the_planners_pages_say_what_is_missing_and_pass_axe(page, transactional_db, live_server):
    from isek.concepts.models import Goal

    concept = ConceptFactory(city__ags="05315000", city__name="Köln", area=multipolygon(square(6.95, 50.94, 500)),
                             area_approximated=True)
    f = FieldFactory(concept=concept)
    Goal.objects.create(concept=concept, field_of_action=f, number=f"{f.number}.1", title="Ziel", illustrative=True)
    QuarterFactory(concept=concept, name="Außen", geometry=multipolygon(square(6.956, 50.94, 100)))
    base = sign_in_planner(page, live_server, concept, "planer-koeln")

    page.goto(f"{base}/concepts/{concept.slug}/readiness/")
    assert "1 von 1 Zielen ist noch ein Vorschlag der Vorlage" in page.inner_text("#readiness")
    assert "Teilraum „Außen“" in page.inner_text("#readiness")
    assert "Impressum (Anbieter nach § 5 DDG)" in page.inner_text("#readiness-public")
    assert "Programmaufruf" in page.inner_text("#land-calls")
    assert axe_violations(page) == []

    for url in (f"/concepts/{concept.slug}/edit/", f"/concepts/{concept.slug}/participation/phases/new/"):
        page.goto(base + url)
        assert "nur die Administration von isek" in page.inner_text("#legal-missing")
        assert axe_violations(page, exclude_map=True) == []

    page.goto(f"{base}/concepts/{concept.slug}/analysis/")
    assert "weder einen OSM-Extrakt noch städtische Ebenen" in page.inner_text("#no-input")
    assert page.locator("#run-form").count() == 0
    assert axe_violations(page) == []


def test_the_user_guide_from_the_readiness_page_passes_axe_in_both_languages(page, transactional_db, live_server):
    """Walk 10 (Offenbach): the guide is a page, reached from "Hilfe" and from the planner's pages
    at their section."""
    concept = ConceptFactory(city__ags="06413000", city__name="Offenbach am Main", area=multipolygon(square(8.76, 50.1, 500)))
    base = sign_in_planner(page, live_server, concept, "planerin-of")
    page.goto(f"{base}/concepts/{concept.slug}/readiness/")
    with page.expect_navigation():
        page.click("#guide-link")
    assert page.url.endswith("/about/help/#was-fehlt-noch-fuer-den-foerderantrag")
    assert page.locator("#was-fehlt-noch-fuer-den-foerderantrag").is_visible()
    assert axe_violations(page) == []
    page.goto(f"{base}/language/en/?next=/about/help/")
    assert "isek – user guide" in page.inner_text("h1")
    assert axe_violations(page) == []
