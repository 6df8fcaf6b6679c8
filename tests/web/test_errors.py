"""isek's failure page (handler500): 503 with Retry-After while the database cannot be reached,
500 otherwise, JSON for the API and OGC; a page that needs no database and shows no traceback.
PostgreSQL really restarted under load: tests/deploy/test_faults.py."""

import json

from django.db import OperationalError
from django.test import RequestFactory

from isek.web.errors import server_error


def _answer(exc, path="/concepts/x/"):
    try:
        raise exc
    except Exception:
        return server_error(RequestFactory().get(path))


def test_database_down_is_503_with_retry_after():
    r = _answer(OperationalError("could not connect to server: Connection refused"))
    body = r.content.decode()
    assert r.status_code == 503 and r["Retry-After"] == "5"
    assert "Die Datenbank ist gerade nicht erreichbar" in body and "Traceback" not in body and "Connection refused" not in body


def test_other_errors_are_500_without_details():
    r = _answer(ValueError("secret detail"))
    assert r.status_code == 500 and "Retry-After" not in r
    assert "Ein Fehler in isek" in r.content.decode() and "secret detail" not in r.content.decode()


def test_the_api_gets_json():
    r = _answer(OperationalError("server closed the connection unexpectedly"), "/api/v1/concepts/")
    assert r.status_code == 503 and json.loads(r.content)["detail"].startswith("Die Datenbank ist gerade nicht erreichbar")
