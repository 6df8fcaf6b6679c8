"""The links between the pages of a long list (web/_pages.html, walk 24): the previous and next
page and the numbers of the pages around this one, the first and the last, "…" between."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from isek.web import paging


def test_page_numbers_around_the_page_with_the_first_and_the_last():
    assert paging.numbers(1, 1) == [1]
    assert paging.numbers(1, 7) == [1, 2, 3, None, 7]
    assert paging.numbers(5, 7) == [1, 2, 3, 4, 5, 6, 7]  # one number between is shown, not "…"
    assert paging.numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_the_navigation_links_previous_next_and_the_numbers_and_marks_this_page():
    request = RequestFactory().get("/", {"seite": "3"})
    paged = paging.page_of(request, list(range(850)), 100)
    with translation.override("de"):
        html = render_to_string("web/_pages.html", {"paged": paged, "label": "Seiten", "anchor": "liste"})
    assert "Seite 3 von 9" in html
    assert '<a class="kern-link" rel="prev" href="?seite=2#liste">Vorige Seite</a>' in html
    assert '<a class="kern-link" rel="next" href="?seite=4#liste">Nächste Seite</a>' in html
    for n in (1, 2, 4, 5, 9):
        assert f'href="?seite={n}#liste" aria-label="Seite {n}">{n}</a>' in html
    assert 'aria-current="page" href="?seite=3#liste" aria-label="Seite 3"><strong>3</strong>' in html
    assert "?seite=6#" not in html and "?seite=8#" not in html and '<span aria-hidden="true">…</span>' in html
    with translation.override("en"):
        html = render_to_string("web/_pages.html", {"paged": paging.page_of(RequestFactory().get("/"), list(range(650)), 100),
                                                    "label": "Pages", "anchor": "list"})
    assert "Page 1 of 7" in html and "Next page" in html and 'aria-label="Page 2">2</a>' in html
