"""The user guide as a page: docs/benutzerhandbuch.md (German) and docs/user-guide.md (English),
rendered from Markdown (CommonMark with tables; raw HTML is escaped, never passed through), each
section with an anchor that pages link to ("Hilfe"). The guide is read from the checkout isek runs
from (production runs from one too: isek.deploy.stack); a file that is not there gives None."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt

DOCS = Path(__file__).resolve().parents[3] / "docs"
FILES = {"de": "benutzerhandbuch.md", "en": "user-guide.md"}

# The sections pages link to, by their heading in each language (the anchor is made from it).
SECTIONS = {
    "setup": {"de": "Ein Konzept für eine neue Stadt anlegen", "en": "Starting a concept for a new city"},
    "readiness": {"de": "Was fehlt noch für den Förderantrag?",
                  "en": "What is still missing for the funding application?"},
    "kuf": {"de": "Kosten- und Finanzierungsübersicht (KuF)", "en": "Cost and finance overview (KuF)"},
    "application": {"de": "Der Förderantrag (Programmanmeldung)", "en": "The funding application (Programmanmeldung)"},
    "review": {"de": "Prüfung durch die Bewilligungsbehörde", "en": "Review by the funding authority"},
    "approval": {"de": "Der Zuwendungsbescheid", "en": "The approval (Zuwendungsbescheid)"},
    "payments": {"de": "Mittelabruf und Verwendungsnachweis", "en": "Payment requests and the proof of use"},
}


@dataclass(frozen=True)
class Guide:
    title: str
    html: str
    toc: tuple[tuple[str, str], ...]  # (anchor, heading) of the sections (level 2)


def slug(heading: str) -> str:
    """"Kosten- und Finanzierungsübersicht (KuF)" → "kosten-und-finanzierungsuebersicht-kuf"."""
    spelt = heading.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return re.sub(r"[^a-z0-9]+", "-", spelt).strip("-")


def anchor(key: str, language: str) -> str:
    """The anchor of section ``key`` (SECTIONS) in the guide of ``language``."""
    headings = SECTIONS[key]
    return slug(headings.get(language) or headings["de"])


def language_of(language: str | None) -> str:
    return (language or "de")[:2] if (language or "de")[:2] in FILES else "de"


def render(language: str, links: dict[str, str]) -> Guide | None:
    """The guide in ``language`` ("de", "en"), or None where its file is missing. ``links``: the
    guide's relative links that isek serves as pages (e.g. "indicators.md" → its page); other
    relative links become their text, images their alternative text."""
    path = DOCS / FILES[language_of(language)]
    if not path.is_file():
        return None
    return _render(path, path.stat().st_mtime_ns, tuple(sorted(links.items())))


@cache
def _render(path: Path, _mtime: int, links: tuple[tuple[str, str], ...]) -> Guide:
    served = dict(links)
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    lines = path.read_text(encoding="utf-8").splitlines()
    title = lines[0].removeprefix("# ").strip() if lines and lines[0].startswith("# ") else ""
    tokens = md.parse("\n".join(lines[1:] if title else lines))
    toc, seen = [], set()
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            text = tokens[i + 1].content
            ident = slug(text)
            while ident in seen:
                ident += "-1"
            seen.add(ident)
            token.attrSet("id", ident)
            if token.tag == "h2":
                toc.append((ident, text))
        if token.type == "inline" and token.children:
            token.children = _local(token.children, served)
    return Guide(title, md.renderer.render(tokens, md.options, {}), tuple(toc))


def _local(children, served: dict[str, str]):
    """Links to what isek serves point there; other relative links and images become text."""
    from markdown_it.token import Token

    out, dropping = [], 0
    for child in children:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if href in served:
                child.attrSet("href", served[href])
            elif not href.startswith(("http://", "https://", "mailto:", "#")):
                dropping += 1
                continue
        elif child.type == "link_close" and dropping:
            dropping -= 1
            continue
        elif child.type == "image":
            text = Token("text", "", 0)
            text.content = child.content
            child = text
        out.append(child)
    return out
