"""Settings: the chosen database really is used; production is safe by default."""

import os
import subprocess
import sys

from django.db import connection

PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='isek.config.settings'; django.setup();"
    "from django.conf import settings as s;"
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS)"
)


def test_database_backend_is_the_one_asked_for(db):
    if os.environ.get("DATABASE_URL", "").startswith("postgis"):
        assert connection.vendor == "postgresql"
        with connection.cursor() as c:
            c.execute("SELECT postgis_version()")
            assert c.fetchone()[0]
    else:
        assert connection.vendor == "sqlite"
        with connection.cursor() as c:
            c.execute("SELECT spatialite_version()")
            assert c.fetchone()[0]


def _probe(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ISEK_", "DATABASE_URL"))}
    base.update(ISEK_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", PROBE], env=base, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_secret(tmp_path):
    r = _probe(tmp_path, ISEK_MODE="production")
    assert r.returncode != 0 and "ISEK_SECRET_KEY is not set" in r.stderr


def test_production_is_safe_by_default(tmp_path):
    r = _probe(tmp_path, ISEK_MODE="production", ISEK_SECRET_KEY="x" * 50, ISEK_ALLOWED_HOSTS="isek.example.de")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False True True True ['isek.example.de']"


def test_demo_mode_generates_its_secret_in_var(tmp_path):
    r = _probe(tmp_path, ISEK_MODE="demo")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert r.stdout.startswith("False False False")


def test_unknown_mode_is_refused(tmp_path):
    r = _probe(tmp_path, ISEK_MODE="staging")
    assert r.returncode != 0 and "ISEK_MODE must be" in r.stderr


def test_production_passes_the_deployment_check(tmp_path):
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("ISEK_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))}  # the tests' own switch
    base.update(ISEK_VAR_DIR=str(tmp_path), ISEK_MODE="production", ISEK_SECRET_KEY="Zufall-9f3Qx7Lp2Vw8Rt5Yb1Nc-mK4sD6hJ0gT2eW9uA7zX3cV5bN8",
                ISEK_ALLOWED_HOSTS="isek.example.de")
    r = subprocess.run([sys.executable, "-m", "isek.cli", "check", "--deploy", "--fail-level", "WARNING"], env=base,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout
