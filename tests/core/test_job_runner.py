"""One job runner (core.jobs.run) for reports, analysis runs and base maps: an unexpected exception
in a job's body fails the job at once – not when its heartbeat goes stale – with a message the
reader sees in their language; an error the app expects keeps its own message; a finished job is
done with its results."""

from __future__ import annotations

import pytest

from isek.analysis import jobs as analysis_jobs
from isek.analysis.models import AnalysisRun
from isek.analysis.run import AnalysisError
from isek.core import jobs
from isek.geodata import basemaps
from isek.geodata import jobs as basemap_jobs
from isek.geodata.models import BaseMap
from isek.monitoring import jobs as report_jobs
from isek.monitoring import reports
from isek.monitoring.models import Report
from tests.conftest import client_for

BASE = "/concepts/bochum-innenstadt"
GERMAN = "Interner Fehler: der Auftrag ist unerwartet abgebrochen"
ENGLISH = "Internal error: the job stopped unexpectedly"


class Boom(Exception):
    pass


def _report(bochum):
    report = Report.objects.create(concept=bochum, kind="monitoring", year=2025)
    return report, lambda: report_jobs.execute(report), f"{BASE}/reports/{report.pk}.json", f"{BASE}/reports/"


def _run(bochum):
    run = AnalysisRun.objects.create(concept=bochum)
    return run, lambda: analysis_jobs.execute(run), f"{BASE}/analysis/runs/{run.pk}.json", f"{BASE}/analysis/"


def _basemap(bochum):
    bm = BaseMap.objects.create(city=bochum.city, extract="/x/bochum.osm.pbf", extract_name="bochum.osm.pbf",
                                concept=bochum)
    return bm, lambda: basemap_jobs.execute(bm.pk, bochum.pk), f"{BASE}/basemap/status/", f"{BASE}/basemap/"


# Where each kind's body is made to fail: (module, attribute) and the app's known error.
KINDS = {
    "report": (_report, (reports, "build"), lambda: reports.ReportError("Für 2025 fehlt die Fassung.")),
    "analysis": (_run, (analysis_jobs, "compute"), lambda: AnalysisError("Dieser Extrakt ist nicht freigegeben.")),
    "basemap": (_basemap, (basemaps, "build"), lambda: basemaps.BaseMapError(["Der Extrakt ist leer."])),
}


def _fail_with(monkeypatch, job, where, exc):
    """Make ``job``'s body raise ``exc`` at ``where``."""
    def failing(*args, **kwargs):
        raise exc

    if isinstance(job, AnalysisRun):  # the body reaches compute only with a source: the city's layers
        monkeypatch.setattr(analysis_jobs, "_city_layers", lambda concept, crs: ({"x": object()}, ["Stadt"]))
        AnalysisRun.objects.filter(pk=job.pk).update(city_layers=True)
        job.refresh_from_db()
    monkeypatch.setattr(*where, failing)


@pytest.fixture
def settings_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.ISEK_DATA_DIRS = []
    return settings


@pytest.mark.parametrize("kind", KINDS)
def test_an_unexpected_error_fails_the_job_at_once_in_the_readers_language(users, bochum, settings_var, monkeypatch,
                                                                             kind):
    make, where, _known = KINDS[kind]
    job, execute, status_url, page_url = make(bochum)
    _fail_with(monkeypatch, job, where, Boom("kaputt"))
    with pytest.raises(Boom):  # raised again: the worker logs its traceback
        execute()
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None and job.message == jobs.CRASHED
    planner = client_for(users["planner"])
    assert planner.get(status_url).json()["message"].startswith(GERMAN)
    assert planner.get(status_url, HTTP_ACCEPT_LANGUAGE="en").json()["message"].startswith(ENGLISH)
    assert GERMAN in planner.get(page_url).content.decode()
    assert ENGLISH in planner.get(page_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_a_known_error_keeps_its_own_message(bochum, settings_var, monkeypatch, kind):
    make, where, known = KINDS[kind]
    job, execute, _status, _page = make(bochum)
    exc = known()
    _fail_with(monkeypatch, job, where, exc)
    execute()  # handled: nothing raised
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.message == (" ".join(exc.errors) if kind == "basemap" else str(exc)) and job.message != jobs.CRASHED


def test_the_analysis_errors_of_the_job_are_translated(users, bochum, settings_var):
    run = AnalysisRun.objects.create(concept=bochum, extract="", city_layers=False)
    analysis_jobs.execute(run)
    run.refresh_from_db()
    assert run.status == "failed" and run.message == "Weder ein OSM-Extrakt noch städtische Ebenen stehen zur Verfügung."
    en = client_for(users["planner"]).get(f"{BASE}/analysis/runs/{run.pk}.json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["message"] == "Neither an OSM extract nor city layers are available."


def test_a_body_that_returns_is_done(bochum, settings_var, monkeypatch):
    report = Report.objects.create(concept=bochum, kind="monitoring", year=2025)
    calls = []
    assert jobs.run(Report, report.pk, lambda job: (job.progress(40), calls.append(1)))
    report.refresh_from_db()
    assert report.status == "done" and report.progress == 100 and report.finished_at and calls == [1]
    assert not jobs.run(Report, report.pk, lambda job: calls.append(2))  # claimed once
    assert calls == [1]
