"""The defects a new user's walk through the moderation (Köln) found, each reproduced: merging
asked for the database id instead of the idea's number every page shows, and the moderator's
text for the author was dropped when approving."""

from __future__ import annotations

import pytest
from django.test import Client

from isek.participation.models import Decision, Idea, Phase, Status
from tests.factories import ConceptFactory, member

from .conftest import idea
from .test_first_user import _open_phase


@pytest.fixture(autouse=True)
def _cheap_work(db, settings):
    settings.ISEK_POW_COST = 20


def _moderate(concept, target, **data):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(member(concept, "moderator"))
    r = client.post(f"/concepts/{concept.slug}/moderation/", {"kind": "idea", "pk": target.pk, **data}, follow=True)
    return r.status_code, r.content.decode()


@pytest.fixture
def four(phase, citizen):
    """I-1 … I-4 of the phase, after ideas of another concept: their ids are not their numbers."""
    other = _open_phase(ConceptFactory())
    for _n in range(5):
        idea(other, citizen, text=f"Anderswo {_n}")
    ideas = [idea(phase, citizen, title=f"Idee {n}", text=f"Text {n}") for n in range(1, 5)]
    assert [i.number for i in ideas] == [1, 2, 3, 4] and ideas[0].pk != 1
    return ideas


# --- 1. merging takes the idea's number as shown ---------------------------------------------------


@pytest.mark.parametrize("typed", ["I-1", "1", "i-1", " I 1 "])
def test_an_idea_is_merged_into_the_one_of_the_number_shown(concept, four, typed):
    first, fourth = four[0], four[3]
    status, page = _moderate(concept, fourth, action="merge", merge_into=typed)
    assert status == 200, page
    assert "Idee I-4 „Idee 4“ mit Idee I-1 „Idee 1“ zusammengeführt." in page
    fourth.refresh_from_db()
    assert fourth.status == Status.MERGED and fourth.merged_into == first


def test_the_merge_field_asks_for_the_number(concept, four):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(member(concept, "moderator"))
    page = client.get(f"/concepts/{concept.slug}/moderation/").content.decode()
    assert "Nummer der Idee, z. B. I-1" in page and 'name="merge_into"' in page
    assert 'type="number" name="merge_into"' not in page  # "I-1" must be typeable


def test_a_number_not_in_the_phase_is_named_and_nothing_merged(concept, four):
    fourth = four[3]
    # The database id of the first idea is no number of this phase: it must not merge anything.
    status, page = _moderate(concept, fourth, action="merge", merge_into=str(four[0].pk))
    assert status == 400
    assert f"Eine Idee I-{four[0].pk} gibt es in dieser Phase nicht." in page
    status, page = _moderate(concept, fourth, action="merge", merge_into="Bänke")
    assert status == 400 and "Bitte die Nummer der Idee angeben, z. B. I-1." in page
    status, page = _moderate(concept, fourth, action="merge", merge_into="")
    assert status == 400 and "Bitte die Nummer der Idee angeben, z. B. I-1." in page
    status, page = _moderate(concept, fourth, action="merge", merge_into="I-4")
    assert status == 400 and "Zusammenführen geht nur mit einer anderen Idee derselben Phase." in page
    fourth.refresh_from_db()
    assert fourth.status == Status.PENDING and fourth.merged_into is None
    assert not Decision.objects.exists()


def test_a_number_of_another_phase_of_the_concept_is_refused(concept, four, citizen):
    now = four[0].phase.start
    past = Phase.objects.create(concept=concept, title_de="2019", start=now.replace(year=2019), end=now.replace(year=2020))
    Idea.objects.filter(pk=four[1].pk).update(phase=past)  # I-2 belongs to the earlier phase
    status, page = _moderate(concept, four[3], action="merge", merge_into="I-2")
    assert status == 400 and "Zusammenführen geht nur mit einer anderen Idee derselben Phase." in page


# --- 3. the text for the author is for refusals; approving with one says so --------------------------


