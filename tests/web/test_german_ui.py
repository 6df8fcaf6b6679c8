"""The German UI speaks German (issue 20, point 2): the main planner pages, rendered in German,
show none of the English a new user found – indicator units ("count", "index", "m²/resident"),
the analysis's "needs the layer …", a definitions "link" that was the text docs/indicators.md.
(The map's drawing tools are named at run time: tests/browser/test_concept_map.py.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import client_for

ENGLISH = [r"\bcount\b", r"\bindex\b", r"m²/resident", r"\bneeds\b", r"the layer", r"an OSM extract",
           r"docs/indicators\.md", r"Marker tool", r"\bDelete\b", r"per resident"]


class _Visible(HTMLParser):
    """The text a person sees or hears: text outside scripts and styles, and the attributes read
    out or shown (title, aria-label, alt, placeholder)."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in ("title", "aria-label", "alt", "placeholder") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The visible text, without cells marked as English (lang="en": the indicators' definitions)."""
    p = _Visible()
    p.feed(re.sub(r'<td[^>]*lang="en"[^>]*>.*?</td>', "", html, flags=re.S))
    return " ".join(p.parts)


@pytest.fixture
def analysed(db):
    """The Bochum demo with its analysis of the city's layers (a run that reports what it lacks)."""
    from isek.demo import loader

    concept = loader.load()
    loader.ensure_users(concept, "pw-test-123")
    return concept


def _planner():
    from django.contrib.auth import get_user_model

    from isek.demo import loader

    return client_for(get_user_model().objects.get(username=loader.PLANNER))


def _pages(concept):
    from isek.concepts.models import Measure
    from isek.monitoring.models import Indicator

    s = concept.slug
    m = Measure.objects.filter(concept=concept).exclude(geometry=None).first()
    ind = Indicator.objects.get(concept=concept, code="playgrounds_count")
    return ["/", f"/concepts/{s}/", f"/concepts/{s}/measures/{m.pk}/", f"/concepts/{s}/measures/{m.pk}/edit/",
            f"/concepts/{s}/kuf/", f"/concepts/{s}/kuf/measures/{m.pk}/", f"/concepts/{s}/analysis/",
            f"/concepts/{s}/dashboard/", f"/concepts/{s}/readiness/", f"/concepts/{s}/funds/", f"/concepts/{s}/indicators/", f"/concepts/{s}/indicators/{ind.pk}/",
            "/about/indicators/", "/about/data/"]


def test_planner_pages_in_german_show_no_english(analysed):
    c = _planner()
    found = {}
    for path in _pages(analysed):
        r = c.get(path)
        if r.status_code != 200:
            found[path] = r.status_code
            continue
        text = visible_text(r.content.decode())
        hits = [w for w in ENGLISH if re.search(w, text)]
        if hits:
            found[path] = [re.search(rf".{{0,60}}{w}.{{0,60}}", text, re.S).group(0) for w in hits]
    assert found == {}


def test_units_and_reasons_are_german_and_english_in_their_uis(analysed):
    c = _planner()
    page = visible_text(c.get(f"/concepts/{analysed.slug}/analysis/").content.decode())
    assert "Anzahl" in page and "m² je Einwohner" in page
    assert "Definitionen der Indikatoren" in page
    c.get("/language/en/")
    page = c.get(f"/concepts/{analysed.slug}/analysis/").content.decode()
    assert "count" in visible_text(page) and "m² per resident" in visible_text(page)
    assert 'href="/about/indicators/"' in page


def test_the_definitions_page_lists_every_indicator():
    from isek.analysis import indicators

    client = client_for(None)
    page = client.get("/about/indicators/").content.decode()
    for i in indicators.REGISTRY.values():
        assert f'id="{i.id}"' in page and i.name_de in page
    # German definitions on the German page (walk 5: they were English), English on the English one.
    text = visible_text(page)
    assert "Anzahl der Haltestellen im Gebiet" in text and "Number of stops" not in text
    assert "Teile einer Relation public_transport=stop_area" in text
    client.get("/language/en/")
    text = visible_text(client.get("/about/indicators/").content.decode())
    assert "Number of stops in the area" in text and "Anzahl der Haltestellen" not in text
