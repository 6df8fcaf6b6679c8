"""isek's failure page (handler500): 503 with Retry-After while the database cannot be reached,
500 otherwise, JSON for the API and OGC; a page that needs no database and shows no traceback.
PostgreSQL really restarted under load: tests/deploy/test_faults.py."""

import json
import re

from django.db import OperationalError
from django.test import RequestFactory

from isek.web.errors import server_error


def _answer(exc, path="/concepts/x/", method="get"):
    try:
        raise exc
    except Exception:
        return server_error(getattr(RequestFactory(), method)(path))


def test_database_down_is_503_with_retry_after():
    r = _answer(OperationalError("could not connect to server: Connection refused"))
    body = r.content.decode()
    assert r.status_code == 503 and r["Retry-After"] == "5"
    assert "Die Datenbank ist gerade nicht erreichbar" in body and "Traceback" not in body and "Connection refused" not in body


def test_a_form_that_met_a_locked_database_says_nothing_was_saved_and_how_to_get_back():
    """Walk 7: a wizard save answered 503; the page said "nichts verloren" and showed "Anmelden"
    to a signed-in planner. The page cannot know the user (no database): it shows no account link
    at all, and for a form it says what to do."""
    r = _answer(OperationalError("database is locked"), "/concepts/new/", method="post")
    body = r.content.decode()
    assert r.status_code == 503
    assert "Das Formular wurde nicht gespeichert" in body and "Zurück" in body and "Sie bleiben angemeldet" in body
    assert "Anmelden" not in body and "Abmelden" not in body and "database is locked" not in body
    assert "es ist nichts verloren gegangen" in _answer(OperationalError("database is locked")).content.decode()


def test_other_errors_are_500_without_details():
    r = _answer(ValueError("secret detail"))
    assert r.status_code == 500 and "Retry-After" not in r
    assert "Ein Fehler in isek" in r.content.decode() and "secret detail" not in r.content.decode()


def test_the_api_gets_json():
    r = _answer(OperationalError("server closed the connection unexpectedly"), "/api/v1/concepts/")
    assert r.status_code == 503 and json.loads(r.content)["detail"].startswith("Die Datenbank ist gerade nicht erreichbar")


# --- every error page a citizen can reach, through the whole stack, in German and in English ------

import pytest  # noqa: E402
from django.test import Client  # noqa: E402

from tests.factories import ConceptFactory, UserFactory  # noqa: E402

TITLES = {
    400: ("Die Anfrage ist ungültig", "The request is not valid"),
    403: ("Kein Zugriff", "Access denied"),
    404: ("Seite nicht gefunden", "Page not found"),
    405: ("Diese Aktion ist hier nicht möglich", "This action is not possible here"),
    500: ("Ein Fehler in isek", "An error in isek"),
    "csrf": ("Das Formular ist abgelaufen", "The form has expired"),
}


