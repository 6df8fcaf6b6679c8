"""A planner reviews isek's theme suggestions by keyboard in Debian's Chromium (issue 24, point 2):
the Raddialog Köln-Ehrenfeld contributions (the CIMT corpus, real data from the data directory)
imported into a phase with their 8 themes; on "Auswertung: Themen" the contribution isek asks
about first has the focus, Enter confirms (on the title, a link, it opens the contribution), j/k
move, a digit chooses another theme; the counts
follow, suggestions with their confidence and words appear once isek has learnt 5 decisions in two themes, every
decision is stored with who. Every page checked with axe-core; no request leaves loopback."""

from __future__ import annotations

import pytest

from isek.participation.models import Theme, ThemeReview
from isek.participation.services import evaluation as engines
from tests.data import data_dir

from .conftest import axe_violations, koeln_phase, sign_in_planner

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step

KOELN_THEMES = data_dir("participation") / "participation" / "raddialog_koeln_ehrenfeld_2017_themes.csv"
REQUIRED_DATA = [KOELN_THEMES]


def focused_row(page) -> str:
    page.wait_for_load_state()
    page.wait_for_function("() => document.activeElement.closest('li.isek-review')")
    return page.evaluate("() => document.activeElement.closest('li.isek-review').id")


def test_planner_reviews_suggestions_by_keyboard(page, transactional_db, live_server):
    engines.forget()
    concept, phase = koeln_phase(KOELN_THEMES)
    # 14 themes as in the walk's phase (walk 24, finding 8: keys 1–9 only): the file's 8, the phase's
    # own, and five more the planner added
    last = phase.themes.order_by("-order").first().order
    for n, name in enumerate(["Beleuchtung", "Brücken", "Fußverkehr", "Schulwege", "Winterdienst"], start=1):
        Theme.objects.create(phase=phase, name_de=name, colour="#555555", order=last + n)
    assert phase.themes.count() == 14

    base = sign_in_planner(page, live_server, concept, "planerin")
    page.goto(f"{base}/concepts/ehrenfeld/participation/phases/{phase.pk}/")
    page.click("#themes-link")
    assert page.locator("h1").inner_text() == "Auswertung: Themen"
    assert "0 bestätigt, 0 korrigiert, 366 offen" in page.inner_text("#review-counts")
    assert page.locator("#review-next li").count() == 10  # what isek asks first: typical of 10 groups
    assert "Themen ab 10: beide Ziffern kurz nacheinander tippen (z. B. 1 und dann 4 für Thema 14)" in page.inner_text(
        "#review-keys")
    first = focused_row(page)
    assert first.startswith("next-")
    assert axe_violations(page) == []

    with page.expect_navigation():  # Enter: the theme shown is confirmed
        page.keyboard.press("Enter")
    assert "1 bestätigt, 0 korrigiert, 365 offen" in page.inner_text("#review-counts")
    assert "bestätigt." in page.inner_text("main")  # the message names the contribution and theme
    second = focused_row(page)
    assert second.startswith("next-") and second != first
    page.keyboard.press("j")
    assert focused_row(page) not in ("", second)
    page.keyboard.press("k")
    assert focused_row(page) == second

    select = page.locator(f"#{second} select")
    assert select.evaluate("s => s.selectedIndex") != 13  # the 14th theme (added, no contribution) is not the one shown
    name = select.evaluate("s => s.options[13].text").split("–", 1)[1].strip()
    assert name == "Winterdienst"
    with page.expect_navigation():  # theme 14: "1", then "4"
        page.keyboard.press("1")
        page.keyboard.press("4")
    assert "1 bestätigt, 1 korrigiert, 364 offen" in page.inner_text("#review-counts")
    corrected = ThemeReview.objects.get(idea_id=int(second.split("-")[1]))
    assert corrected.corrected and corrected.theme.name_de == name and corrected.by_name == "planerin"

    # Enter on the title, a link, opens the contribution as every link does (minor24: a planner
    # expected a confirmation; the keyboard help says what Enter does where); back on the list,
    # Enter in the theme's choice confirms the theme chosen there
    assert "auf dem Titel öffnet Enter den Beitrag (ein Link)" in page.inner_text("#review-keys")
    third = focused_row(page)
    page.focus(f"#{third} h3 a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/participation/ideas/{third.split('-')[1]}/")
    assert ThemeReview.objects.filter(idea__phase=phase).count() == 2
    page.go_back()
    page.focus(f"#{third} select")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ThemeReview.objects.filter(idea_id=int(third.split("-")[1])).exists()
    for _ in range(2):  # two more answers: isek has learnt 5 decisions in two themes and suggests (walk 16)
        assert focused_row(page).startswith("next-")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert ThemeReview.objects.filter(idea__phase=phase).count() == 5
    row = page.locator("[data-suggestion]").first
    assert "% sicher" in row.inner_text() and "Wörter, die dazu geführt haben:" in row.inner_text()
    assert axe_violations(page) == []

    # fix24d: a decision can be changed by keyboard ("Entscheidung ändern" on decided rows, the last
    # page: open ones first); the page with decided rows and the change open passes axe
    changed = corrected.idea_id
    page.goto(f"{base}/concepts/ehrenfeld/participation/phases/{phase.pk}/themes/?seite=4")
    page.focus(f"#idea-{changed}-change")
    page.keyboard.press("Enter")  # opens it
    assert page.locator(f"#idea-{changed} details").evaluate("d => d.open")
    assert axe_violations(page) == []
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == f"idea-{changed}-retheme"
    first_theme = phase.themes.order_by("order").first()
    page.select_option(f"#idea-{changed}-retheme", str(first_theme.pk))
    with page.expect_navigation():  # Enter in the list saves the change
        page.keyboard.press("Enter")
    review = ThemeReview.objects.get(idea_id=changed)
    assert review.theme == first_theme and review.proposed_id == corrected.proposed_id


