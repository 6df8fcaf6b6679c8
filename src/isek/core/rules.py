"""How services report a broken rule: a Django ValidationError with a code (and the field it is
about), so a form shows it at the field, an API answers it with its code, a command prints it."""

from __future__ import annotations

import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A colour as #RRGGBB: fields of action, themes, reference layers.
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", gettext_lazy("Farbe als #RRGGBB angeben."))
MIN_CONTRAST = 4.5  # WCAG 2.2, success criterion 1.4.3 (text of normal size)


def normalised_colour(text: str) -> str:
    """A colour as people write it – "ffcc00", "#FFCC00", the short "#0a5", CSS's "rgb(0, 75, 135)"
    (walk 22: the field cut it at 7 characters) – as #rrggbb ("#00aa55"); anything else is returned
    as typed (stripped), for ``colour_validator`` to refuse (decision 0086)."""
    value = (text or "").strip()
    rgb = re.fullmatch(r"rgb\(\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*\)", value, re.IGNORECASE)
    if rgb and all(int(c) <= 255 for c in rgb.groups()):
        return "#" + "".join(f"{int(c):02x}" for c in rgb.groups())
    digits = value[1:] if value.startswith("#") else value
    if re.fullmatch(r"[0-9a-fA-F]{3}", digits):
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits.lower()}" if re.fullmatch(r"[0-9a-fA-F]{6}", digits) else value


def host_name(text: str) -> str:
    """The host name in what people paste into a host-name field – "isek.bochum.de",
    "https://Isek.Bochum.de/", "isek.bochum.de:443" – lower case, without scheme, port and the
    final dot (walk 22: an address with https:// was refused instead of read). A path beyond "/"
    is refused (code "host_with_path"): a host name cannot carry one."""
    from urllib.parse import urlsplit

    value = (text or "").strip()
    if not value:
        return ""
    parts = urlsplit(value if "://" in value else f"//{value}")
    try:
        host = (parts.hostname or "").rstrip(".")
    except ValueError:  # e.g. a port that is no number: the model's check says what a host name is
        return value.lower()
    if parts.path not in ("", "/"):
        raise invalid(_("Ein Hostname trägt keinen Pfad: isek zeigt die Startseite der Stadt unter „%(h)s“ selbst. "
                        "Bitte den Pfad „%(p)s“ weglassen.") % {"h": host, "p": parts.path[:60]}, "host_with_path", "host")
    return host


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
