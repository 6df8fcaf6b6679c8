"""Numbers such as "2.10" of measures and cost groups (no Django imports)."""

import re


def number_sort_key(number: str) -> str:
    """A string key so that 2.10 sorts after 2.9 in the database and in Python ("0002.0010")."""
    parts = []
    for part in str(number).split("."):
        digits = re.match(r"\d*", part).group()
        parts.append(digits.zfill(4) + part[len(digits):])
    return ".".join(parts)


def under(number: str, prefix: str) -> bool:
    """Whether ``number`` is ``prefix`` or lies below it ("2.3.1" under "2.3", "2.30" not)."""
    return number == prefix or number.startswith(prefix + ".")


def moved_under(number: str, old: str, new: str) -> str:
    """``number`` with its leading ``old`` replaced by ``new`` ("2.3.1", "2.3", "1.2" → "1.2.1")."""
    return new + number[len(old):] if under(number, old) else number


def next_free(prefix: str, taken) -> str:
    """The number after the last one directly under ``prefix`` in ``taken`` ("1" with 1.1, 1.2 → "1.3")."""
    last = max((int(n[len(prefix) + 1:]) for n in taken
                if n.startswith(prefix + ".") and n[len(prefix) + 1:].isdigit()), default=0)
    return f"{prefix}.{last + 1}"
