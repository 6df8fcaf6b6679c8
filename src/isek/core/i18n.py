"""One way to choose the language of data: records keep their German text and, optionally, an
English one; ``pick`` gives the English text when the UI speaks English and there is one."""

from __future__ import annotations

from django.utils.translation import get_language


def pick(german: str, english: str) -> str:
    return english if english and (get_language() or "de").startswith("en") else german
