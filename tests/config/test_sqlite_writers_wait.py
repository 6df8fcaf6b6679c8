"""A write on the embedded database waits for another writer instead of failing (#20, walk 7: a
wizard save answered 503 "database is locked" while the demo's worker was writing).

Django opens SQLite transactions DEFERRED: a transaction that has read cannot wait for the write
lock (SQLite would risk a deadlock) and fails at once. isek's settings open them IMMEDIATE. The
scenario runs on a database file of its own (the test database is in memory with a shared cache,
whose locks work differently), with the options isek's settings give SQLite; the DEFERRED case
proves that the scenario really meets another writer."""

import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

pytestmark = pytest.mark.database_independent

HOLD = 1.0  # seconds the other writer keeps its write transaction open


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """Registers a connection alias on a new SQLite file with the given options; yields the alias
    (pytest-django's block on database access is lifted for this file only: it is not the test
    database)."""
    made = []

    def make(options):
        alias = f"writers_{len(made)}"
        connections.settings[alias] = {
            **connections["default"].settings_dict, "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / f"{alias}.sqlite3"), "OPTIONS": dict(options), "CONN_MAX_AGE": 0,
            "TEST": {},
        }
        made.append(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE item (n integer)")
        return alias

    with django_db_blocker.unblock():
        yield make
    for alias in made:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def _read_then_write_while_another_writes(alias):
    """Another thread holds a write transaction for HOLD seconds; meanwhile this thread runs a
    transaction that reads and then writes (as a service does). Returns (error or None, seconds)."""
    holding = threading.Event()

    def other_writer():
        try:
            with transaction.atomic(using=alias):
                with connections[alias].cursor() as cursor:
                    cursor.execute("INSERT INTO item VALUES (1)")
                holding.set()
                time.sleep(HOLD)
        finally:
            connections[alias].close()

    worker = threading.Thread(target=other_writer)
    worker.start()
    assert holding.wait(10), "the other writer did not start"
    started = time.monotonic()
    error = None
    try:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM item")
                cursor.execute("INSERT INTO item VALUES (2)")
    except OperationalError as exc:
        error = exc
    finally:
        worker.join(20)
    return error, time.monotonic() - started


def test_a_write_waits_for_the_other_writer_with_isek_settings(file_database):
    alias = file_database(settings.SQLITE_OPTIONS)
    error, seconds = _read_then_write_while_another_writes(alias)
    assert error is None, f"the second writer failed: {error}"
    assert seconds >= HOLD * 0.9, "the second writer did not wait for the first"
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT n FROM item ORDER BY n")
        assert [n for (n,) in cursor.fetchall()] == [1, 2]


def test_the_scenario_meets_another_writer_deferred_fails_at_once(file_database):
    alias = file_database({**settings.SQLITE_OPTIONS, "transaction_mode": "DEFERRED"})
    error, seconds = _read_then_write_while_another_writes(alias)
    assert error is not None and "locked" in str(error)
    assert seconds < settings.SQLITE_OPTIONS["timeout"] / 2


def test_the_embedded_database_is_configured_with_these_options():
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    if settings.DATABASES["default"]["ENGINE"].endswith("spatialite"):
        assert settings.DATABASES["default"]["OPTIONS"].items() >= settings.SQLITE_OPTIONS.items()
