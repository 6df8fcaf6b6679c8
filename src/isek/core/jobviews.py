"""The two buttons every background job has on its page: cancel and retry (core.jobs)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import get_language, gettext

from .problems import InputError


def job_action(request, action: str, cancel, retry, back: str):
    """POST of the cancel or retry button: call the service, say what happened, back to the page."""
    try:
        if action == "cancel":
            messages.success(request, cancel())
        else:
            retry()
            messages.success(request, gettext("Erneut gestartet; der Fortschritt steht unten."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except InputError as exc:
        messages.error(request, " ".join(exc.messages(gettext, get_language())))
    return redirect(back)
