"""The answers when isek itself fails: a page that says what happened, never a traceback.

``server_error`` is Django's handler500. When the database cannot be reached (PostgreSQL
restarting, a network cut) it answers 503 with Retry-After: nothing is lost, the next request
reconnects (CONN_HEALTH_CHECKS) without anyone stepping in. The page is rendered without the
request's context (no session, no user: they would need the database).
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger("isek.errors")


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
    text = (_("Bitte in einigen Sekunden erneut versuchen; es ist nichts verloren gegangen.") if down else
            _("Die Anfrage konnte nicht bearbeitet werden. Der Fehler ist protokolliert; bitte später erneut versuchen."))
    if down:
        log.warning("database unavailable: %s %s", request.method, request.path)
    if request.path.startswith(("/api/", "/ogc/")):
        response = JsonResponse({"detail": f"{title}. {text}"}, status=status)
    else:
        response = HttpResponse(loader.render_to_string("web/error.html", {"title": title, "text": text, "status": status}),
                                status=status)
    if down:
        response["Retry-After"] = "5"
    return response
