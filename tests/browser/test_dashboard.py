"""The planner's dashboard in the browser: key figures, charts, progress, indicators, warnings;
then an ISEK PDF built as a report job and downloaded."""

import subprocess

import pytest

from isek.monitoring import figures, jobs
from isek.monitoring.models import Report

from .conftest import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def test_planner_uses_the_dashboard_and_downloads_the_isek(page, live_bochum, tmp_path, settings):
    base, concept = live_bochum
    settings.VAR_DIR = tmp_path
    ov = figures.overview(concept)
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/")
    page.click("text=Übersicht und Monitoring")
    page.wait_for_function("() => window.Chart && Chart.getChart('finance-chart') !== undefined")
    chart = page.evaluate("() => { const c = Chart.getChart('finance-chart'); return {labels: c.data.labels, sets: c.data.datasets.length}; }")
    assert chart["labels"] == ov["result"].years and chart["sets"] >= 3
    shown = page.inner_text("#key-figures [data-key=progress]")
    assert f"{ov['key']['progress']:.1f}".replace(".", ",") in shown and "illustrativ" in shown
    assert page.locator("canvas.isek-spark").count() == len(ov["indicators"])
    page.wait_for_function("() => Chart.getChart(document.querySelector('canvas.isek-spark')) !== undefined")
    assert page.locator("#sparks li[data-state=off_target]").count() >= 1
    assert "Indikator nicht im Plan" in page.inner_text("#warnings")
    assert page.locator("#progress-table tbody tr").count() == concept.fields_of_action.count() + 1
    assert axe_violations(page) == []

    # An indicator off target: its chart with baseline, target and target path, and a value entered.
    page.locator("#sparks li[data-state=off_target] a").first.click()
    page.wait_for_function("() => window.Chart && Chart.getChart('series') !== undefined")
    labels = page.evaluate("() => Chart.getChart('series').data.datasets.map(d => d.label)")
    assert {"Fördergebiet", "Ausgangswert", "Ziel", "Zielpfad"} <= set(labels)
    assert axe_violations(page) == []
    page.fill("#id_year", "2025")
    page.fill("#id_value", "17")
    page.fill("#id_source", "Amt 61, Zählung")
    page.click("#value-form button[type=submit]")
    page.wait_for_load_state()
    assert "Amt 61, Zählung" in page.text_content("#values-table")
    assert axe_violations(page) == []  # with the message naming the year (and a replaced value)
    # Deleting the value asks first (confirm.mjs): dismissed, it stays; accepted, it goes.
    row = page.locator("#values-table tr", has_text="Amt 61, Zählung")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    row.get_by_role("button", name="löschen").click()
    assert asked and asked[0].startswith("Wert ") and "(Fördergebiet) löschen?" in asked[0]
    assert "Amt 61, Zählung" in page.text_content("#values-table")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        row.get_by_role("button", name="löschen").click()
    assert "Wert gelöscht." in page.inner_text("main") and "Amt 61, Zählung" not in page.text_content("#values-table")
    page.goto(f"{base}/concepts/bochum-innenstadt/indicators/")
    assert axe_violations(page) == []

    # English
    page.goto(f"{base}/concepts/bochum-innenstadt/dashboard/")
    page.evaluate("() => document.cookie = 'django_language=en; path=/'")
    page.goto(f"{base}/concepts/bochum-innenstadt/dashboard/")
    assert "Key figures" in page.inner_text("main")
    page.evaluate("() => document.cookie = 'django_language=de; path=/'")

    # ISEK PDF as a report job: started on the page, built by the worker (here: called directly).
    page.goto(f"{base}/concepts/bochum-innenstadt/reports/")
    page.select_option("#id_r-kind", "isek")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#reports li[data-status=queued]")
    jobs.execute(Report.objects.get(concept=concept, kind="isek"))
    page.wait_for_selector("#reports li[data-status=done]", timeout=15000)
    with page.expect_download() as dl:
        page.click("#reports li[data-status=done] a")
    path = tmp_path / "isek.pdf"
    dl.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "ISEK Innenstadt Bochum" in text and "Kosten und Finanzierung" in text
    assert axe_violations(page) == []
    for path in ("reports/texts/", "reports/notes/2023/", "payments/", "changes/"):
        page.goto(f"{base}/concepts/bochum-innenstadt/{path}")
        assert axe_violations(page) == [], path