def test_fix24h_after_each_answer_by_keyboard_the_focus_is_on_the_next_contribution(page, transactional_db, live_server,
                                                                                    tmp_path):
    """A stranger's walk (fix24h): answering in the list of all contributions, the focus jumped to the top
    (the first of "Als Nächstes beschriften") after each answer. Twice by keyboard alone – j to the list,
    Enter, Enter –: each time the focus is on the next open contribution's first control ("Bestätigen")
    in the list answered, and a live region says what was decided and where the focus is."""
    import datetime

    from django.utils import timezone

    from isek import access
    from isek.participation import services
    from tests.factories import ConceptFactory, legal_texts_filled

    engines.forget()
    concept = ConceptFactory(slug="ehrenfeld", name="ISEK Ehrenfeld")
    legal_texts_filled(concept.city)
    op, now = access.Operator("test"), timezone.now()
    phase = services.save_phase(op, concept, title_de="Raddialog", start=now - datetime.timedelta(days=40),
                                end=now - datetime.timedelta(days=30), themes=[("Radverkehr", "Cycling", ""),
                                                                               ("Fußverkehr", "Walking", "")])
    texts = ["Radweg zu schmal", "Ampel für Radfahrer zu kurz grün", "Gehweg zugeparkt", "Fahrradständer fehlen",
             "Zebrastreifen an der Schule", "Radweg voller Schlaglöcher", "Bank am Gehweg", "Schutzstreifen fehlt",
             "Gehweg zu schmal für Kinderwagen", "Radweg endet plötzlich", "Fußgängerampel zu kurz",
             "Abstellanlage am Bahnhof"]
    path = tmp_path / "beitraege.csv"
    path.write_text("id;titel;text\n" + "".join(f"{i};{t};{t}.\n" for i, t in enumerate(texts, 1)), encoding="utf-8")
    plan = services.plan_import(op, phase, path, path.name)
    plan.mapping.source, plan.mapping.licence, plan.mapping.default_theme = "Walk", "CC0", "Radverkehr"
    services.commit_import(op, phase, services.plan_import(op, phase, path, path.name, mapping=plan.mapping), via="test")
    ideas = list(phase.ideas.order_by("number"))

    base = sign_in_planner(page, live_server, concept, "planerin")
    page.goto(f"{base}/concepts/ehrenfeld/participation/phases/{phase.pk}/themes/")
    assert focused_row(page).startswith("next-")
    for _ in range(page.locator("#review-next li").count()):  # j past "Als Nächstes beschriften"
        page.keyboard.press("j")
    assert focused_row(page) == f"idea-{ideas[0].pk}"
    for answered, following in ((ideas[0], ideas[1]), (ideas[1], ideas[2])):
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert focused_row(page) == f"idea-{following.pk}"
        assert page.evaluate("() => document.activeElement.hasAttribute('data-review-confirm')")
        page.wait_for_function("() => document.getElementById('review-live').textContent")
        said = page.inner_text("#review-live")
        assert f"I-{answered.number}: Thema „Radverkehr“" in said and f"Weiter mit: {following.reference}" in said, said
    assert ThemeReview.objects.filter(idea__phase=phase).count() == 2
    assert axe_violations(page) == []
