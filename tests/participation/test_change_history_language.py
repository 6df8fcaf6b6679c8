"""The change history in the page's language and local time (walk 24): an entry written while the
planner's page was English ("Theme of idea I-3", "Planner (edit)") reads German on a German page;
a recorded date-time is shown in Europe/Berlin like the entry's own time, not in UTC."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone, translation

from isek.concepts import services as concepts
from isek.participation import services
from tests.factories import member

from .conftest import OPERATOR, idea

AT = datetime.datetime(2026, 12, 7, 10, 2, tzinfo=datetime.UTC)  # 11:02 in Berlin


def test_the_change_history_names_objects_in_the_pages_language_and_dates_in_local_time(phase, citizen, monkeypatch):
    planner = member(phase.concept, "planner", "petra")
    bench = idea(phase, citizen, title="Bänke")
    monkeypatch.setattr(timezone, "now", lambda: AT)
    with translation.override("en"):  # the planner's page was English then
        services.confirm_theme(planner, phase.concept, phase, bench.pk, phase.themes.first().pk)
        concepts.grant_role(OPERATOR, phase.concept, member(phase.concept, "reviewer", "rita"), "planner")
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(planner)
    html = c.get(f"/concepts/{phase.concept.slug}/changes/").content.decode()
    assert f"Thema von Idee I-{bench.number}" in html and "Theme of idea" not in html
    assert "rita – Planung (bearbeiten) – " in html and "Planner (edit)" not in html
    assert "2026-12-07 11:02:00" in html  # the entry's time
    assert "<strong>bestätigt am</strong>: – → 07.12.2026 11:02" in html, html[html.find("bestätigt am") - 200:][:400]
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(planner)
    html = c.get(f"/concepts/{phase.concept.slug}/changes/").content.decode()
    assert f"Theme of idea I-{bench.number}" in html and "Planner (edit)" in html


def test_an_ideas_page_lists_the_theme_decision_with_the_moderations(phase, citizen, monkeypatch):
    """Walk 24: the idea's "Entscheidungen" listed only the import, not the planner's theme."""
    import re

    planner = member(phase.concept, "planner", "petra")
    later = idea(phase, citizen, title="Noch mehr Bänke", text="Bänke fehlen auf dem Platz, bitte mehr.")
    services.decide(planner, later, "approve")
    monkeypatch.setattr(timezone, "now", lambda: AT)
    mobility = phase.themes.get(name_de="Mobilität")
    services.confirm_theme(planner, phase.concept, phase, later.pk, mobility.pk)
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(planner)
    html = c.get(f"/concepts/{phase.concept.slug}/participation/ideas/{later.pk}/").content.decode()
    listed = re.search(r'<ul id="idea-decisions">(.*?)</ul>', html, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", listed, re.S)
    assert len(items) == 2 and items[1].endswith(" petra: veröffentlicht"), items  # the moderation's (now)
    # the theme (at a fixed time, before), in local time
    assert items[0] == "7.12.2026 11:02 petra: Thema korrigiert: „Mobilität“ – Vorschlag war „Plätze &amp; Freiräume“"


def test_who_may_not_moderate_reads_no_participation_records_in_the_history(phase, citizen):
    """Walk 24: a reviewer read the titles of unpublished imported contributions in the change history
    (their own pages answer 404 to the reviewer). The participation's records are the moderation's."""
    planner = member(phase.concept, "planner", "paula")
    hidden = idea(phase, citizen, title="Geheimer Radweg-Wunsch")
    services.confirm_theme(planner, phase.concept, phase, hidden.pk, phase.themes.first().pk)
    concepts.grant_role(OPERATOR, phase.concept, member(phase.concept, "reviewer", "rudi"), "reviewer")
    seen = {}
    for name in ("paula", "rudi"):
        c = Client(HTTP_ACCEPT_LANGUAGE="de")
        c.force_login(phase.concept.roles.get(user__username=name).user)
        seen[name] = c.get(f"/concepts/{phase.concept.slug}/changes/").content.decode()
    assert f"I-{hidden.number}" in seen["paula"] and 'id="participation-apart"' not in seen["paula"]
    assert f"I-{hidden.number}" not in seen["rudi"] and "Geheimer" not in seen["rudi"]
    assert 'id="participation-apart"' in seen["rudi"] and "rudi" in seen["rudi"]  # the concept's own records stay


def test_a_themes_fields_are_named_in_the_pages_language(phase):
    """Walk (fix24g): creating a phase's themes showed "phase:" and "order:" in the German history."""
    c = Client(HTTP_ACCEPT_LANGUAGE="de")
    c.force_login(member(phase.concept, "planner"))
    html = c.get(f"/concepts/{phase.concept.slug}/changes/").content.decode()
    assert "<strong>Reihenfolge</strong>" in html and "<strong>Phase</strong>" in html, html
    assert "<strong>order</strong>" not in html and "<strong>phase</strong>" not in html
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(member(phase.concept, "planner", "paul"))
    assert "<strong>Order</strong>" in c.get(f"/concepts/{phase.concept.slug}/changes/").content.decode()
