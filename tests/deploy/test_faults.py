"""Faults an installation lives through, in real processes: PostgreSQL restarted under load
(requests fail cleanly – an error page, no traceback – and succeed again without anyone stepping
in), the web process killed with SIGKILL in the middle of a geodata import and of a spreadsheet
import (the database is as before or as after, never half), and a full disk while a report or an
upload is written (a clear error, nothing half written). The job killed mid-run is in
tests/core/test_job_faults.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.deploy import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
PORT = 54349  # a PostgreSQL of this test's own: restarting the suite's would disturb the other run
PG_DIR = "/tmp/isek-pg-faults"
PG_ENV = {**os.environ, "ISEK_PG_PORT": str(PORT), "ISEK_PG_DIR": PG_DIR}
DB = "isek"
pytestmark = pytest.mark.database_independent


def _pg(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "tools/pg.sh"), action], env=PG_ENV, check=True, capture_output=True)


def _pg_ctl(*args: str) -> None:
    cmd = ["/usr/lib/postgresql/15/bin/pg_ctl", "-D", f"{PG_DIR}/data", *args]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True)



@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """isek on a PostgreSQL of its own with the Bochum demo (without the city-layer analysis)."""
    _pg("start")
    with psycopg.connect(f"host=127.0.0.1 port={PORT} user=postgres dbname=postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {DB}")
    with psycopg.connect(f"host=127.0.0.1 port={PORT} user=postgres dbname={DB}", autocommit=True) as db:
        db.execute("CREATE EXTENSION postgis")
    var = tmp_path_factory.mktemp("faults")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(ISEK_MODE="demo", ISEK_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="isek.config.settings",
               DATABASE_URL=f"postgis://postgres@127.0.0.1:{PORT}/{DB}")
    _isek(env, "migrate", "-v0")
    _isek(env, "shell", "-c", "from isek.demo import loader; loader.load(analyse_layers=False)")
    yield env, var
    _pg("stop")


def _isek(env, *args, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "isek.cli", *args], env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Language": "de"}), timeout=30) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        return 0, str(e)


def test_postgresql_restarted_under_load(installation):
    env, var = installation
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "isek.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    # what reads the database on every request: the API's list (its version check) and a planner-free page
    urls = [f"{base}/api/v1/concepts/bochum-innenstadt/measures/?limit=5", f"{base}/concepts/bochum-innenstadt/changes/",
            f"{base}/api/v1/concepts/"]
    try:
        end = time.time() + 60
        while _get(urls[0])[0] != 200:
            assert time.time() < end, "isek did not start"
            time.sleep(0.3)
        answers: list[tuple[float, int, str]] = []
        running = True

        def load():
            i = 0
            while running:
                status, body = _get(urls[i % len(urls)])
                answers.append((time.time(), status, body))
                i += 1

        threads = [threading.Thread(target=load, daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        down = time.time()
        _pg_ctl("-m", "fast", "-w", "stop")
        time.sleep(3)
        _pg_ctl("-w", "-t", "60", "-o", f"-p {PORT} -c listen_addresses=127.0.0.1 -k {PG_DIR}/sock "
                "-c fsync=off", "-l", f"{PG_DIR}/log", "start")
        up = time.time()
        time.sleep(4)
        running = False
        for t in threads:
            t.join(timeout=30)
        during = [(s, b) for t, s, b in answers if down + 0.5 < t < up]
        after = [s for t, s, _b in answers if t > up + 2]
        # while it is down: the error page (503), or an answer that needed no database (a cached one)
        assert any(s == 503 for s, _b in during) and {s for s, _b in during} <= {200, 302, 503}, \
            sorted({s for s, _b in during})
        assert all("Die Datenbank ist gerade nicht erreichbar" in b for s, b in during if s == 503)
        assert all("Traceback" not in b for _s, b in during)
        assert after and all(s in (200, 302) for s in after), sorted(set(after))
        assert all(s in (200, 302, 503) for _t, s, _b in answers), sorted({s for _t, s, _b in answers})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def _quarters_geojson(n: int, path: Path) -> Path:
    """``n`` small quarters around Bochum's funding area (most of them beyond it), as one GeoJSON file."""
    features = []
    for i in range(n):
        x, y = 7.2045 + (i % 40) * 0.0006, 51.4755 + (i // 40) * 0.0004
        features.append({"type": "Feature", "properties": {"name": f"Block {i}"}, "geometry": {
            "type": "Polygon", "coordinates": [[[x, y], [x + 0.0004, y], [x + 0.0004, y + 0.0003], [x, y + 0.0003], [x, y]]]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _writing(table: str) -> bool:
    """Does a transaction hold a write lock on ``table`` (it has written and not yet committed)?"""
    with psycopg.connect(f"host=127.0.0.1 port={PORT} user=postgres dbname={DB}") as db:
        return bool(db.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                               "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted",
                               (table,)).fetchone()[0])


@pytest.mark.parametrize("what", ["geodata", "spreadsheet"])
def test_killed_in_the_middle_of_an_import(installation, tmp_path, what):
    """The import runs in the process a web request would (the same service); SIGKILL arrives while
    its transaction is open. The database keeps what it had; the same import afterwards works."""
    env, _var = installation
    if what == "geodata":
        source = _quarters_geojson(1500, tmp_path / "bloecke.geojson")
        # most of the blocks lie beyond the funding area: confirmed, as a planner would (decision 0072)
        args, table = ["import", "bochum-innenstadt", str(source), "--as", "quarters", "--confirm-area"], "concepts_quarter"
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(["Nummer", "Titel", "Handlungsfeld", "Kostengruppe", "2025", "2026"])
        for i in range(1, 400):
            ws.append([f"9.{i}", f"Maßnahme {i}", 1, "10.1", 1000 + i, 2000 + i])
        source = tmp_path / "liste.xlsx"
        wb.save(source)
        args, table = ["import-measures", "bochum-innenstadt", str(source)], "concepts_measure"

    def state():
        with psycopg.connect(f"host=127.0.0.1 port={PORT} user=postgres dbname={DB}") as db:
            return (db.execute("SELECT count(*), coalesce(sum(length(name)), 0) FROM concepts_quarter").fetchone(),
                    db.execute("SELECT count(*) FROM concepts_measure").fetchone(),
                    db.execute("SELECT count(*) FROM finance_costitem").fetchone(),
                    db.execute("SELECT count(*) FROM core_changerecord").fetchone())

    start = state()
    # its output into a file, not a pipe nobody reads while it runs: the import's warnings (one per
    # quarter beyond the funding area, until decision 0080 named five) filled a pipe's 64 KB and
    # blocked it before it wrote (run 10)
    out = tmp_path / "import.out"
    with out.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "isek.cli", *args], env=env, stdout=sink, stderr=subprocess.STDOUT)
    end = time.time() + 120
    while not _writing(table) and proc.poll() is None:
        assert time.time() < end, out.read_text()[-500:]
        time.sleep(0.01)
    assert proc.poll() is None, ("the import finished before it could be killed", out.read_text()[-500:])
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.5)
    assert state() == start, "a killed import left part of its writes"
    done = _isek(env, *args)
    assert state() != start, done.stdout