def test_the_text_for_the_author_is_offered_for_refusals_only(concept, four):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(member(concept, "moderator"))
    page = client.get(f"/concepts/{concept.slug}/moderation/").content.decode()
    assert "Begründung für die Person, die den Beitrag geschrieben hat (nicht beim Veröffentlichen)" in page


def test_approving_with_a_text_for_the_author_is_refused_and_keeps_the_text(concept, four):
    status, page = _moderate(concept, four[0], action="approve", text="Danke, gute Idee!")
    assert status == 400
    assert "Eine Begründung wird nur bei Ablehnen, Ausblenden oder Zusammenführen mitgeteilt" in page
    assert "Danke, gute Idee!" in page  # kept in the form
    four[0].refresh_from_db()
    assert four[0].status == Status.PENDING and not Decision.objects.exists()


def test_a_text_for_a_merged_idea_is_shown_to_its_author(concept, four):
    status, _page = _moderate(concept, four[3], action="merge", merge_into="I-1", text="Gleiche Stelle wie I-1.")
    assert status == 200
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(member(concept, "moderator"))  # the page the author reads, too
    page = client.get(f"/concepts/{concept.slug}/participation/ideas/{four[3].pk}/").content.decode()
    assert "Gleiche Stelle wie I-1." in page.split('id="idea-status"')[1].split("</div></div>")[0]


# --- a citizen's own idea waiting for the moderation is on its page's map, for them only ---------


def _own_idea(html: str) -> dict | None:
    """The idea the page's map draws besides the published ones (data-own-idea), or None."""
    import html as markup
    import json
    import re

    found = re.search(r'data-own-idea="([^"]*)"', html)
    return json.loads(markup.unescape(found.group(1))) if found else None


def test_the_author_sees_their_pending_idea_on_its_map_and_nobody_else_does(phase):
    """Walk 8 (Köln): the citizen's own idea, still waiting for the moderation, was listed on its
    page but not drawn on that page's map (the map shows published ideas only)."""
    from .test_pages import _post_idea

    author = Client(HTTP_ACCEPT_LANGUAGE="de")
    r = _post_idea(author, phase, title="Fahrradbügel am Bahnhof")
    mine = Idea.objects.get(title="Fahrradbügel am Bahnhof")
    assert r.status_code == 302 and mine.status == Status.PENDING
    page = author.get(r["Location"]).content.decode()
    drawn = _own_idea(page)
    assert drawn["properties"]["pending"] is True and drawn["properties"]["reference"] == mine.reference
    assert drawn["geometry"] == {"type": "Point", "coordinates": [7.2125, 51.4815]}
    assert drawn["properties"]["colour"] == mine.theme.colour
    assert "hell eingezeichnet, weil sie noch geprüft wird" in page
    # No other citizen (no page, not on the public map); the moderators' map draws it as waiting for
    # them, not as "Ihre Idee" (Offenbach walk: test_offenbach_walk).
    other = Client(HTTP_ACCEPT_LANGUAGE="de")
    assert other.get(r["Location"]).status_code == 404
    public = other.get(f"/concepts/{phase.concept.slug}/ideas.geojson").json()
    assert mine.pk not in [f["id"] for f in public["features"]]
    assert _own_idea(other.get(f"/concepts/{phase.concept.slug}/participation/").content.decode()) is None
    moderator = Client(HTTP_ACCEPT_LANGUAGE="de")
    moderator.force_login(member(phase.concept, "moderator"))
    seen = moderator.get(r["Location"])
    assert seen.status_code == 200 and _own_idea(seen.content.decode())["properties"]["moderation"] is True
    assert "weil sie noch geprüft wird" not in seen.content.decode()
    # Published, it is on the public map like every other, no longer drawn apart.
    Idea.objects.filter(pk=mine.pk).update(status=Status.PUBLISHED)
    page = author.get(r["Location"]).content.decode()
    assert _own_idea(page) is None and "hell eingezeichnet" not in page
    public = other.get(f"/concepts/{phase.concept.slug}/ideas.geojson").json()
    assert mine.pk in [f["id"] for f in public["features"]]
