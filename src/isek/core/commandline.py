"""What isek's import commands share: a file that must exist, a column mapping read from a JSON
file, and a refused input reported as the command's error (every problem on its own line)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from isek.core import jsontext
from isek.core.problems import InputError


@contextmanager
def refused() -> Iterator[None]:
    """An ``InputError`` raised inside becomes a ``CommandError`` listing its problems."""
    try:
        yield
    except InputError as exc:
        raise CommandError("\n".join(exc.messages(_))) from None


def existing_file(name: str) -> Path:
    path = Path(name)
    if not path.is_file():
        raise CommandError(f"Datei „{name}“ gibt es nicht.")
    return path


def mapping_file(name: str | None, from_json: Callable[[dict], object]):
    """The mapping in the JSON file ``name`` (None without one), read by ``from_json``."""
    if not name:
        return None
    try:
        data = jsontext.loads(Path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Die Zuordnung „{name}“ ist nicht lesbar: {exc}") from None
    with refused():
        return from_json(data)
