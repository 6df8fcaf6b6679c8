"""Analysis runs as a history, the current one chosen deliberately (issue 20): a planner is offered
only the extracts of the concept's city; one away from the area is refused before the run with the
base map's message; each run keeps its extract, date and values; the planner chooses the current
analysis (reports and indicators use it) and deletes runs, the current one only with a word about
what follows."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from isek import access
from isek.analysis import jobs, services
from isek.analysis.models import AnalysisRun, IndicatorValue
from isek.core.files import extract_dir
from isek.geodata import basemaps
from isek.geodata import services as geodata
from isek.geodata.models import Extract
from isek.monitoring import figures, readiness
from isek.monitoring.models import Indicator
from tests import osm_files
from tests.conftest import client_for
from tests.data import data_dir
from tests.factories import CityFactory, ConceptFactory, member, multipolygon, square

OSM = data_dir("osm") / "osm"
HOY = OSM / "hoyerswerda_altstadt.osm.pbf"
LAUF = OSM / "lauf_an_der_pegnitz_2020-01-15.osm.pbf"
REQUIRED_DATA = [HOY, LAUF]
OPERATOR = access.Operator("test")
HOY_DATE = datetime.date(2024, 8, 12)


@pytest.fixture
def hoy(db, settings, tmp_path):
    """Hoyerswerda's Altstadt with its city's extract, and Lauf (another city) with its own."""
    settings.VAR_DIR = str(tmp_path / "var")
    concept = ConceptFactory(city=CityFactory(ags="14625240", name="Hoyerswerda"), slug="hoyerswerda-altstadt",
                             area=multipolygon(square(14.2465, 51.4345, 600)))
    geodata.add_extract(OPERATOR, concept, HOY)
    lauf = ConceptFactory(city=CityFactory(ags="09574138", name="Lauf a.d.Pegnitz"), slug="lauf",
                          area=multipolygon(square(11.27, 49.505, 800)))
    geodata.add_extract(OPERATOR, lauf, LAUF)
    return concept


def _page(client, concept) -> str:
    r = client.get(f"/concepts/{concept.slug}/analysis/")
    assert r.status_code == 200
    return r.content.decode()


def _area_value(run, indicator="building_count"):
    return IndicatorValue.objects.get(run=run, quarter=None, indicator=indicator).value


def _bad_run(concept, date=datetime.date(2025, 3, 1)) -> AnalysisRun:
    """A run as the far-away extract left it before this fix: "fertig", newer data, 0 buildings."""
    run = AnalysisRun.objects.create(concept=concept, extract="/srv/other-city.osm.pbf", status="done", progress=100,
                                     data_date=date)
    IndicatorValue.objects.create(concept=concept, run=run, indicator="building_count", value=0.0, date=date)
    return run


def test_only_the_citys_extracts_are_offered(hoy):
    """Not another city's, not the demo's data directory, not a refused upload lying in the store."""
    (extract_dir(hoy.city.ags) / "kaputt.osm.pbf").write_bytes(b"not an extract")
    planner = client_for(member(hoy, "planner"))
    page = _page(planner, hoy)
    assert HOY.name in page and str(HOY.resolve()) in page
    for other in (LAUF.name, "heidelberg_routing_filtered", "kaputt.osm.pbf"):
        assert other not in page
    # Lauf's planner sees Lauf's extract only; a reviewer is offered none.
    lauf = Extract.objects.get(city__ags="09574138")
    assert [e.name for e in geodata.extracts_for(member(lauf.city.concepts.get(), "planner"), lauf.city.concepts.get())] == [LAUF.name]
    assert services.extract_choices(member(hoy, "reviewer"), hoy) == []


def test_another_citys_extract_is_refused_and_starts_nothing(hoy):
    planner = client_for(member(hoy, "planner"))
    r = planner.post(f"/concepts/{hoy.slug}/analysis/", {"extract": str(LAUF.resolve()), "city_layers": ""})
    assert r.status_code == 200 and "Bitte die markierten Angaben prüfen" in r.content.decode()
    with pytest.raises(ValidationError) as exc:
        services.start_run(OPERATOR, hoy, str(LAUF.resolve()))
    assert "gehört nicht zu dieser Stadt" in " ".join(exc.value.messages)
    assert not AnalysisRun.objects.exists()


def test_a_far_away_extract_is_refused_before_the_run_with_the_base_maps_message(hoy):
    """An extract of the city (here: registered before the coverage check existed) that lies away
    from the area: the one coverage check of the base map refuses it, before any run."""
    Extract.objects.create(city=hoy.city, path=str(LAUF.resolve()), name="alt.osm.pbf")
    with pytest.raises(basemaps.BaseMapError) as basemap:
        geodata.start_basemap(OPERATOR, hoy, LAUF)
    planner = client_for(member(hoy, "planner"))
    r = planner.post(f"/concepts/{hoy.slug}/analysis/", {"extract": str(LAUF.resolve()), "city_layers": ""})
    html = r.content.decode()
    assert r.status_code == 200 and "enthält keine Daten im Fördergebiet" in html
    assert basemap.value.errors[0].replace("–", "&ndash;") in html or basemap.value.errors[0] in html
    assert not AnalysisRun.objects.exists()


def test_a_new_run_becomes_current_and_reports_use_it_not_the_newest_data(hoy):
    """The defect: a far-away run left 0 buildings with a newer data date; a new run with the right
    (older) extract did not make its figures current again."""
    bad = _bad_run(hoy)
    planner = client_for(member(hoy, "planner"))
    services.set_current(OPERATOR, hoy, bad)
    good = services.start_run(OPERATOR, hoy, str(HOY.resolve()), now=True)
    assert good.status == "done" and good.data_date == HOY_DATE
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.is_current and not bad.is_current
    buildings = _area_value(good)
    assert buildings > 50
    # The analysis page, the ISEK PDF's figures and the monitoring indicator show the current run.
    figures_ = {f["id"]: f["value"] for f in services.area_figures(hoy)}
    assert figures_["building_count"] == buildings
    row = _page(planner, hoy).split('data-indicator="building_count"')[1].split("</tr>")[0]
    assert f">{int(buildings)}<" in row and "12.08.2024" in row
    indicator = Indicator.objects.create(concept=hoy, code="building_count", name="Gebäude", kind="context", unit="Anzahl")
    assert figures.indicator_state(indicator).latest == (HOY_DATE, buildings)
    # Both runs keep their values.
    assert _area_value(bad) == 0.0


def test_the_planner_chooses_the_current_run(hoy):
    good = services.start_run(OPERATOR, hoy, str(HOY.resolve()), now=True)
    bad = _bad_run(hoy)
    planner = client_for(member(hoy, "planner"))
    page = _page(planner, hoy)
    assert page.count("als aktuelle Analyse verwenden") == 1 and "Aktuelle Analyse" in page
    r = planner.post(f"/concepts/{hoy.slug}/analysis/runs/{bad.pk}/current/", follow=True)
    assert "ist jetzt die aktuelle Analyse" in r.content.decode()
    assert services.current_run(hoy) == bad
    assert services.area_figures(hoy)[[f["id"] for f in services.area_figures(hoy)].index("building_count")]["value"] == 0.0
    # the newer data date (the bad run) is no older point of the good run's series and vice versa
    indicator = Indicator.objects.create(concept=hoy, code="building_count", name="Gebäude", kind="context", unit="Anzahl")
    assert figures.indicator_state(indicator).series["area"] == [(HOY_DATE, _area_value(good), good.values.first().source),
                                                                (bad.data_date, 0.0, "")]
    planner.post(f"/concepts/{hoy.slug}/analysis/runs/{good.pk}/current/")
    assert services.current_run(hoy) == good
    assert [v[0] for v in figures.indicator_state(indicator).series["area"]] == [HOY_DATE]
    # a failed run cannot be the current analysis
    failed = AnalysisRun.objects.create(concept=hoy, status="failed")
    r = planner.post(f"/concepts/{hoy.slug}/analysis/runs/{failed.pk}/current/", follow=True)
    assert "Nur ein abgeschlossener Lauf" in r.content.decode() and services.current_run(hoy) == good


def test_deleting_a_run_and_the_current_one_with_a_word_about_what_follows(hoy):
    good = services.start_run(OPERATOR, hoy, str(HOY.resolve()), now=True)
    bad = _bad_run(hoy)
    planner = client_for(member(hoy, "planner"))
    # an ordinary run: confirm, delete, its values go with it
    confirm = planner.get(f"/concepts/{hoy.slug}/analysis/runs/{bad.pk}/delete/").content.decode()
    assert "mit allen seinen Werten löschen" in confirm and "aktuelle Analyse" not in confirm.split("<h1")[1]
    r = planner.post(f"/concepts/{hoy.slug}/analysis/runs/{bad.pk}/delete/", follow=True)
    assert "Der Lauf wurde gelöscht." in r.content.decode()
    assert not AnalysisRun.objects.filter(pk=bad.pk).exists() and not IndicatorValue.objects.filter(run_id=bad.pk).exists()
    # the current run, with another finished one: the page says which takes its place, and it does
    second = services.start_run(OPERATOR, hoy, str(HOY.resolve()), now=True)
    assert services.current_run(hoy) == second
    confirm = planner.get(f"/concepts/{hoy.slug}/analysis/runs/{second.pk}/delete/").content.decode()
    assert "Dies ist die aktuelle Analyse" in confirm and services.when(good) in confirm
    r = planner.post(f"/concepts/{hoy.slug}/analysis/runs/{second.pk}/delete/", follow=True)
    assert "Aktuelle Analyse ist jetzt der Lauf vom" in r.content.decode()
    assert services.current_run(hoy) == good
    # the last one: no current analysis afterwards, and the page and the message say so
    confirm = planner.get(f"/concepts/{hoy.slug}/analysis/runs/{good.pk}/delete/").content.decode()
    assert "Nach dem Löschen gibt es keine aktuelle Analyse" in confirm
    r = planner.post(f"/concepts/{hoy.slug}/analysis/runs/{good.pk}/delete/", follow=True)
    assert "Es gibt jetzt keine aktuelle Analyse" in r.content.decode()
    assert services.area_figures(hoy) == [] and not IndicatorValue.objects.filter(concept=hoy).exists()


def test_a_running_run_is_not_deleted_and_others_may_not_choose_or_delete(hoy):
    running = AnalysisRun.objects.create(concept=hoy, status="running", extract=str(HOY.resolve()))
    planner = client_for(member(hoy, "planner"))
    r = planner.post(f"/concepts/{hoy.slug}/analysis/runs/{running.pk}/delete/", follow=True)
    assert "bitte zuerst abbrechen" in r.content.decode() and AnalysisRun.objects.filter(pk=running.pk).exists()
    done = _bad_run(hoy)
    reviewer = client_for(member(hoy, "reviewer"))
    assert reviewer.post(f"/concepts/{hoy.slug}/analysis/runs/{done.pk}/current/").status_code == 403
    assert reviewer.get(f"/concepts/{hoy.slug}/analysis/runs/{done.pk}/delete/").status_code == 403
    assert reviewer.post(f"/concepts/{hoy.slug}/analysis/runs/{done.pk}/delete/").status_code == 403
    stranger = client_for(member(ConceptFactory(slug="anderswo"), "planner"))
    assert stranger.post(f"/concepts/{hoy.slug}/analysis/runs/{done.pk}/delete/").status_code in (403, 404)
    assert AnalysisRun.objects.filter(pk=done.pk).exists() and not services.current_run(hoy)


def test_the_migration_makes_the_newest_successful_run_current(hoy):
    old = _bad_run(hoy, datetime.date(2024, 1, 1))
    newer = _bad_run(hoy, datetime.date(2023, 1, 1))  # created later: the newest run
    AnalysisRun.objects.create(concept=hoy, status="failed")
    other = _bad_run(ConceptFactory(slug="zweites"))
    AnalysisRun.objects.update(is_current=False)
    migration = importlib.import_module("isek.analysis.migrations.0003_current_run")
    migration.newest_successful_is_current(apps, None)
    assert set(AnalysisRun.objects.filter(is_current=True)) == {newer, other}
    assert not AnalysisRun.objects.get(pk=old.pk).is_current


NO_DATA = "enthält keine Daten im Fördergebiet"


def _readiness(concept) -> str:
    with translation.override("de"):
        item = next(i for i in readiness.check(concept) if i.key == "analysis")
    return item.status


def test_an_extract_without_nodes_in_the_area_is_refused_before_the_run(hoy, tmp_path):
    """The Bayreuth walk: the city's extract (registered before this check) has a header box and a
    data box that cover the area, and no node in it; the run is refused before it starts."""
    path = osm_files.beside(tmp_path / "nord.osm.pbf", 14.2465, 51.4345)
    Extract.objects.create(city=hoy.city, path=str(path.resolve()), name="nord.osm.pbf", bbox=[14.1965, 51.3845, 14.2965, 51.4845])
    planner = client_for(member(hoy, "planner"))
    r = planner.post(f"/concepts/{hoy.slug}/analysis/", {"extract": str(path.resolve()), "city_layers": ""})
    assert r.status_code == 200 and NO_DATA in r.content.decode()
    assert not AnalysisRun.objects.exists()


@pytest.mark.parametrize("empty_cut", [False, True])
def test_a_run_on_an_extract_without_data_in_the_area_is_refused_not_current_nor_complete(hoy, tmp_path, empty_cut):
    """A run queued before the extract turned out empty in the area (the file changed, or the cut
    came out without nodes): it fails with the coverage message, offers no "erneut starten", does not
    become the current analysis, and "Was fehlt noch?" does not count it."""
    cut = tmp_path / "innenstadt-cut.osm.pbf"
    if empty_cut:
        osm_files.write_pbf(cut, (14.24, 51.43, 14.25, 51.44), [], [])
    else:
        osm_files.beside(cut, 14.2465, 51.4345)
    run = AnalysisRun.objects.create(concept=hoy, extract=str(cut), city_layers=False)
    jobs.execute(run)
    run.refresh_from_db()
    assert run.status == "failed" and run.refused and not run.is_current and NO_DATA in run.message
    assert ("überhaupt keine Knoten" in run.message) == empty_cut
    assert not IndicatorValue.objects.filter(run=run).exists() and services.current_run(hoy) is None
    assert _readiness(hoy) == "incomplete"
    page = _page(client_for(member(hoy, "planner")), hoy)
    assert NO_DATA in page and "erneut starten" not in page


def test_a_run_with_neither_buildings_nor_ways_in_the_area_is_refused(hoy, tmp_path):
    """Nodes in the area, but nothing to count: every value would be a 0 that looks like a finding."""
    good = services.start_run(OPERATOR, hoy, str(HOY.resolve()), now=True)
    lone = osm_files.with_lone_node(tmp_path / "punkt.osm.pbf", 14.2505, 51.437)
    run = AnalysisRun.objects.create(concept=hoy, extract=str(lone), city_layers=False)
    jobs.execute(run)
    run.refresh_from_db()
    assert run.status == "failed" and "weder Gebäude noch Wege" in run.message, run.message
    assert run.refused
    assert services.current_run(hoy) == good and _readiness(hoy) == "complete"


def test_the_analysis_page_shows_each_indicator_at_its_precision(hoy, tmp_path):
    """As on the monitoring pages: the Shannon index with 3 decimals, a count whole and grouped."""
    date = datetime.date(2025, 3, 1)
    run = AnalysisRun.objects.create(concept=hoy, extract="/srv/hoy.osm.pbf", status="done", progress=100, data_date=date,
                                     is_current=True)
    IndicatorValue.objects.create(concept=hoy, run=run, indicator="diversity_shannon", value=0.81234, date=date)
    IndicatorValue.objects.create(concept=hoy, run=run, indicator="building_count", value=1234.0, date=date)
    page = _page(client_for(member(hoy, "planner")), hoy)
    assert ">0,812<" in page and ">1.234<" in page
    from isek.monitoring import reports
    from tests.monitoring.test_isek_pdf import pdf_text

    reports.isek_pdf(hoy, tmp_path / "isek.pdf")  # the ISEK PDF's table of the analysis
    text = pdf_text(tmp_path / "isek.pdf")
    assert "Nutzungsvielfalt (Shannon) 0,812" in text and "Gebäude 1.234" in text, text[:3000]


def test_without_extract_and_city_layers_no_run_is_offered_nor_stored_and_the_area_is_shown(db):
    """A Köln planner started "Analyse starten" with neither and got a stored failed run ("Weder ein
    OSM-Extrakt noch städtische Ebenen …"), and "Fläche" read "–" although the boundary gives it."""
    concept = ConceptFactory(area=multipolygon(square(6.95, 50.94, 400)))
    client = client_for(member(concept, "planner"))
    page = _page(client, concept)
    assert 'id="no-input"' in page and "weder einen OSM-Extrakt noch städtische Ebenen" in page
    assert "Analyse starten" not in page
    assert f'href="/concepts/{concept.slug}/basemap/"' in page and f'href="/concepts/{concept.slug}/layers/"' in page
    row = page.split('data-indicator="area_ha"')[1].split("</tr>")[0]
    assert "16,0" in row and "aus der Abgrenzung" in row  # 400 m × 400 m = 16 ha
    # sent anyway (an old form, a second tab): refused with a message, nothing stored
    r = client.post(f"/concepts/{concept.slug}/analysis/", {"extract": "", "city_layers": "on"})
    assert "Die Stadt hat keine städtischen Ebenen, die die Analyse liest" in r.content.decode()
    assert not AnalysisRun.objects.filter(concept=concept).exists()
    with pytest.raises(ValidationError):
        services.start_run(OPERATOR, concept, "", True)
    assert not AnalysisRun.objects.exists()
