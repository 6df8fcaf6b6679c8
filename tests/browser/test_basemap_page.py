"""The base-map page in Debian's Chromium (issue 20): "Hochladen abbrechen" shows only while an
upload runs; the analysis page with its runs passes axe."""

from __future__ import annotations

import pytest

from tests.data import data_dir
from tests.factories import CityFactory, ConceptFactory, member, multipolygon, square

from .conftest import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step

EXTRACT = data_dir("osm") / "osm" / "hoyerswerda_altstadt.osm.pbf"
REQUIRED_DATA = [EXTRACT]


def test_cancel_shows_only_while_an_upload_runs(page, transactional_db, live_server, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path / "var")
    settings.ISEK_UPLOAD_CHUNK_BYTES = 20_000
    concept = ConceptFactory(city=CityFactory(ags="14625240", name="Hoyerswerda"), slug="hoyerswerda-altstadt",
                             area=multipolygon(square(14.2465, 51.4345, 600)))
    member(concept, "planner", username="planerin")
    login(page, live_server.url, "planerin", "pw-test-123")
    page.goto(f"{live_server.url}/concepts/{concept.slug}/basemap/")
    cancel = page.locator("#upload-cancel")
    assert cancel.inner_text() == "Hochladen abbrechen" and not cancel.is_visible()  # nothing uploads
    assert axe_violations(page) == []

    # The pieces after the second one hang: the upload runs, and it can be cancelled.
    held = []
    patches = {"n": 0}

    def hold(route):
        if route.request.method == "PATCH":
            patches["n"] += 1
            if patches["n"] > 2:
                held.append(route)
                return None
        return route.continue_()

    page.route("**/basemap/uploads/**", hold)
    page.set_input_files("#id_file", str(EXTRACT))
    page.get_by_role("button", name="Hochladen und Grundkarte erstellen").click()
    page.wait_for_function("() => document.getElementById('upload-progress').value > 0", timeout=30000)
    assert cancel.is_visible()
    page.unroute("**/basemap/uploads/**")
    cancel.click()
    page.wait_for_selector("#upload-cancel", state="hidden", timeout=10000)
    assert "abgebrochen" in page.locator("#upload-progress-text").inner_text()
    for route in held:
        try:
            route.abort()
        except Exception:  # noqa: BLE001 - the page may have given it up already
            pass


def test_analysis_page_with_runs_passes_axe(page, live_bochum):
    from isek.analysis import services
    from isek.demo import loader

    url, concept = live_bochum
    services.start_run(loader.DEMO, concept, city_layers=True, now=True)
    services.start_run(loader.DEMO, concept, city_layers=True, now=True)
    login(page, url, loader.PLANNER, "pw-browser-123")
    page.goto(f"{url}/concepts/{concept.slug}/analysis/")
    assert page.get_by_role("button", name="als aktuelle Analyse verwenden").count() == 1
    assert axe_violations(page) == []
    page.get_by_role("link", name="löschen").first.click()
    assert "Dies ist die aktuelle Analyse" in page.content()
    assert axe_violations(page) == []


def test_a_finished_base_map_leads_to_the_analysis_and_the_file_is_required(page, transactional_db, live_server,
                                                                           settings, tmp_path):
    """After "fertig" the planner follows "Zur Bestandsanalyse"; the file field is not "optional"."""
    from isek import access
    from isek.geodata import services

    settings.VAR_DIR = str(tmp_path / "var")
    concept = ConceptFactory(city=CityFactory(ags="14625240", name="Hoyerswerda"), slug="hoyerswerda-altstadt",
                             area=multipolygon(square(14.2465, 51.4345, 600)))
    services.start_basemap(access.Operator("test"), concept, EXTRACT, now=True)
    member(concept, "planner", username="planerin")
    login(page, live_server.url, "planerin", "pw-test-123")
    page.goto(f"{live_server.url}/concepts/{concept.slug}/basemap/")
    assert "optional" not in page.locator("label[for=id_file]").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Zur Bestandsanalyse").click()
    page.wait_for_url(f"**/concepts/{concept.slug}/analysis/")


def test_the_partial_cover_warning_passes_axe(page, transactional_db, live_server, settings, tmp_path):
    """The warning of an extract covering half of the area, on the base-map and analysis pages."""
    from isek import access
    from isek.analysis import services as analysis
    from isek.geodata import services
    from tests.geodata.test_partial_cover import ANALYSED, DLON, LAT, LON, SIDE, WARNING, _extract

    settings.VAR_DIR = str(tmp_path / "var")
    concept = ConceptFactory(city=CityFactory(ags="14625020", name="Bautzen"), slug="bautzen-altstadt",
                             area=multipolygon(square(LON, LAT, SIDE)))
    path = _extract(tmp_path / "half.osm.pbf", LON + DLON / 2)
    services.start_basemap(access.Operator("test"), concept, path, now=True)
    analysis.start_run(access.Operator("test"), concept, str(path.resolve()), now=True)
    member(concept, "planner", username="planerin")
    login(page, live_server.url, "planerin", "pw-test-123")
    for url, warning in (("basemap", WARNING), ("analysis", ANALYSED)):
        page.goto(f"{live_server.url}/concepts/{concept.slug}/{url}/")
        assert page.locator("#partial-cover").inner_text().startswith(warning)
        assert axe_violations(page, exclude_map=True) == []
