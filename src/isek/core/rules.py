"""How services report a broken rule: a Django ValidationError with a code (and the field it is
about), so a form shows it at the field, an API answers it with its code, a command prints it."""

from __future__ import annotations

import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy

# A colour as #RRGGBB: fields of action, themes, reference layers.
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", gettext_lazy("Farbe als #RRGGBB angeben."))
MIN_CONTRAST = 4.5  # WCAG 2.2, success criterion 1.4.3 (text of normal size)


def normalised_colour(text: str) -> str:
    """A colour as people write it – "ffcc00", "#FFCC00", the short "#0a5" – as #rrggbb ("#00aa55");
    anything else is returned as typed (stripped), for ``colour_validator`` to refuse (decision 0086)."""
    value = (text or "").strip()
    digits = value[1:] if value.startswith("#") else value
    if re.fullmatch(r"[0-9a-fA-F]{3}", digits):
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits.lower()}" if re.fullmatch(r"[0-9a-fA-F]{6}", digits) else value


def contrast_on_white(colour: str) -> float:
    """The contrast ratio of ``colour`` (#RRGGBB) against white by WCAG 2.2's formula:
    (L1 + 0.05) / (L2 + 0.05) with the relative luminance of sRGB; 1.0 for white, 21.0 for black."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour or ""):
        return 1.0

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


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
