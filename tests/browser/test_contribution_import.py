"""A planner imports the Raddialog Köln-Ehrenfeld contributions (the CIMT corpus, real data from the
data directory) into a phase in Debian's Chromium: upload, the mapping recognised from the
headers, the one bad coordinate of the file named at its row and column, the preview, the import;
the contributions wait on the moderation page marked "importiert" with source and licence. Every
page is checked with axe-core; no request leaves loopback."""

from __future__ import annotations

import datetime

import pytest
import shapely
from django.utils import timezone

from isek import access
from isek.participation import services
from isek.participation.models import Idea, Status
from tests.data import data_dir
from tests.factories import ConceptFactory, legal_texts_filled, multipolygon

from .conftest import axe_violations, sign_in_planner

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step

KOELN_POINTS = data_dir("participation") / "participation" / "raddialog_koeln_ehrenfeld_2017_locations.csv"
REQUIRED_DATA = [KOELN_POINTS]


def test_planner_imports_the_koeln_contributions(page, transactional_db, live_server):
    concept = ConceptFactory(slug="ehrenfeld", name="ISEK Ehrenfeld", area=multipolygon(shapely.box(6.84, 50.93, 6.95, 51.0)))
    legal_texts_filled(concept.city)
    now = timezone.now()
    phase = services.save_phase(access.Operator("test"), concept, title_de="Raddialog Ehrenfeld",
                                start=now - datetime.timedelta(days=400), end=now - datetime.timedelta(days=300),
                                themes=[("Radverkehr", "Cycling", "")])
    base = sign_in_planner(page, live_server, concept, "planerin")
    page.goto(f"{base}/concepts/ehrenfeld/participation/phases/{phase.pk}/")
    page.click("#import-link")
    assert page.locator("h1").inner_text() == "Beiträge importieren"
    assert axe_violations(page, exclude_map=True) == []
    page.set_input_files("#id_file", str(KOELN_POINTS))
    page.get_by_role("button", name="Datei prüfen").click()
    page.wait_for_selector("#import-counts")
    assert page.locator("#id_col_external_id").input_value() == "document_id"
    assert page.locator("#id_col_x").input_value() == "lon" and page.locator("#id_col_y").input_value() == "lat"
    errors = page.inner_text("#import-errors")
    assert "Zeile 63, Spalte „lon“ (F63): 6921 ist keine Länge" in errors and "Bitte die Lizenz angeben" not in errors
    # the recognised corpus's licence is prefilled as its sources ask (fix24e); the planner may change it
    assert page.locator("#id_licence").input_value() == "CC BY 4.0 (Beiträge), CC BY-SA 4.0 (Annotation)"
    assert axe_violations(page) == []

    page.fill("#id_source", "Raddialog Ehrenfeld 2017 (Stadt Köln)")
    page.fill("#id_licence", "CC BY 4.0")
    page.check("#id_without_bad_places")
    page.get_by_role("button", name="Vorschau aktualisieren").click()
    page.wait_for_selector("#import-counts")
    assert "366 Beiträge neu (davon 365 mit Ort)" in page.inner_text("#import-counts")
    assert page.locator("#import-errors").count() == 0 and "Zeile 63" in page.inner_text("#import-warnings")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Importieren").click()
    assert "/moderation/" in page.url and "Sie warten auf die Moderation" in page.inner_text("main")
    assert Idea.objects.filter(phase=phase, status=Status.PENDING).count() == 366
    first = page.locator("[data-imported]").first
    assert "importiert" in first.inner_text() and "Quelle: Raddialog Ehrenfeld 2017 (Stadt Köln)" in first.inner_text()
    assert "Lizenz: CC BY 4.0" in first.inner_text()
    assert axe_violations(page) == []

    # the same file again (walk 24): nothing new, said before and after, no row checked as new
    page.goto(f"{base}/concepts/ehrenfeld/participation/phases/{phase.pk}/import/")
    page.set_input_files("#id_file", str(KOELN_POINTS))
    page.get_by_role("button", name="Datei prüfen").click()
    page.wait_for_selector("#import-counts")
    assert "Alle 366 Beiträge sind schon in dieser Phase, nichts wird importiert." in page.inner_text("#import-warnings")
    assert page.locator("#import-errors").count() == 0 or "6921" not in page.inner_text("#import-errors")
    page.fill("#id_licence", "CC BY 4.0")
    with page.expect_navigation():
        page.get_by_role("button", name="Importieren").click()
    assert "Nichts Neues importiert (366 schon vorhanden)." in page.inner_text(".isek-messages")
    assert "Sie warten auf die Moderation" not in page.inner_text("main")
    assert Idea.objects.filter(phase=phase).count() == 366 and axe_violations(page) == []
