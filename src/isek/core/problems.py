"""One problem type for file and table input (geodata, indicator CSV, spreadsheets). No Django.

A problem is a message id (German, the source language of the catalogue) with its parameters and,
where it has one, the row or feature and the field it is about. Pure modules mark message ids with
``gettext_noop`` (so ``makemessages`` collects them) and never translate; the delivery layer renders
them in the user's language with ``InputError.messages(gettext, language)``; a parameter that knows
how to write itself in a language (``in_language``, e.g. ``numbers.Coordinates``) is written so
(German where no language is given: the messages' source language).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def gettext_noop(msgid: str) -> str:
    """Mark ``msgid`` for the translation catalogue; it is translated where it is shown."""
    return msgid


@dataclass(frozen=True)
class Problem:
    msgid: str
    params: Mapping = field(default_factory=dict)
    row: int | None = None  # 1-based feature or row number in the file
    field: str | None = None

    def render(self, translate: Callable[[str], str] = str, language: str | None = None) -> str:
        text = translate(self.msgid)
        if not self.params:
            return text
        return text % {k: v.in_language(language) if hasattr(v, "in_language") else v for k, v in self.params.items()}


class InputError(Exception):
    """The input cannot be used; ``problems`` lists every problem found. Nothing was stored."""

    def __init__(self, problems: list[Problem | str]):
        self.problems = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        super().__init__("; ".join(self.errors))

    @property
    def errors(self) -> list[str]:
        """The problems in German (the source language)."""
        return [p.render() for p in self.problems]

    def messages(self, translate: Callable[[str], str], language: str | None = None) -> list[str]:
        return [p.render(translate, language) for p in self.problems]


def too_large(size: int, max_bytes: int) -> Problem:
    """The problem of a file above a size limit (sizes in bytes, shown in MB)."""
    from .numbers import Figure  # numbers builds on this module

    return Problem(gettext_noop("Die Datei ist %(size)s MB groß; erlaubt sind höchstens %(max_bytes)s MB."),
                   {"size": Figure(size / 1e6, 1), "max_bytes": Figure(max_bytes / 1e6, 1)})


def row_spans(rows: list[int]) -> str:
    """Row numbers as runs: [2, 3, 4, 7] → "2–4, 7"."""
    out: list[list[int]] = []
    for r in sorted(set(rows)):
        if out and r == out[-1][1] + 1:
            out[-1][1] = r
        else:
            out.append([r, r])
    return ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in out)


def rows_problem(rows: list[int], one: str, many: str, **params) -> Problem:
    """One problem for every row of ``rows`` with the same cause ("Zeilen 2–17: …"): ``one`` for a
    single row, ``many`` for several, each with ``%(rows)s``."""
    return Problem(one if len(rows) == 1 else many, {"rows": row_spans(rows), **params}, row=min(rows))
