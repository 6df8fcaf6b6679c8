"""A background job in the browser: a planner starts a report, cancels it while it waits, starts
it again, and the page follows it until it is done; every state checked with axe."""

import pytest
from django.utils import timezone

from isek.monitoring import jobs
from isek.monitoring.models import Report

from .conftest import axe_violations, login

pytestmark = pytest.mark.browser


def test_planner_cancels_and_retries_a_report(page, live_bochum, tmp_path, settings):
    base, concept = live_bochum
    settings.VAR_DIR = tmp_path
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/reports/")
    page.select_option("#id_r-kind", "monitoring")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#reports li[data-status=queued]")
    report = Report.objects.get(concept=concept, kind="monitoring")
    assert axe_violations(page) == []
    page.click(f"#reports li[data-report='{report.pk}'] [data-job-cancel]")
    page.wait_for_selector(f"#reports li[data-report='{report.pk}'][data-status=cancelled]")
    assert "Abgebrochen." in page.inner_text("main")
    assert axe_violations(page) == []
    page.click(f"#reports li[data-report='{report.pk}'] [data-job-retry]")
    page.wait_for_selector(f"#reports li[data-report='{report.pk}'][data-status=queued]")
    assert "Erneut gestartet" in page.inner_text("main")
    jobs.execute(Report.objects.get(pk=report.pk))  # the worker (in the tests: called directly)
    page.wait_for_selector(f"#reports li[data-report='{report.pk}'][data-status=done]", timeout=15000)
    assert page.locator(f"#reports li[data-report='{report.pk}'] a", has_text="herunterladen").count() == 1
    assert axe_violations(page) == []


def test_the_reports_page_offers_the_period_and_marks_a_preliminary_sachbericht(page, live_bochum):
    """A Krautsand planner's walk: the year is a choice of the period's years; a Sachbericht for a
    year not over says it is preliminary."""

    base, concept = live_bochum
    year = timezone.localdate().year
    Report.objects.create(concept=concept, kind="sachbericht", year=year, status="done", file="x.pdf")
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/reports/")
    years = page.locator("#id_r-year option").all_inner_texts()
    assert years[1:] == [str(y) for y in range(concept.start_year, max(concept.end_year, year) + 1)]
    assert page.locator("#reports .isek-preliminary").inner_text() == "Vorläufig: das Berichtsjahr ist noch nicht abgeschlossen."
    assert axe_violations(page) == []