def _requests(monkeypatch):
    """(expected status, title key, a function of a client's language that sends the request)."""
    internal = ConceptFactory(is_public=False, slug="intern")
    public = ConceptFactory(slug="offen")
    citizen = UserFactory()

    def not_found(lang):
        return Client(HTTP_ACCEPT_LANGUAGE=lang).get(f"/concepts/{internal.slug}/participation/")

    def forbidden(lang):
        c = Client(HTTP_ACCEPT_LANGUAGE=lang)
        c.force_login(citizen)
        return c.get(f"/concepts/{public.slug}/participation/phases/new/")

    def bad(lang):  # more form fields than Django takes (DATA_UPLOAD_MAX_NUMBER_FIELDS)
        return Client(HTTP_ACCEPT_LANGUAGE=lang).post("/accounts/login/", {f"f{n}": "x" for n in range(1100)})

    def not_allowed(lang):
        return Client(HTTP_ACCEPT_LANGUAGE=lang).put("/")

    def failing(lang):
        def broken(user):
            raise ValueError("secret detail")

        monkeypatch.setattr("isek.web.views.visible_concepts", broken)
        return Client(HTTP_ACCEPT_LANGUAGE=lang, raise_request_exception=False).get("/")

    def csrf(lang):
        return Client(HTTP_ACCEPT_LANGUAGE=lang, enforce_csrf_checks=True).post(
            "/accounts/login/", {"username": "x", "password": "y"})

    return [(404, 404, not_found), (403, 403, forbidden), (400, 400, bad), (405, 405, not_allowed),
            (500, 500, failing), (403, "csrf", csrf)]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_error_page_is_in_the_language_and_layout_of_the_site(db, monkeypatch, lang):
    for status, key, send in _requests(monkeypatch):
        r = send(lang)
        body = r.content.decode()
        title = TITLES[key][lang == "en"]
        assert r.status_code == status, (key, r.status_code)
        assert f'<html lang="{lang}">' in body, key
        assert f"<h1 class=\"kern-heading-large\">{title}</h1>" in body, (key, body[:3000])
        assert 'class="isek-header"' in body and 'id="main"' in body, key  # the site's layout
        assert "Not Found" not in body and "Forbidden" not in body and "Traceback" not in body, key
        assert "secret detail" not in body and "CSRF verification failed" not in body, key
        if status == 405:
            assert r["Allow"] == "GET, HEAD"


def test_an_isek_404_says_why(db):
    concept = ConceptFactory(slug="ohne-beteiligung")
    body = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{concept.slug}/participation/").content.decode()
    assert "Für dieses Konzept gibt es keine Beteiligung." in body
    resolver = Client(HTTP_ACCEPT_LANGUAGE="de").get("/gibt-es-nicht/").content.decode()
    main = resolver.split('id="main"')[1]
    # the path is not echoed as text; only the sign-in link returns to it (decision 0074)
    assert "Diese Seite gibt es nicht" in resolver and "gibt-es-nicht" not in re.sub(r'href="[^"]*"', "", main)
    assert 'href="/accounts/login/?next=/gibt-es-nicht/"' in main


def test_machine_paths_get_json(db):
    r = Client().get("/api/v1/gibt-es-nicht/")
    assert r.status_code == 404 and json.loads(r.content)["detail"].startswith("Seite nicht gefunden")


def test_a_refused_request_is_logged_as_one_line_without_traceback(db, caplog, settings):
    """Issue 22 walk: a 403 (a city page for someone not its administrator) filled the log with a
    traceback. It is one warning line naming the path."""
    import logging

    from tests.conftest import client_for
    from tests.factories import CityFactory, UserFactory

    settings.ISEK_REQUIRE_SECOND_FACTOR = False
    city = CityFactory(name="Halberstadt", ags="15085135")
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client_for(UserFactory()).get(f"/cities/{city.ags}/settings/").status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage()) for r in refusals] == [
        ("WARNING", f"Forbidden (Permission denied): /cities/{city.ags}/settings/")]
    assert refusals[0].exc_info is None and "Traceback" not in caplog.text


def test_a_request_for_a_host_not_allowed_is_logged_as_one_warning_line_without_traceback(db, caplog):
    """Issue 22 walk: a request under a host name not in ISEK_ALLOWED_HOSTS (a scanner, or a city's
    host name the operator has not entered yet) logged Django's error with the traceback of
    get_host. It is one warning line naming the host (decision 0086), and the answer is 400."""
    import logging

    with caplog.at_level(logging.INFO):
        assert Client(HTTP_HOST="isek.nirgendwo.example").get("/").status_code == 400
    lines = [r for r in caplog.records if r.name.startswith("django.security") or r.levelno >= logging.WARNING]
    assert [(r.name, r.levelname) for r in lines] == [("django.security.DisallowedHost", "WARNING")]
    assert lines[0].getMessage().startswith("Invalid HTTP_HOST header: 'isek.nirgendwo.example'.")
    assert lines[0].exc_info is None and "Traceback" not in caplog.text
    assert "Traceback" not in logging.getLogger().handlers[0].format(lines[0])
