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
