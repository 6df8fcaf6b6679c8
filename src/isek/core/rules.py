"""How services report a broken rule: a Django ValidationError with a code (and the field it is
about), so a form shows it at the field, an API answers it with its code, a command prints it."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy

# A colour as #RRGGBB: fields of action, themes, reference layers.
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", gettext_lazy("Farbe als #RRGGBB angeben."))


def invalid(message: str, code: str, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: [error]}) if field else error


def keys_after(existing, changed, removed, key) -> list:
    """``key`` of every row once ``changed`` (new or edited instances) are saved and ``removed`` are
    deleted: the rows a uniqueness rule must hold for."""
    gone = {o.pk for o in removed}
    by_pk = {o.pk: o for o in changed if o.pk}
    return [key(by_pk.get(o.pk, o)) for o in existing if o.pk not in gone] + [key(o) for o in changed if not o.pk]


def repeated(keys) -> list[str]:
    """The keys that occur more than once, sorted, as text."""
    return sorted(str(k) for k, n in Counter(keys).items() if n > 1)


def printable(text: str, limit: int) -> str:
    """``text`` without control characters, at most ``limit`` characters: for names that arrive
    from clients outside any form (PostgreSQL refuses NUL in text)."""
    return "".join(ch for ch in (text or "") if ch.isprintable())[:limit]
