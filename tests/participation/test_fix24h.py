"""Strangers' walks of the evaluation (fix24h): the street names of the phase's area are no reasons of a
theme suggestion; after an answer on the themes page it opens at the next open contribution of the
list answered, on its page, or stays at the row answered (refused, changed)."""

from __future__ import annotations

import shutil

from isek.geodata.jobs import cut_path
from isek.participation.models import ThemeReview
from isek.participation.services import evaluation as engines
from tests.data import data_dir
from tests.factories import member

from .conftest import idea
from .test_evaluation_pages import BENCHES, BUSES, client_for, ideas, url  # noqa: F401 (ideas: a fixture)

HOYERSWERDA = data_dir("osm") / "osm" / "hoyerswerda_altstadt.osm.pbf"
REQUIRED_DATA = [HOYERSWERDA]


def test_the_street_names_of_the_area_are_no_reasons(phase, citizen, settings, tmp_path):
    """Walk (fix24h): street names shown as the words that led to a theme. "Elsterstrand" is no word a
    text marks as a place (no "Straße" after it), but a street of the area ("Am Elsterstrand" in the
    city's OSM extract cut to the concept): once the extract is there, it is no reason any more."""
    settings.VAR_DIR = str(tmp_path)
    engines.forget()
    squares, mobility = phase.themes.all()
    benches = [idea(phase, citizen, title=t[:40], text=f"{t} am Elsterstrand", theme=squares) for t in BENCHES]
    buses = [idea(phase, citizen, title=t[:40], text=t, theme=mobility) for t in BUSES]
    planner = member(phase.concept, "planner")
    for i in benches[:4] + buses[:3]:
        engines.confirm_theme(planner, phase.concept, phase, i.pk, i.theme_id)

    def words():
        ev = engines.theme_evaluation(planner, phase.concept, phase)
        return next(r for r in ev.rows if r.idea.pk == benches[4].pk).words

    assert "Elsterstrand" in words()  # without the area's street names: a reason
    target = cut_path(phase.concept.city.ags, phase.concept.slug)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(HOYERSWERDA, target)
    shown = words()  # the engine is built again with the area's names
    assert shown and "Elsterstrand" not in shown, shown


def test_after_an_answer_the_page_opens_at_the_next_open_contribution_of_the_list(phase, ideas, monkeypatch):  # noqa: F811
    """Walk (fix24h): answered in the list of all, the page opened at the top ("Als Nächstes beschriften")
    and on the first page. Now at the next open contribution after it in that list, on its page; in
    "Als Nächstes beschriften" at that list's first; a changed decision and a refused answer stay."""
    from isek.participation import views

    monkeypatch.setattr(views, "REVIEW_PAGE", 4)
    planner = member(phase.concept, "planner")
    c = client_for(planner)
    made = ideas["benches"] + ideas["buses"]  # numbers 1–10 in this order
    squares = ideas["squares"]
    r = c.post(url(phase) + "?seite=2", {"idea": made[5].pk, "theme": squares.pk, "list": "idea"})
    assert r.status_code == 302 and r.url.endswith(f"?seite=2#idea-{made[6].pk}"), r.url  # 9 open: the 7th is 6th
    r = c.post(url(phase), {"idea": made[9].pk, "theme": squares.pk, "list": "idea"})  # the last: from the first again
    assert r.url.endswith(f"#idea-{made[0].pk}") and "seite" not in r.url, r.url
    r = c.post(url(phase), {"idea": made[0].pk, "theme": squares.pk, "list": "next"})
    assert r.url.split("#")[1].startswith("next-"), r.url
    # a decided row's decision changed: the page stays at it (decided rows last: page 3 of 10 rows)
    r = c.post(url(phase), {"idea": made[5].pk, "theme": ideas["mobility"].pk, "list": "idea", "change": "1"})
    assert r.url.endswith(f"?seite=3#idea-{made[5].pk}"), r.url
    # refused: nothing stored, the page stays at the row answered (its focus for the script)
    before = ThemeReview.objects.count()
    r = c.post(url(phase) + "?seite=2", {"idea": made[7].pk, "theme": "", "list": "idea"})
    assert r.status_code == 400 and ThemeReview.objects.count() == before
    html = r.content.decode()
    assert f'data-review-focus="idea-{made[7].pk}"' in html and f'id="idea-{made[7].pk}"' in html
    assert 'id="review-live" aria-live="polite"' in html
