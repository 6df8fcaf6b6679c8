"""The analysis in the platform: a planner starts a run (a background task in the database
queue), the worker executes it with progress, dated values are stored and shown."""

import datetime

import pytest
from django.core.management import call_command

from isek.analysis.models import AnalysisRun, IndicatorValue
from tests.conftest import client_for
from tests.data import data_dir

SLUG = "bochum-innenstadt"
DATA = data_dir("osm")
REQUIRED_DATA = [DATA / "osm" / "hoyerswerda_altstadt.osm.pbf"]


def test_demo_has_bochum_city_layer_values(db):
    from isek.demo import loader

    bochum = loader.load()  # as `isek demo` loads it
    run = AnalysisRun.objects.get(concept=bochum)
    assert run.status == "done" and run.progress == 100
    assert "Überbauungsgrad: braucht einen OSM-Extrakt" in run.message
    area = {v.indicator: v.value for v in IndicatorValue.objects.filter(run=run, quarter=None)}
    assert area["schools_count"] > 0 and area["heritage_count"] > 50 and 0 < area["pt_coverage_300m"] <= 100
    assert "building_coverage" not in area
    assert IndicatorValue.objects.filter(run=run, quarter__isnull=False).count() == 4 * len(area)


@pytest.mark.django_db(transaction=True)
def test_planner_runs_an_analysis_in_the_background():
    from isek.demo import loader

    bochum = loader.load()
    loader.ensure_users(bochum, "pw-test-123")
    from django.contrib.auth import get_user_model

    planner = client_for(get_user_model().objects.get(username="planerin"))
    first = AnalysisRun.objects.get(concept=bochum)
    # Bochum has no OSM extract of its own: none of another city's is offered.
    page = planner.get(f"/concepts/{SLUG}/analysis/").content.decode()
    assert "hoyerswerda_altstadt" not in page and "lauf_an_der_pegnitz" not in page
    r = planner.post(f"/concepts/{SLUG}/analysis/", {"extract": "", "city_layers": "on"})
    assert r.status_code == 302
    run = AnalysisRun.objects.filter(concept=bochum).first()
    assert run.status == "queued" and run != first
    assert planner.get(f"/concepts/{SLUG}/analysis/runs/{run.pk}.json").json()["status"] == "queued"
    # The worker takes the task from the database queue; the finished run is the current analysis.
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1)
    run.refresh_from_db()
    first.refresh_from_db()
    assert run.status == "done", run.message
    assert run.is_current and not first.is_current
    assert IndicatorValue.objects.filter(run=first).count() == IndicatorValue.objects.filter(run=run).count() > 0
    page = planner.get(f"/concepts/{SLUG}/analysis/").content.decode()
    assert page.count("als aktuelle Analyse verwenden") == 1


def test_reviewer_reads_but_cannot_start(users, bochum):
    reviewer = client_for(users["reviewer"])
    assert reviewer.get(f"/concepts/{SLUG}/analysis/").status_code == 200
    assert reviewer.post(f"/concepts/{SLUG}/analysis/", {"extract": "", "city_layers": "on"}).status_code == 403
    assert client_for(users["outsider"]).get(f"/concepts/{SLUG}/analysis/").status_code == 403


def test_unlisted_extract_is_refused(planner_client, bochum):
    n = AnalysisRun.objects.count()
    r = planner_client.post(f"/concepts/{SLUG}/analysis/", {"extract": "/etc/passwd", "city_layers": "on"})
    assert r.status_code == 200 and AnalysisRun.objects.count() == n


def test_lauf_example_concept_has_the_full_set_and_a_rerun_on_the_same_data_counts_once(db):
    """Lauf in the platform: the full indicator set for the town and the Altstadt, dated with the
    extract's timestamp (its newest object's, 15.01.2020, as the base map says; not the newest
    tagged object's, 14.01.), from the real extract. Run again on the same data, both runs are kept
    and the values count once (one analysis of the town fewer than two tests would make)."""
    from isek.analysis import indicators as ind
    from isek.analysis import jobs, services
    from isek.demo import loader

    lauf = loader.load_lauf()
    run = AnalysisRun.objects.get(concept=lauf)
    assert run.status == "done" and run.data_date == datetime.date(2020, 1, 15)
    # Only the population-based indicator lacks its input.
    missing, note = run.message.split("; ")
    assert missing == "Grünfläche je Einwohner: braucht Einwohnerzahlen je Gebiet (Einwohner)"
    assert note.startswith("Vollständigkeit des Extrakts im Fördergebiet: ") and " Gebäude, " in note
    altstadt = lauf.quarters.get(name="Altstadt")
    values = {v.indicator: v.value for v in IndicatorValue.objects.filter(concept=lauf, quarter=altstadt)}
    assert len(values) == len(ind.REGISTRY) - 1
    town = {v.indicator: v.value for v in IndicatorValue.objects.filter(concept=lauf, quarter=None)}
    assert town["shops_count"] == 190 and town["building_count"] > 6000
    assert values["building_coverage"] > town["building_coverage"]
    n = IndicatorValue.objects.filter(concept=lauf).count()
    first = AnalysisRun.objects.get(concept=lauf)
    second = AnalysisRun.objects.create(concept=lauf, extract=first.extract, city_layers=False)
    jobs.execute(second)
    assert IndicatorValue.objects.filter(run=second).count() == IndicatorValue.objects.filter(run=first).count() == n
    assert services.current_run(lauf) == second
    assert services.counted_values(lauf).count() == n  # one run per data date counts
    assert services.latest_values(lauf)["shops_count"]["area"] == (190.0, datetime.date(2020, 1, 15), 1, "")
