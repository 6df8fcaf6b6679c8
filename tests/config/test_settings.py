"""Settings: the chosen database really is used; production is safe by default."""

import os
import subprocess
import sys

import pytest
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


# One process reads the settings module once per environment (a process each would cost 5 s each).
BASE_URLS = """
import importlib, json, os, sys
from django.core.exceptions import ImproperlyConfigured
found = []
for env in json.loads(sys.argv[1]):
    for k in [k for k in os.environ if k.startswith(("ISEK_", "DATABASE_URL"))]:
        del os.environ[k]
    os.environ.update(env)
    try:
        sys.modules.pop("isek.config.settings", None)
        found.append(importlib.import_module("isek.config.settings").ISEK_BASE_URL)
    except ImproperlyConfigured as exc:
        found.append("refused: " + str(exc))
print(json.dumps(found))
"""


def _base_urls(tmp_path, *envs) -> list[str]:
    import json

    base = {k: v for k, v in os.environ.items() if not k.startswith(("ISEK_", "DATABASE_URL"))}
    envs = [{"ISEK_VAR_DIR": str(tmp_path), **env} for env in envs]
    r = subprocess.run([sys.executable, "-c", BASE_URLS, json.dumps(envs)], env=base, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout)


@pytest.mark.database_independent
def test_production_without_a_base_url_refuses_a_host_pattern_and_takes_a_set_or_named_one(tmp_path):
    """Second reading (decision 0093): ISEK_BASE_URL came from the first of ISEK_ALLOWED_HOSTS, so
    "*" gave the mails' links "https://*/…". Such a start is refused, saying what to set; an
    address set is taken (a bad one refused), a host name still gives one; the demo needs none."""
    production = {"ISEK_MODE": "production", "ISEK_SECRET_KEY": "x" * 50}
    refused, pattern, empty, taken, named, bad, demo = _base_urls(
        tmp_path, {**production, "ISEK_ALLOWED_HOSTS": "*"}, {**production, "ISEK_ALLOWED_HOSTS": ".example.org,isek.example.org"},
        {**production, "ISEK_ALLOWED_HOSTS": ""},
        {**production, "ISEK_ALLOWED_HOSTS": "*", "ISEK_BASE_URL": "https://isek.example.org:8443"},
        {**production, "ISEK_ALLOWED_HOSTS": "isek.example.org,.example.org"},
        {**production, "ISEK_ALLOWED_HOSTS": "*", "ISEK_BASE_URL": "isek.example.org"},
        {"ISEK_MODE": "demo", "ISEK_ALLOWED_HOSTS": "*"})
    assert refused == ("refused: ISEK_BASE_URL is not set, and the first of ISEK_ALLOWED_HOSTS ('*') is a pattern, not a "
                       "host name: the links in isek's mails would lead nowhere. Set ISEK_BASE_URL to the installation's "
                       "address (e.g. ISEK_BASE_URL=https://isek.bochum.de), or put its host name first in "
                       "ISEK_ALLOWED_HOSTS.")
    assert pattern.startswith("refused: ISEK_BASE_URL is not set") and "('.example.org') is a pattern" in pattern
    assert empty.startswith("refused: ISEK_BASE_URL is not set, and the first of ISEK_ALLOWED_HOSTS is missing")
    assert (taken, named, demo) == ("https://isek.example.org:8443", "https://isek.example.org", "http://localhost:8000")
    assert bad.startswith("refused: ISEK_BASE_URL must be the installation's address") and "'isek.example.org'" in bad
