"""A citizen and a planner use the Bochum concept map in a real browser."""

import json

import pytest

from isek.concepts.models import Measure

from .conftest import axe_violations, login

pytestmark = pytest.mark.browser


def wait_map(page):
    page.wait_for_selector(".isek-map[data-ready='true']", timeout=30000)


def test_concept_map_shows_area_and_measure_opens_on_click(page, live_bochum):
    base, concept = live_bochum
    page.goto(f"{base}/concepts/bochum-innenstadt/")
    wait_map(page)
    # The funding area and the measures are drawn on the canvas.
    rendered = page.evaluate("""() => {
        const m = window.isekMaps['map'];
        return {area: m.queryRenderedFeatures({layers: ['area-fill']}).length,
                measures: m.queryRenderedFeatures({layers: ['measures-fill', 'measures-line', 'measures-point']})
                           .map(f => f.properties.number)};
    }""")
    assert rendered["area"] > 0
    assert "2.1" in rendered["measures"] and "5.1" in rendered["measures"]
    # Click the Husemannplatz where the map draws it.
    husemann, popup = _click_husemannplatz(page, concept)
    popup.get_by_role("link").click()
    page.wait_for_url(f"**/concepts/bochum-innenstadt/measures/{husemann.pk}/")
    assert page.locator("h1").inner_text() == "Umgestaltung des Husemannplatzes"
    wait_map(page)


def test_pages_pass_axe(page, live_bochum):
    base, concept = live_bochum
    husemann = Measure.objects.get(concept=concept, number="2.1")
    for path in ("/", "/concepts/bochum-innenstadt/", f"/concepts/bochum-innenstadt/measures/{husemann.pk}/",
                 "/about/data/", "/about/indicators/", "/accounts/login/"):
        page.goto(base + path)
        if "concepts" in path:
            wait_map(page)
        violations = axe_violations(page)
        assert violations == [], f"{path}: {json.dumps(violations, indent=1, ensure_ascii=False)}"


def test_a_reviewer_finds_the_fact_sheet_and_the_xplanung_file_on_pages_that_pass_axe(page, live_bochum, tmp_path):
    """Issue #23: the measure's fact sheet (PDF) from its page, the funding area as XPlanGML from
    the concept's page – links on pages that pass axe."""
    base, concept = live_bochum
    login(page, base, "pruefer")
    husemann = Measure.objects.get(concept=concept, number="2.1")
    page.goto(f"{base}/concepts/bochum-innenstadt/measures/{husemann.pk}/")
    wait_map(page)
    assert axe_violations(page) == []
    with page.expect_download() as dl:
        page.get_by_role("link", name="Maßnahmensteckbrief (PDF, eine Seite)").click()
    assert dl.value.suggested_filename == "bochum-innenstadt-steckbrief-2.1.pdf"
    page.goto(f"{base}/concepts/bochum-innenstadt/")
    wait_map(page)
    assert axe_violations(page) == []
    with page.expect_download() as dl:
        page.get_by_role("link", name="Fördergebiet als XPlanung (XPlanGML 6.0)").click()
    path = tmp_path / "area.gml"
    dl.value.save_as(path)
    from isek.concepts import xplan

    assert xplan.validate(path.read_bytes()) == []


def test_planner_draws_a_measure_location(page, live_bochum):
    base, concept = live_bochum
    login(page, base, "planerin")
    m = Measure.objects.get(concept=concept, number="1.2")  # not located yet
    assert m.geometry is None
    page.goto(f"{base}/concepts/bochum-innenstadt/measures/{m.pk}/edit/")
    wait_map(page)
    assert axe_violations(page) == []
    # The drawing tools are named in the UI's language, not the library's English ("Marker tool", "Delete").
    tools = page.locator(".mapbox-gl-draw_ctrl-draw-btn")
    names = [tools.nth(i).get_attribute("title") for i in range(tools.count())]
    assert names == ["Punkt setzen (Taste 1)", "Linie zeichnen (Taste 2)", "Fläche zeichnen (Taste 3)", "Auswahl löschen"]
    assert page.get_by_role("button", name="Auswahl löschen").count() == 1
    # So are MapLibre's own controls ("Zoom in", "Zoom out", "Map" in the library).
    assert page.locator(".maplibregl-ctrl-zoom-in").get_attribute("title") == "Vergrößern"
    assert page.locator(".maplibregl-ctrl-zoom-out").get_attribute("title") == "Verkleinern"
    assert page.get_by_role("button", name="Vergrößern").count() == 1
    assert page.locator("#map canvas").get_attribute("aria-label") == "Interaktive Karte"
    page.locator(".mapbox-gl-draw_point").click()
    page.locator("#map").scroll_into_view_if_needed()  # as a person scrolls to the map
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    value = page.locator("#id_geometry").input_value()
    assert json.loads(value)["type"] == "Point"
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(f"**/measures/{m.pk}/")
    m.refresh_from_db()
    assert m.geometry is not None and m.geometry.geom_type == "Point"
    lon, lat = m.geometry.coords
    assert 7.19 < lon < 7.25 and 51.47 < lat < 51.50
    assert "1.2" in page.locator(".kern-alert").first.inner_text()


