"""One way to choose the language of data: records keep their German text and, optionally, an
English one; ``pick`` gives the English text when the UI speaks English and there is one."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Units are kept as codes (the analysis registry's, and what planners type); these are shown as words.
UNITS = {
    "count": _("Anzahl"),
    "index": _("Index"),
    "m²/resident": _("m² je Einwohner"),
    "1/ha": _("je ha"),
    "1/km²": _("je km²"),
}


def unit_label(unit: str) -> str:
    """A unit as the UI shows it: the known codes in the UI's language, any other text as written."""
    return str(UNITS.get(unit, unit))


def pick(german: str, english: str) -> str:
    return english if english and (get_language() or "de").startswith("en") else german
