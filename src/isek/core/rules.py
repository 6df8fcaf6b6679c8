"""How services report a broken rule: a Django ValidationError with a code (and the field it is
about), so a form shows it at the field, an API answers it with its code, a command prints it."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def invalid(message: str, code: str, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: [error]}) if field else error