def test_planner_sees_import_errors_in_the_browser(page, live_bochum, tmp_path):
    base, _ = live_bochum
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/import/")
    bad = tmp_path / "kaputt.geojson"
    bad.write_text("{kaputt")
    page.select_option("#id_kind", "quarters")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Importieren").click()
    page.wait_for_selector("#import-errors")
    assert "Die Datei ist kein GeoJSON (kein gültiges JSON ab Zeile 1, Spalte 2)." in page.inner_text("#import-errors")
    assert axe_violations(page) == []


def test_planner_confirms_an_area_that_leaves_measures_outside(page, live_bochum, tmp_path):
    base, concept = live_bochum
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/import/")
    small = tmp_path / "quartier.geojson"
    small.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[[7.214, 51.481], [7.216, 51.481], [7.216, 51.482], [7.214, 51.481]]]}}]}))
    page.select_option("#id_kind", "area")
    page.set_input_files("#id_file", str(small))
    page.get_by_role("button", name="Importieren").click()
    page.wait_for_selector("#measures-outside")
    assert "im neuen Fördergebiet" in page.inner_text("#measures-outside")
    assert page.locator("#measures-outside a").count() > 0
    assert axe_violations(page) == []
    page.get_by_role("button", name="Fördergebiet trotzdem übernehmen").click()
    page.wait_for_url(f"{base}/concepts/bochum-innenstadt/")
    assert "Fördergebiet übernommen" in page.inner_text("main")
    concept.refresh_from_db()
    assert concept.area.extent[0] >= 7.2139


def test_city_base_map_is_drawn_from_isek_own_tiles(page, transactional_db, live_server, settings, tmp_path):
    """Hoyerswerda's concept page draws buildings and streets from the tiles isek built from the
    real extract; every request stays on loopback (the page fixture fails on any other)."""
    from isek import access
    from isek.geodata import services
    from tests.data import data_dir
    from tests.factories import CityFactory, ConceptFactory, multipolygon, square

    settings.VAR_DIR = str(tmp_path / "var")
    city = CityFactory(ags="14625240", name="Hoyerswerda")
    concept = ConceptFactory(city=city, slug="hoyerswerda-altstadt", area=multipolygon(square(14.2465, 51.4345, 600)))
    services.start_basemap(access.Operator("test"), concept, data_dir("osm") / "osm" / "hoyerswerda_altstadt.osm.pbf",
                           now=True)
    tiles = []
    page.on("request", lambda r: tiles.append(r.url) if r.url.endswith(".pbf") else None)
    page.goto(f"{live_server.url}/concepts/hoyerswerda-altstadt/")
    wait_map(page)
    page.evaluate("() => window.isekMaps['map'].jumpTo({center: [14.2495, 51.4372], zoom: 16})")
    page.wait_for_function("() => window.isekMaps['map'].loaded() && window.isekMaps['map'].areTilesLoaded()", timeout=30000)
    drawn = page.evaluate("""() => {
        const m = window.isekMaps['map'];
        const count = (ids) => m.queryRenderedFeatures({layers: ids}).length;
        return {buildings: count(['base-building']), roads: count(['base-road-minor', 'base-road-major', 'base-road-path']),
                labels: count(['base-road-label', 'base-place-label']), area: count(['area-fill'])};
    }""")
    assert drawn["buildings"] > 20 and drawn["roads"] > 5 and drawn["area"] > 0, drawn
    assert drawn["labels"] > 0, drawn  # street names, drawn with the vendored font
    assert tiles and all(t.startswith(live_server.url + "/concepts/hoyerswerda-altstadt/basemap/") for t in tiles)
    assert "© OpenStreetMap contributors" in page.locator(".isek-map-attribution").inner_text()


