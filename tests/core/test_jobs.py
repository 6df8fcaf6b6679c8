"""Background jobs keep an honest record (core.jobs): claimed once, a heartbeat while they run,
cancelled at the next step, retried from the page, and failed – not running forever – when their
worker is gone. The same for reports, analysis runs and base maps; killing a real worker process
is in test_job_faults.py."""

from __future__ import annotations

import datetime
import os
import time

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from isek.analysis.models import AnalysisRun
from isek.core import jobs
from isek.geodata.models import BaseMap
from isek.monitoring import jobs as report_jobs
from isek.monitoring import reports
from isek.monitoring.models import Report
from tests.conftest import client_for

BASE = "/concepts/bochum-innenstadt"


def _report(bochum, **fields) -> Report:
    return Report.objects.create(concept=bochum, kind="monitoring", year=2025, **fields)


def test_a_job_is_claimed_once_and_records_its_worker(bochum):
    report = _report(bochum)
    assert jobs.claim(Report, report.pk)
    assert not jobs.claim(Report, report.pk)
    report.refresh_from_db()
    assert report.status == "running" and report.worker == jobs.worker_id() and report.heartbeat_at is not None


def test_heartbeat_beats_while_the_job_runs(bochum, transactional_db):
    report = _report(bochum)
    jobs.claim(Report, report.pk)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    with jobs.heartbeat(Report, report.pk, seconds=0.05):
        time.sleep(0.3)
    report.refresh_from_db()
    assert timezone.now() - report.heartbeat_at < datetime.timedelta(seconds=5)


