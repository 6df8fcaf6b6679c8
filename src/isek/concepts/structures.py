"""Structure templates for a new concept: fields of action with goals, each template with its
source (no Django; the data are JSON files in ``structures/``).

A template gives a planner a start; everything in it can be changed afterwards. Its goals are
suggestions and are stored as illustrative.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FILES = Path(__file__).resolve().parent / "structures"


@dataclass(frozen=True)
class TemplateField:
    number: int
    name: str
    name_en: str
    colour: str
    goals: tuple[tuple[str, str], ...]  # (number, title)


@dataclass(frozen=True)
class Template:
    key: str
    label_de: str
    label_en: str
    source: str
    goals_illustrative: bool
    fields: tuple[TemplateField, ...]
    city: str = ""  # the city whose concept or participation it comes from; empty for a general one


def _load(path: Path) -> Template:
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = tuple(TemplateField(int(f["number"]), f["name"], f.get("name_en", ""), f["colour"],
                                 tuple((str(n), str(t)) for n, t in f.get("goals", ()))) for f in data["fields"])
    return Template(data["key"], data["label_de"], data.get("label_en", ""), data["source"],
                    bool(data.get("goals_illustrative", True)), fields, data.get("city", ""))


@lru_cache(maxsize=1)
def templates() -> dict[str, Template]:
    """Every template by key: the general ones first, then those of a city; each in file-name order."""
    loaded = [_load(path) for path in sorted(FILES.glob("*.json"))]
    return {t.key: t for t in sorted(loaded, key=lambda t: bool(t.city))}
