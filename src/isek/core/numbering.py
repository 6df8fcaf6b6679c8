"""Numbers such as "2.10" of measures and cost groups (no Django imports)."""

import re


def number_sort_key(number: str) -> str:
    """A string key so that 2.10 sorts after 2.9 in the database and in Python ("0002.0010")."""
    parts = []
    for part in str(number).split("."):
        digits = re.match(r"\d*", part).group()
        parts.append(digits.zfill(4) + part[len(digits):])
    return ".".join(parts)
