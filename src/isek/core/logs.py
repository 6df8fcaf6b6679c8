"""Filters for isek's logging (settings.LOGGING)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class RefusalWithoutTraceback(logging.Filter):
    """A refused request (403, PermissionDenied) is an everyday answer, not a fault: Django's
    ``django.request`` logs it with the exception's traceback; this keeps the one line
    ("Forbidden (Permission denied): /path") and drops the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True


class DisallowedHostOneLine(logging.Filter):
    """A request for a host name the installation does not serve (``ALLOWED_HOSTS``) is a scanner
    or a name not yet entered in ``ISEK_ALLOWED_HOSTS``, not a fault of isek: Django logs it on
    ``django.security.DisallowedHost`` as an error with the traceback of ``get_host``; this makes it
    one warning line ("Invalid HTTP_HOST header: 'x'. You may need to add 'x' to ALLOWED_HOSTS.")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True
