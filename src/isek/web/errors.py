"""The pages a person sees when a request goes wrong: in the site's language and layout, saying
what happened and what to do, never a traceback or Django's bare English page. Django's handlers
(handler400/403/404/500 in isek.config.urls), the CSRF failure view (CSRF_FAILURE_VIEW) and
``ErrorPageMiddleware`` (a 405 without a body, from isek.access.routes or a view's decorator)
all answer through ``error_page``; below /api/ and /ogc/ the answer is JSON.

``server_error`` is Django's handler500. When the database cannot be reached (PostgreSQL
restarting, a network cut) it answers 503 with Retry-After: nothing is lost, the next request
reconnects (CONN_HEALTH_CHECKS) without anyone stepping in. The page is rendered without the
request's context (no session, no user: they would need the database).
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

from isek import access
from isek.accounts.services import administration
from isek.concepts.services import CityRole, city_by_ags, city_people

from .context import site

log = logging.getLogger("isek.errors")

MACHINE_PATHS = ("/api/", "/ogc/")
# below /api/ but read by people in a browser: their errors are pages (a citizen asking for the API
# keys page read a line of JSON, walk of issue 22)
PEOPLES_PATHS = ("/api/tokens/", "/api/docs/")


def for_machines(request) -> bool:
    """Below /api/ and /ogc/ (and /ogc itself, the OGC landing page) every answer is JSON, errors
    included: clients (QGIS, GDAL, scripts) parse it – except the pages people read there
    (``PEOPLES_PATHS``: the API keys, the API's documentation)."""
    path = request.path
    return path == "/ogc" or (path.startswith(MACHINE_PATHS) and not path.startswith(PEOPLES_PATHS))


def error_page(request, status: int, title: str, text: str, *, with_request: bool = True,
               link: tuple[str, str] | None = None) -> HttpResponse:
    """The answer for ``status``: the site's page (JSON for the API and OGC). ``with_request``
    False renders without the request's context (no session, no user, no database); ``link``:
    (address, text) of what the person can do instead."""
    if for_machines(request):
        return JsonResponse({"detail": f"{title}. {text}"}, status=status)
    # Without the request's context the page cannot know who is signed in: it shows neither
    # "Anmelden" nor "Abmelden" (a signed-in planner read "Anmelden" on a 503 and thought the
    # session lost, walk 7).
    context = {"title": title, "text": text, "status": status, "no_account": not with_request, **site(request),
               "link": link}
    html = loader.render_to_string("web/error.html", context, request=request if with_request else None)
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return error_page(request, 400, _("Die Anfrage ist ungültig"),
                      _("Die Anfrage konnte so nicht verarbeitet werden (zum Beispiel ein zu großes oder beschädigtes "
                        "Formular). Bitte die Seite neu laden und erneut versuchen."))


def permission_denied(request, exception=None):
    if exception is not None and exception.args == (access.MODERATION_ONLY,):
        # a moderator on a concept that is not public (decision 0077): they moderate its participation
        match = getattr(request, "resolver_match", None)
        slug = match.kwargs.get("slug") if match is not None else None
        link = (reverse("participation:moderation", args=[slug]), _("Zur Moderation der Beteiligung")) if slug else None
        return error_page(request, 403, _("Nur die Moderation"),
                          _("Dieses Konzept ist noch nicht öffentlich. Als Moderation sehen Sie seinen Plan erst, wenn "
                            "es veröffentlicht ist; die Beiträge der Beteiligung moderieren Sie schon jetzt. Für mehr "
                            "wenden Sie sich bitte an die Planerinnen und Planer des Konzepts."), link=link)
    if exception is not None and exception.args == (access.AUTHORITY_ONLY,):
        # the planner on the approval form (decision 0087): not the planners' to give, nor to ask for
        return error_page(request, 403, _("Das trägt die Bewilligungsbehörde ein"),
                          _("Den Zuwendungsbescheid, die Prüfung des Antrags, die Freigabe von Mittelabrufen und die "
                            "Prüfung des Verwendungsnachweises trägt die Bewilligungsbehörde in isek ein, nicht die "
                            "Stadt. Sobald sie entschieden hat, steht ihre Entscheidung auf der Seite des Antrags, und "
                            "die Planerinnen und Planer des Konzepts bekommen eine E-Mail."))
    if exception is not None and exception.args == (access.STAFF_ONLY,):
        # a citizen's own account on the API keys page (decision 0084)
        return error_page(request, 403, _("Nur für Konten der Verwaltung"),
                          _("API-Schlüssel gibt es für Konten der Verwaltung, nicht für Bürgerkonten; öffentliche "
                            "Daten liest die API ohne Schlüssel."), link=(reverse("api-docs"), _("Zur API-Dokumentation")))
    if exception is not None and exception.args == (access.SITE_DENIED,):
        # a page of the installation (legal texts, invitations, cities): its administration's, not
        # the concept planners' – a planner refused there is the person the general text names
        match = getattr(request, "resolver_match", None)
        ags = match.kwargs.get("ags") if match is not None else None
        city = city_by_ags(ags) if isinstance(ags, str) else None
        route = access.route_of(match.func) if match is not None else None
        rule = route.rule(request.method) if route is not None else None
        if city is not None and isinstance(rule, access.Site) and \
                access.Role.CITY_ADMIN not in access.SITE_POLICY.get((rule.resource, rule.action), ()):
            # a page about the city that is the installation's administration's, not the city's own
            # (its name, addresses, key and administrators): a city's administrator refused there was
            # told to ask themselves (walk 22e)
            return error_page(request, 403, _("Kein Zugriff"),
                              _("Diese Seite gehört der Administration der Installation (isek), nicht der Stadt %(c)s: "
                                "sie legt Städte an und bestimmt ihren Namen, ihre Adressen, ihren Gemeindeschlüssel und "
                                "ihre Administration. Wenn Sie hier etwas ändern lassen möchten, wenden Sie sich bitte an "
                                "%(who)s.") % {"c": city.name, "who": administration()})
        if city is not None:
            # a page of a city (decision 0046): it names the city and whom to turn to, but not the
            # addresses of the city's administrators – a refused person may be anyone signed in,
            # of any city; the city's administration is reachable through the city itself
            if city_people(city, CityRole.Role.ADMIN):
                who = _("die Administration der Stadt %(c)s") % {"c": city.name}
            else:
                who = administration()
            return error_page(request, 403, _("Kein Zugriff"),
                              _("Diese Seite ist der Administration der Stadt %(c)s vorbehalten. Wenn Sie hier etwas "
                                "ändern lassen möchten, wenden Sie sich bitte an %(who)s.") % {"c": city.name, "who": who})
        if route is not None and any(getattr(cell, "somewhere", False) for cell in route.methods.values()):
            # a page every city's administration uses for its own city (the feedback list)
            return error_page(request, 403, _("Kein Zugriff"),
                              _("Diese Seite ist der Administration der Stadt oder von isek vorbehalten. Wenn Sie hier "
                                "etwas ändern lassen möchten, wenden Sie sich bitte an die Administration Ihrer Stadt "
                                "oder an %(who)s.") % {"who": administration()})
        return error_page(request, 403, _("Kein Zugriff"),
                          _("Diese Seite ist der Administration von isek vorbehalten. Wenn Sie hier etwas ändern lassen "
                            "möchten, wenden Sie sich bitte an %(who)s.") % {"who": administration()})
    return error_page(request, 403, _("Kein Zugriff"),
                      _("Für diese Seite fehlt Ihnen die Berechtigung. Wenn Sie sie brauchen, wenden Sie sich bitte an "
                        "die Planerinnen und Planer des Konzepts, oder melden Sie sich mit einem anderen Konto an."))


def page_not_found(request, exception=None):
    # An Http404 raised with a message of isek's (translated, written for people) says why; the
    # resolver's own (the patterns tried) is never shown.
    said = exception.args[0] if type(exception) is Http404 and exception.args else None
    return error_page(request, 404, _("Seite nicht gefunden"), said if isinstance(said, str) and said else
                      _("Diese Seite gibt es nicht, oder sie ist nicht öffentlich. Bitte die Adresse prüfen oder auf "
                        "der Startseite weitersuchen."))


def csrf_failure(request, reason=""):
    return error_page(request, 403, _("Das Formular ist abgelaufen"),
                      _("Das Formular wurde nicht angenommen, weil seine Sicherheitsprüfung fehlt oder abgelaufen ist "
                        "(zum Beispiel nach langer Pause oder ohne Cookies). Bitte die Seite neu laden und erneut "
                        "senden; es wurde nichts gespeichert."))


def method_not_allowed(request) -> HttpResponse:
    return error_page(request, 405, _("Diese Aktion ist hier nicht möglich"),
                      _("Diese Adresse nimmt diese Art von Anfrage nicht an (zum Beispiel ein Formular, das an eine "
                        "reine Anzeigeseite geschickt wurde). Bitte von der Seite aus erneut versuchen."))


class ErrorPageMiddleware:
    """A 405 without a body (isek.access.routes, Django's require_* decorators) gets the site's
    page; its Allow header stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            page = method_not_allowed(request)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response


def _database_down(exc) -> bool:
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        if isinstance(exc, DatabaseError) and "connection" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    exc = sys.exc_info()[1]
    down = _database_down(exc)
    status = 503 if down else 500
    title = _("Die Datenbank ist gerade nicht erreichbar") if down else _("Ein Fehler in isek")
    if down and request.method == "POST":
        # A form sent: say that nothing of it was saved and how to get back to it.
        text = _("Das Formular wurde nicht gespeichert. Bitte mit „Zurück“ im Browser zum Formular gehen, die "
                 "Eingaben prüfen und es in einigen Sekunden erneut senden. Sie bleiben angemeldet.")
    elif down:
        text = _("Bitte in einigen Sekunden erneut versuchen; es ist nichts verloren gegangen.")
    else:
        text = _("Die Anfrage konnte nicht bearbeitet werden. Der Fehler ist protokolliert; bitte später erneut versuchen.")
    if down:
        log.warning("database unavailable: %s %s", request.method, request.path)
    response = error_page(request, status, title, text, with_request=False)
    if down:
        response["Retry-After"] = "5"
    return response