def test_a_missed_beat_does_not_stop_the_heartbeat(bochum, transactional_db, monkeypatch):
    """A beat that meets a database error (busy, restarting) is logged and the next one is tried:
    a dead heartbeat thread would let the running job look dead after the stale time."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    report = _report(bochum)
    jobs.claim(Report, report.pk)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    real_update, calls = QuerySet.update, []

    def update(self, **kwargs):
        if "heartbeat_at" in kwargs and len(kwargs) == 1:
            calls.append(1)
            if len(calls) <= 2:
                raise OperationalError("database is locked")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)
    with jobs.heartbeat(Report, report.pk, seconds=0.05):
        deadline = time.monotonic() + 10
        while len(calls) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    report.refresh_from_db()
    assert len(calls) >= 4, "the heartbeat stopped after a failed beat"
    assert timezone.now() - report.heartbeat_at < datetime.timedelta(seconds=5)


def test_cancelled_while_queued_the_worker_does_nothing(bochum, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    report = _report(bochum)
    assert jobs.cancel_job(report) == "Abgebrochen."
    report_jobs.execute(report)
    report.refresh_from_db()
    assert report.status == "cancelled" and report.worker == ""
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_cancelled_while_running_it_stops_at_the_next_step_and_leaves_no_file(bochum, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    report = _report(bochum)

    def slow_build(concept, kind, path, year=None, progress=None, version=None):
        path.write_text("half a report")
        progress(30, "")
        jobs.cancel_job(Report.objects.get(pk=report.pk))  # the planner presses "abbrechen" meanwhile
        progress(60, "")
        raise AssertionError("not reached")

    monkeypatch.setattr(reports, "build", slow_build)
    report_jobs.execute(report)
    report.refresh_from_db()
    assert report.status == "cancelled" and report.message == "Abgebrochen." and report.progress == 30
    assert list((tmp_path / "reports").iterdir()) == []


@pytest.mark.parametrize("model", [Report, AnalysisRun, BaseMap])
def test_sweep_fails_jobs_whose_worker_is_gone_or_silent(bochum, model):
    def job(worker, beat_seconds_ago):
        fields = {"status": "running", "worker": worker,
                  "heartbeat_at": timezone.now() - datetime.timedelta(seconds=beat_seconds_ago)}
        if model is Report:
            return _report(bochum, **fields)
        if model is AnalysisRun:
            return AnalysisRun.objects.create(concept=bochum, **fields)
        BaseMap.objects.filter(city=bochum.city).delete()
        return BaseMap.objects.create(city=bochum.city, extract="x.osm.pbf", extract_name="x", **fields)

    if model is BaseMap:  # one per city: each case on its own
        cases = [("elsewhere:1", 5, "running"), ("elsewhere:1", 120, "failed"),
                 (jobs.worker_id(), 5, "running"), (f"{jobs.worker_id().rpartition(':')[0]}:{2**22 + 7}", 5, "failed")]
        for worker, ago, expected in cases:
            j = job(worker, ago)
            jobs.sweep(model.objects.all())
            j.refresh_from_db()
            assert j.status == expected, (worker, ago)
        return
    host = jobs.worker_id().rpartition(":")[0]
    alive_elsewhere, silent_elsewhere = job("elsewhere:1", 5), job("elsewhere:1", 120)
    alive_here, dead_here = job(jobs.worker_id(), 5), job(f"{host}:{2**22 + 7}", 5)  # pid beyond pid_max
    assert jobs.sweep(model.objects.all()) == 2
    states = {j.pk: model.objects.get(pk=j.pk) for j in (alive_elsewhere, silent_elsewhere, alive_here, dead_here)}
    assert states[alive_elsewhere.pk].status == states[alive_here.pk].status == "running"
    assert states[silent_elsewhere.pk].status == states[dead_here.pk].status == "failed"
    assert "unterbrochen" in states[dead_here.pk].message and states[dead_here.pk].finished_at


def test_the_reports_page_shows_a_dead_job_failed_and_retries_it(users, bochum, django_capture_on_commit_callbacks):
    report = _report(bochum, status="running", worker="elsewhere:1", heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    planner = client_for(users["planner"])
    page = planner.get(f"{BASE}/reports/")
    assert "erneut starten" in page.content.decode()
    report.refresh_from_db()
    assert report.status == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        r = planner.post(f"{BASE}/reports/{report.pk}/retry/", follow=True)
    assert "Erneut gestartet" in r.content.decode()
    report.refresh_from_db()
    assert report.status == "queued" and report.message == "" and report.worker == ""
    assert DBTaskResult.objects.filter(args_kwargs__args=[report.pk]).exists()


def test_cancel_and_retry_from_the_pages(users, bochum, django_capture_on_commit_callbacks):
    planner = client_for(users["planner"])
    report = _report(bochum)
    run = AnalysisRun.objects.create(concept=bochum, status="running", worker=jobs.worker_id(), heartbeat_at=timezone.now())
    r = planner.post(f"{BASE}/reports/{report.pk}/cancel/", follow=True)
    assert "Abgebrochen." in r.content.decode()
    r = planner.post(f"{BASE}/analysis/runs/{run.pk}/cancel/", follow=True)
    assert "Wird beim nächsten Arbeitsschritt abgebrochen." in r.content.decode() and "wird abgebrochen" in r.content.decode()
    run.refresh_from_db()
    assert run.status == "running" and run.cancel_requested
    assert planner.get(f"{BASE}/analysis/runs/{run.pk}.json").json()["cancel_requested"] is True
    with django_capture_on_commit_callbacks(execute=True):
        planner.post(f"{BASE}/reports/{report.pk}/retry/")
    report.refresh_from_db()
    assert report.status == "queued"


def test_base_map_cancel_and_retry(users, bochum, django_capture_on_commit_callbacks):
    planner = client_for(users["planner"])
    bm = BaseMap.objects.create(city=bochum.city, extract="/x/bochum.osm.pbf", extract_name="bochum.osm.pbf",
                                concept=bochum, analyse=True)
    r = planner.post(f"{BASE}/basemap/cancel/", follow=True)
    assert "Abgebrochen." in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        planner.post(f"{BASE}/basemap/retry/")
    bm.refresh_from_db()
    assert bm.status == "queued"
    task = DBTaskResult.objects.filter(task_path__endswith="build_basemap").latest("enqueued_at")
    assert task.args_kwargs["args"][:3] == [bm.pk, bochum.pk, True]


def test_refused_and_pointless_job_actions_change_nothing(users, bochum):
    done = _report(bochum, status="done", progress=100)
    queued = _report(bochum)
    before = list(Report.objects.order_by("pk").values_list("pk", "status", "cancel_requested", "message"))
    planner = client_for(users["planner"])
    r = planner.post(f"{BASE}/reports/{done.pk}/cancel/", follow=True)
    assert "schon beendet" in r.content.decode()
    r = planner.post(f"{BASE}/reports/{queued.pk}/retry/", follow=True)
    assert "Nur fehlgeschlagene, abgebrochene oder seit Langem wartende" in r.content.decode()
    assert client_for(users["reviewer"]).post(f"{BASE}/reports/{queued.pk}/cancel/").status_code == 403
    assert client_for(users["stranger"]).post(f"{BASE}/reports/{queued.pk}/cancel/").status_code == 403
    assert client_for(None).post(f"{BASE}/reports/{queued.pk}/cancel/").status_code == 302  # to the login
    assert planner.get(f"{BASE}/reports/{queued.pk}/cancel/").status_code == 405
    assert planner.post(f"{BASE}/reports/999999/cancel/").status_code == 404
    other = client_for(users["stranger"])
    assert other.post(f"/concepts/lauf-altstadt/reports/{queued.pk}/cancel/").status_code == 404  # not that concept's
    r = planner.post(f"{BASE}/basemap/retry/", follow=True)
    assert "keinen Auftrag" in r.content.decode()
    assert list(Report.objects.order_by("pk").values_list("pk", "status", "cancel_requested", "message")) == before


def test_worker_id_is_this_process():
    assert jobs.worker_id().endswith(f":{os.getpid()}")
