"""Fresh isek installations for the tests that run isek in processes of their own (backup round
trip, killed worker): a migrated database without a single migration run per installation.

Migrating from scratch takes 5 to 15 s a database (SpatiaLite's spatial metadata, PostgreSQL's
hundreds of DDL statements); the suite would do it again for every such installation. Instead the
first installation of a run migrates one database of each engine in a process of its own; the
others start from a copy: the SpatiaLite file copied, the PostGIS database created with it as
TEMPLATE (PostgreSQL copies the files; well under a second). The migrations themselves stay
tested: pytest-django creates each run's test database by migrating it (docs/decisions/0032)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

TEMPLATE_DB = "isek_migrated_test"


def pg_port() -> int:
    """The suite's PostgreSQL (tools/pg.sh) on loopback."""
    return int(os.environ.get("ISEK_PG_PORT", 54329))


def admin(dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(f"host=127.0.0.1 port={pg_port()} user=postgres dbname={dbname}", autocommit=True)


def isek_env(var: Path, database_url: str | None = None) -> dict:
    """The environment of an isek process with its own var directory (and database)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ISEK_MODE="demo", ISEK_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="isek.config.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _migrate(env: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "isek.cli", "migrate", "-v0"], env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])


class Migrated:
    """Hands out migrated, empty databases; see the module's docstring."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self._sqlite: Path | None = None
        self._template = False
        self._made: set[str] = set()

    def spatialite(self, var: Path) -> None:
        """A migrated SpatiaLite database at the place an installation in ``var`` uses."""
        if self._sqlite is None:
            _migrate(isek_env(self.workdir / "spatialite"))
            self._sqlite = self.workdir / "spatialite" / "isek.sqlite3"
        var.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._sqlite, var / "isek.sqlite3")

    def postgis(self, name: str) -> str:
        """A migrated PostGIS database ``name`` (replacing one of that name); its DATABASE_URL."""
        if not self._template:
            self._drop(TEMPLATE_DB)
            with admin() as db:
                db.execute(f"CREATE DATABASE {TEMPLATE_DB}")
            with admin(TEMPLATE_DB) as db:
                db.execute("CREATE EXTENSION postgis")
            _migrate(isek_env(self.workdir / "postgis", self.url(TEMPLATE_DB)))
            self._template = True
        self._drop(name)
        with admin() as db:
            db.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
        self._made.add(name)
        return self.url(name)

    @staticmethod
    def url(name: str) -> str:
        return f"postgis://postgres@127.0.0.1:{pg_port()}/{name}"

    @staticmethod
    def _drop(name: str) -> None:
        with admin() as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        """Drop the databases handed out and the template (a run leaves none behind)."""
        for name in self._made:
            self._drop(name)
        if self._template:
            self._drop(TEMPLATE_DB)
