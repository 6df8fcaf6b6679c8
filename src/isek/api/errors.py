"""Every refusal of the API as JSON: {"detail": "…", "errors": {field: ["…"]}} – a service's
ValidationError and a file's InputError become 400, the policy's 404/403 keep their status."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from isek.core.problems import InputError


def handler(exc, context):
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"detail": _("Die Angaben wurden nicht gespeichert."), "errors": errors}, status=400)
    if isinstance(exc, InputError):
        return Response({"detail": _("Die Angaben wurden nicht gespeichert."), "errors": {"file": exc.messages(_, get_language())}},
                        status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("Nicht gefunden."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("Das ist Ihnen nicht erlaubt."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": _("Die Angaben wurden nicht gespeichert."),
                         "errors": {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()}}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": str(data["detail"])}
    return response
