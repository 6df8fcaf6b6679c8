"""The KuF checks of the usability test (Köln), as a planner meets them in the browser: a new NRW
concept's rates page offers the Land's rule rate, the KuF shows the eligible costs and the
Verfügungsfonds and third-party checks, whose links open the cost line, and the funds page leads to
a new fund. Every page passes axe."""

from decimal import Decimal as D

import pytest

from tests.factories import ConceptFactory, FieldFactory, MeasureFactory

from .conftest import axe_violations, sign_in_planner

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def test_a_koeln_planner_follows_the_kuf_checks(page, transactional_db, live_server):
    from isek.finance.models import CostGroup, CostItem, Financing

    concept = ConceptFactory(city__ags="05315000", city__name="Köln", start_year=2030, end_year=2031)
    m = MeasureFactory(concept=concept, primary_field=FieldFactory(concept=concept), number="1.1", title="Kalk",
                       start="2030-01-01", end="2031-12-31")
    fund = CostItem.objects.create(measure=m, year=2030, cost_group=CostGroup.objects.get(number="10.2"),
                                   amount=D("80000"), eligible=D("80000"))
    CostItem.objects.create(measure=m, year=2031, cost_group=CostGroup.objects.get(number="9.1"),
                            amount=D("800000"), eligible=D("800000"))
    Financing.objects.create(measure=m, year=2031, source="private", amount=D("400000"), status="secured", reason="Investor")
    base = sign_in_planner(page, live_server, concept, "planer-koeln")

    page.goto(f"{base}/concepts/{concept.slug}/kuf/rates/")
    assert "60 %" in page.inner_text("#rate-suggestion")
    assert axe_violations(page) == []
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/concepts/{concept.slug}/kuf/")

    assert "80.000,00" in page.inner_text("#kuf-eligible")
    assert axe_violations(page) == []
    assert "um 400.000,00 € auf 400.000,00 €" in page.inner_text("#kuf-warnings li[data-code=third_party]")
    page.locator("#kuf-warnings li[data-code=fund_share] a").click()
    page.wait_for_url(f"{base}/concepts/{concept.slug}/kuf/measures/{m.pk}/#cost-{fund.pk}")
    assert page.locator(f"#cost-{fund.pk}").is_visible()
    assert axe_violations(page) == []

    page.goto(f"{base}/concepts/{concept.slug}/funds/")
    assert "Verfügungsfonds" in page.inner_text("#funds-explained")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Fonds anlegen").click()
    page.wait_for_url(f"{base}/concepts/{concept.slug}/funds/new/")
    assert axe_violations(page) == []
    page.get_by_label("Art").select_option("disposition")
    page.get_by_label("Name").fill("Verfügungsfonds Kalk")
    page.get_by_label("Budget (€)").fill("80.000,- €")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/concepts/{concept.slug}/funds/")
    assert "Verfügungsfonds Kalk" in page.inner_text("main") and "80.000,00" in page.inner_text("main")
