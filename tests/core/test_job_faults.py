"""A real worker process (`isek db_worker`) killed with SIGKILL in the middle of a job, on both
engines, each installation in processes of its own as in production: the job is queued by a
process that has ended (a web process restarted), the killed job is shown failed at once – not
running forever –, leaves no report file, is retried from its record by the next worker and then
done; a job cancelled while it runs stops and the worker goes on."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.installations import Migrated, isek_env, pg_port

PG_PORT = pg_port()
PG_DB = "isek_faults_test"
pytestmark = pytest.mark.database_independent

SETUP = """
from isek.demo import loader
loader.load(analyse_layers=False)
"""
QUEUE = """
from isek import access
from isek.concepts import services as concepts
from isek.monitoring import services
r = services.start_report(access.Operator("test"), concepts.concept_by_slug("bochum-innenstadt"), "isek")
print(r.pk)
"""
SHOW = """
from isek.concepts import services as concepts
from isek.monitoring import services
for r in services.reports_of(concepts.concept_by_slug("bochum-innenstadt")):
    print(r.pk, r.status, r.message)
"""

RETRY = """
from isek import access
from isek.concepts import services as concepts
from isek.monitoring import services
from isek.monitoring.models import Report
c = concepts.concept_by_slug("bochum-innenstadt")
services.retry_report(access.Operator("test"), c, Report.objects.get(pk={pk}))
"""
class Installation:
    def __init__(self, engine: str, var: Path, migrated: Migrated):
        self.engine, self.var = engine, var
        if engine == "postgis":
            self.env = isek_env(var, migrated.postgis(PG_DB))
        else:
            self.env = isek_env(var)
            migrated.spatialite(var)

    def isek(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "isek.cli", *args], env=self.env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
        return done.stdout

    def shell(self, code: str) -> str:
        return self.isek("shell", "-c", code)

    def worker(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "isek.cli", "db_worker", "--interval", "0.2", "--no-startup-delay"],
                                env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def row(self, pk: int) -> tuple:
        """(status, progress, worker, file) of report ``pk``, read beside isek (no Django here)."""
        sql = "SELECT status, progress, worker, file FROM monitoring_report WHERE id = %s"
        if self.engine == "postgis":
            with psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname={PG_DB}") as db:
                return db.execute(sql, (pk,)).fetchone()
        with sqlite3.connect(self.var / "isek.sqlite3", timeout=20) as db:
            return db.execute(sql.replace("%s", "?"), (pk,)).fetchone()

    def execute(self, sql: str, params: tuple) -> int:
        """Run ``sql``; the number of rows it changed."""
        if self.engine == "postgis":
            with psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname={PG_DB}") as db:
                return db.execute(sql, params).rowcount
        with sqlite3.connect(self.var / "isek.sqlite3", timeout=20) as db:
            return db.execute(sql.replace("%s", "?"), params).rowcount

    def wait(self, pk: int, states: set[str], timeout: float = 120) -> tuple:
        end = time.time() + timeout
        while time.time() < end:
            row = self.row(pk)
            if row[0] in states:
                return row
            time.sleep(0.05)
        raise AssertionError(f"report {pk} still {self.row(pk)}")

    def close(self):
        if self.engine == "postgis":
            with psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=postgres", autocommit=True) as db:
                db.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


@pytest.mark.parametrize("engine", ["spatialite", "postgis"])
def test_a_killed_worker_leaves_the_job_failed_and_retryable(engine, tmp_path, migrated):
    inst = Installation(engine, tmp_path / "var", migrated)
    try:
        inst.shell(SETUP)
        pk = int(inst.shell(QUEUE).split()[-1])  # queued by a process that has ended since
        reports = tmp_path / "var" / "reports"

        first = inst.worker()
        status, progress, worker, _file = inst.wait(pk, {"running", "done", "failed"})
        assert status == "running" and worker.endswith(f":{first.pid}")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        assert inst.row(pk)[0] == "running"  # nobody has looked yet
        shown = inst.shell(SHOW)
        assert f"{pk} failed Der Hintergrund-Prozess wurde unterbrochen" in shown
        assert not list(reports.glob(f"{pk}-*.pdf")), "no report file from a killed job"

        inst.shell(RETRY.format(pk=pk))
        assert inst.row(pk)[0] == "queued"
        second = inst.worker()
        try:
            status, progress, worker, file = inst.wait(pk, {"done", "failed", "cancelled"}, timeout=180)
            assert status == "done" and progress == 100 and worker.endswith(f":{second.pid}")
            assert Path(file).read_bytes().startswith(b"%PDF") and not list(reports.glob("*.partial"))

            again = int(inst.shell(QUEUE).split()[-1])
            inst.wait(again, {"running"})
            # what the cancel button writes for a running job (core.jobs.cancel; the page's path is in
            # test_jobs.py) – while the report is before its PDF step (75 %), the last point at which
            # it asks whether it was cancelled; how far it got by then depends on the machine's load
            landed = inst.execute("UPDATE monitoring_report SET cancel_requested = %s WHERE id = %s AND status = 'running' "
                                  "AND progress < 75", (True, again))
            assert landed == 1, f"the report ran past its last cancellation point before the cancel: {inst.row(again)}"
            status, *_ = inst.wait(again, {"cancelled", "done", "failed"}, timeout=180)
            assert status == "cancelled" and not list(reports.glob(f"{again}-*"))
            assert second.poll() is None, "the worker goes on after a cancelled job"
        finally:
            second.terminate()
            second.wait(timeout=60)
    finally:
        inst.close()