def test_taken_measure_number_links_to_its_measure(page, live_bochum):
    base, concept = live_bochum
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/measures/new/")
    page.fill("#id_number", "2.1")
    page.fill("#id_title", "Noch einmal")
    page.select_option("#id_primary_field", str(concept.fields_of_action.get(number=2).pk))
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_selector("#taken-number")
    assert "schon vergeben" in page.inner_text("main")
    assert axe_violations(page, exclude_map=True) == []
    page.locator("#taken-number a").click()
    page.wait_for_url(f"**/measures/{Measure.objects.get(concept=concept, number='2.1').pk}/")


def test_refused_field_deletion_is_said_at_the_field_and_passes_axe(page, live_bochum):
    """Ticking "Löschen" on a field of action with goals and measures saves nothing; the message
    stands at that field (a walk found goals deleted along silently)."""
    base, concept = live_bochum
    login(page, base, "planerin")
    before = (concept.fields_of_action.count(), concept.goals.count())
    page.goto(f"{base}/concepts/bochum-innenstadt/structure/")
    field = page.locator("fieldset", has=page.locator("legend", has_text="Handlungsfeld 2"))
    field.locator("input[name$='-DELETE']").check()
    page.get_by_role("button", name="Speichern").click()
    assert field.get_by_text("Handlungsfeld 2 hat noch Ziele (").is_visible()
    assert field.get_by_text("Handlungsfeld 2 sind noch Maßnahmen zugeordnet (").is_visible()
    assert (concept.fields_of_action.count(), concept.goals.count()) == before
    assert page.get_by_role("alert").filter(has_text="Nichts gespeichert: Handlungsfeld 2 hat noch Ziele (").is_visible()
    assert axe_violations(page) == []


def test_setup_step_says_the_structure_is_a_template_proposal_and_passes_axe(page, live_bochum):
    base, concept = live_bochum
    login(page, base, "planerin")
    page.goto(f"{base}/concepts/bochum-innenstadt/setup/")
    note = page.locator("#structure-proposal").inner_text()
    assert "Vorschlag aus der Vorlage" in note and "„illustrativ“ heißt:" in note
    assert axe_violations(page) == []


def test_whole_area_measure_leaves_the_others_visible_and_clickable(page, live_bochum):
    """A Bautzen planner's walk: a measure "für das ganze Fördergebiet" (its location is the area)
    was drawn over everything, and the measures beneath could not be clicked. It is an outline
    now, beneath the others, and the legend names it as "ganzes Fördergebiet"."""
    from isek.concepts import services
    from isek.demo.loader import DEMO

    base, concept = live_bochum
    qm = Measure.objects.get(concept=concept, number="4.2")  # Quartiersmanagement: numbered after 2.1
    qm.geometry = concept.area
    services.save_measure(DEMO, concept, qm)
    page.goto(f"{base}/concepts/bochum-innenstadt/")
    wait_map(page)
    _click_husemannplatz(page, concept)
    legend = page.locator("#whole-area-measures").inner_text()
    assert "ganzes Fördergebiet" in legend and "4.2 Quartiersmanagement und ISEK-Büro" in legend
    assert axe_violations(page) == []


def test_a_measure_leaving_the_area_shows_its_notice_and_passes_axe(page, live_bochum):
    """The notice of a location beyond the funding area (usability test, Bautzen) on the measure page."""
    import shapely

    from isek.core import geo

    base, concept = live_bochum
    m = Measure.objects.get(concept=concept, number="2.1")
    x0, _y0, x1, _y1 = geo.from_django(concept.area).bounds
    c = geo.from_django(concept.area).centroid
    m.geometry = geo.to_django(shapely.box(x1 - (x1 - x0) / 4, c.y - 0.0005, x1 + 0.002, c.y + 0.0005))
    m.save()
    page.goto(f"{base}/concepts/bochum-innenstadt/measures/{m.pk}/")
    wait_map(page)
    notice = page.locator("#measure-outside").inner_text()
    assert "Die Verortung reicht über das Fördergebiet hinaus: ca. " in notice and "außerhalb des Fördergebiets" in notice
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def _click_husemannplatz(page, concept):
    """Click the Husemannplatz (measure 2.1) where the map draws it; its popup must name it."""
    husemann = Measure.objects.get(concept=concept, number="2.1")
    lon, lat = husemann.geometry.centroid.coords
    page.locator("#map").scroll_into_view_if_needed()  # as a person scrolls to the map
    box = page.locator("#map").bounding_box()
    xy = page.evaluate(f"() => window.isekMaps['map'].project([{lon}, {lat}])")
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    popup = page.locator(".maplibregl-popup-content")
    popup.wait_for(timeout=5000)
    assert "Umgestaltung des Husemannplatzes" in popup.inner_text()
    return husemann, popup


