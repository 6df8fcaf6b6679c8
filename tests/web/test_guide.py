"""Walk 10 (Offenbach): no page of isek linked the user guide. It is served as a page in the UI's
language (docs/benutzerhandbuch.md, docs/user-guide.md), with an anchor per section, linked from
the navigation ("Hilfe") and from the setup, KuF and readiness pages to their section."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from isek.web import guide
from tests.factories import ConceptFactory, member


def _ids(page: str) -> set[str]:
    return set(re.findall(r' id="([^"]+)"', page))


@pytest.mark.parametrize("language, title, section", [
    ("de", "isek – Benutzerhandbuch", "Kosten- und Finanzierungsübersicht (KuF)"),
    ("en", "isek – user guide", "Cost and finance overview (KuF)"),
])
def test_the_guide_is_a_page_in_the_ui_language_with_an_anchor_per_section(db, language, title, section):
    r = Client(HTTP_ACCEPT_LANGUAGE=language).get("/about/help/")
    page = r.content.decode()
    assert r.status_code == 200 and f'<h1 class="kern-heading-large">{title}</h1>' in page
    ident = guide.slug(section)
    assert f'<h2 id="{ident}">{section}</h2>' in page and f'href="#{ident}"' in page
    assert "<table>" in page  # the Markdown tables are tables
    assert 'href="/about/indicators/"' in page and 'href="indicators.md"' not in page and "dashboard.png" not in page
    assert 'id="nav-help"' in page


def test_raw_html_in_the_guide_is_escaped(tmp_path, monkeypatch):
    (tmp_path / "benutzerhandbuch.md").write_text("# Handbuch\n\n## Teil\n\n<script>alert(1)</script> [x](geheim.md)\n",
                                                  encoding="utf-8")
    monkeypatch.setattr(guide, "DOCS", tmp_path)
    found = guide.render("de", {})
    assert "<script>" not in found.html and "&lt;script&gt;" in found.html
    assert "geheim.md" not in found.html and found.toc == (("teil", "Teil"),)


def test_without_the_guide_the_page_says_so(db, tmp_path, monkeypatch):
    monkeypatch.setattr(guide, "DOCS", tmp_path)
    r = Client(HTTP_ACCEPT_LANGUAGE="de").get("/about/help/")
    assert r.status_code == 404 and "Das Benutzerhandbuch liegt dieser Installation nicht bei" in r.content.decode()


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_planners_pages_link_their_section_of_the_guide(db, language):
    concept = ConceptFactory(city__ags="06413000", city__name="Offenbach am Main")
    planner = Client(HTTP_ACCEPT_LANGUAGE=language)
    planner.force_login(member(concept, "planner"))
    sections = _ids(planner.get("/about/help/").content.decode())
    for path, key in (("setup/", "setup"), ("kuf/", "kuf"), ("readiness/", "readiness")):
        page = planner.get(f"/concepts/{concept.slug}/{path}").content.decode()
        link = re.search(r'id="guide-link" href="/about/help/#([^"]+)"', page)
        assert link and link.group(1) == guide.anchor(key, language) and link.group(1) in sections, path
        assert 'id="nav-help"' in page


@pytest.mark.parametrize("language, heading, now, stale", [
    ("de", "Rechtliche Seiten", "Die Administration der Stadt (für die Texte der Installation",
     "eine Rolle für die Verwaltung einer einzelnen Stadt folgt"),
    ("en", "Legal pages", "administrator (for the installation",
     "a role for administering one city will follow"),
])
def test_the_legal_pages_section_names_the_citys_administration_it_does_not_promise_it(db, language, heading, now, stale):
    """Walk 22 (Schwäbisch Gmünd): /about/help/ still said the city's administration "folgt",
    though the role exists (decision 0046)."""
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/about/help/").content.decode()
    section = re.split(rf'<h2 id="[^"]*">{heading}', page, maxsplit=1)[1].split("<h2", 1)[0]
    assert now in section.replace("\n", " ") and stale not in page.replace("\n", " ")