def test_the_area_map_of_a_new_concept_shows_its_land_and_says_how_to_draw(page, live_server):
    """A Köln planner's new concept: the area map sat at a 100 km scale over all of Germany; it now
    shows the city's Land (NRW by the AGS) and says how to draw or import the area."""
    from tests.factories import CityFactory, ConceptFactory, member

    concept = ConceptFactory(slug="muelheim", city=CityFactory(ags="05315000", name="Köln"), area=None)
    member(concept, "planner", username="koeln")
    login(page, live_server.url, "koeln", "pw-test-123")
    page.goto(f"{live_server.url}/concepts/muelheim/edit/")
    wait_map(page)
    west, south, east, north = page.evaluate("() => window.isekMaps['map'].getBounds().toArray().flat()")
    # Nordrhein-Westfalen lies within 5.8–9.5° E, 50.3–52.6° N: the map shows all of it and, in the
    # direction that limits the fit (the map's shape decides which), not much more – not Germany
    assert west < 5.9 and east > 9.4 and south < 50.4 and north > 52.5, (west, south, east, north)
    assert (east - west < 1.5 * (9.5 - 5.8)) or (north - south < 1.5 * (52.6 - 50.3)), (west, south, east, north)
    assert east - west < 3 * (9.5 - 5.8) and north - south < 3 * (52.6 - 50.3), (west, south, east, north)
    hint = page.locator("#area-start-hint").inner_text()
    assert "Nordrhein-Westfalen" in hint and "Fläche zeichnen" in hint and "importieren" in hint
    # No base map (decision 0066): the map says so above itself, links the base map's page for the
    # planner, and orients offline with a labelled graticule and the Land's extent as a rectangle
    notice = page.locator("#map-notice")
    assert "Noch keine Grundkarte für Köln:" in notice.inner_text()
    assert notice.get_by_role("link", name="OSM-Auszug hochladen und die Grundkarte für Köln erstellen").is_visible()
    drawn = page.evaluate("""() => {
        const m = window.isekMaps['map'];
        return {grid: m.queryRenderedFeatures({layers: ['graticule']}).length,
                land: m.queryRenderedFeatures({layers: ['land-line']}).length,
                tiles: Object.values(m.getStyle().sources).filter(s => s.tiles || s.url).length};
    }""")
    assert drawn["grid"] >= 4 and drawn["land"] > 0 and drawn["tiles"] == 0, drawn
    lon = page.locator(".isek-graticule__lon").all_inner_texts()
    lat = page.locator(".isek-graticule__lat").all_inner_texts()
    assert len(lon) >= 2 and all(t.endswith("° O") for t in lon) and "7° O" in lon, lon
    assert len(lat) >= 2 and all(t.endswith("° N") for t in lat) and "51° N" in lat, lat
    assert page.locator(".isek-graticule__land").inner_text() == "Umgebungsrechteck Nordrhein-Westfalen"
    assert axe_violations(page) == []
    # an area of some 350 km² drawn by mistake is asked about, and saved only when confirmed
    page.locator("#id_area").fill(json.dumps({"type": "Polygon", "coordinates": [
        [[6.8, 50.85], [7.1, 50.85], [7.1, 51.0], [6.8, 51.0], [6.8, 50.85]]]}))
    page.get_by_role("button", name="Speichern").click()
    doubts = page.locator("#area-doubts")
    doubts.wait_for()
    assert "Fördergebiete sind meist unter 5 km²" in doubts.inner_text()
    wait_map(page)
    assert axe_violations(page) == []
    concept.refresh_from_db()
    assert concept.area is None
    page.get_by_label("Die Fläche stimmt – trotzdem speichern").check()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url("**/concepts/muelheim/")
    concept.refresh_from_db()
    assert concept.area is not None
    # the concept page's map (the same component as the measure's and the participation's) orients
    # the same way around the saved area
    wait_map(page)
    assert "Noch keine Grundkarte für Köln:" in page.locator("#map-notice").inner_text()
    drawn = page.evaluate("""() => {
        const m = window.isekMaps['map'];
        return {grid: m.queryRenderedFeatures({layers: ['graticule']}).length,
                area: m.queryRenderedFeatures({layers: ['area-line']}).length};
    }""")
    assert drawn["grid"] >= 4 and drawn["area"] > 0, drawn
    assert page.locator(".isek-graticule__lat").count() >= 2
    assert axe_violations(page) == []
