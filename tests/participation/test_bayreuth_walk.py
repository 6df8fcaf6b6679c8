"""The defects a new user's walk through the participation (Bayreuth) found, each reproduced: a
name given with one idea shown on a later one sent without it, a refusal that names the concept's
form without linking it, a moderation list that did not say where an idea lies."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from isek.participation import services
from isek.participation.models import Idea, Status
from tests.factories import ConceptFactory, QuarterFactory, member, multipolygon, square

from .conftest import OPERATOR
from .test_pages import _post_idea, solved


@pytest.fixture(autouse=True)
def _cheap_work(db, settings):
    settings.ISEK_POW_COST = 20


# --- 1. a name belongs to the contribution it was given with --------------------------------------


def _moderator(concept) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(member(concept, "moderator"))
    return client


def test_a_name_given_once_is_not_shown_on_the_next_idea_sent_without_one(phase, concept):
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    form_url = f"/concepts/{concept.slug}/participation/ideas/new/"
    assert _post_idea(browser, phase, title="Bänke am Markt", name="Jonas K.").status_code == 302
    assert 'name="name" maxlength="60"' in browser.get(form_url).content.decode()  # the field is shown empty
    r = _post_idea(browser, phase, title="Schatten am Spielplatz", name="")
    assert r.status_code == 302
    named, unnamed = Idea.objects.order_by("pk")
    assert named.contributor_id == unnamed.contributor_id  # the same browser, one contributor
    confirmation = browser.get(r["Location"]).content.decode()
    assert f"{unnamed.reference} · Plätze &amp; Freiräume · anonym ·" in confirmation
    assert "Jonas K." not in confirmation
    # In the moderation list the name stands at the idea it was given with, and only there.
    queue = _moderator(concept).get(f"/concepts/{concept.slug}/moderation/").content.decode()
    assert queue.count("Jonas K.") == 1
    assert "Jonas K." not in queue.split("Schatten am Spielplatz", 1)[1].split("</article>", 1)[0]
    for i in (named, unnamed):
        services.decide(OPERATOR, i, "approve")
    public = Client(HTTP_ACCEPT_LANGUAGE="de")
    listing = public.get(f"/concepts/{concept.slug}/participation/").content.decode()
    assert listing.count("Jonas K.") == 1
    assert "Jonas K." not in listing.split("Schatten am Spielplatz", 1)[1].split("</li>", 1)[0]
    assert "Jonas K." not in public.get(r["Location"]).content.decode()
    assert "Jonas K." in public.get(f"/concepts/{concept.slug}/participation/ideas/{named.pk}/").content.decode()
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    rows = list(csv.DictReader(io.StringIO(planner.get(f"/concepts/{concept.slug}/participation/export.csv")
                                           .content.decode("utf-8-sig")), delimiter=";"))
    names = {row["Nr."]: row["Name (öffentlich)"] for row in rows}
    assert names == {named.reference: "Jonas K.", unnamed.reference: ""}
    privacy = public.get("/about/privacy/").content.decode()
    assert "wird nur mit dem Beitrag gezeigt, zu dem Sie ihn angeben" in privacy


def test_a_name_given_once_is_not_shown_on_the_next_comment_sent_without_one(phase, concept, citizen):
    i = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bänke", text="Mehr Bänke.",
                             geometry="POINT(7.2125 51.4815)")
    services.decide(OPERATOR, i, "approve")
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    url = f"/concepts/{concept.slug}/participation/ideas/{i.pk}/comment/"
    for text, name in (("Gute Idee.", "Jonas K."), ("Auch am Markt.", "")):
        r = browser.post(url, {"text": text, "name": name, "altcha": solved(browser, concept)})
        assert r.status_code == 302, r.content.decode()[:2000]
    for c in i.comments.all():
        services.decide(OPERATOR, c, "approve")
    page = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{concept.slug}/participation/ideas/{i.pk}/").content.decode()
    assert page.count("Jonas K.") == 1
    assert "Jonas K." not in page.split("Auch am Markt.")[0].rsplit("<li>", 1)[1]


def test_a_name_too_long_is_refused_at_the_field_and_nothing_is_stored(phase, citizen):
    with pytest.raises(ValidationError) as exc:
        services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="A", text="B",
                             geometry="POINT(7.2125 51.4815)", name="J" * 61)
    assert "Name ist 61 Zeichen lang" in str(exc.value)
    assert not Idea.objects.exists()


# --- 2. the refusal on a non-public concept links the concept's form ------------------------------


def _phase_form(when):
    now = timezone.localtime()
    return {"title_de": "Ideen für den Markt", "title_en": "", "start": (now - datetime.timedelta(days=1)).strftime(when),
            "end": (now + datetime.timedelta(days=30)).strftime(when), "ideas_open": "on", "comments_open": "on",
            "support_open": "on", "moderation": "before", "report_threshold": "3", "retention_days": "90", "polygon": "",
            "themes": "Plätze | Squares | #2e7d32"}


def test_the_refusal_on_a_non_public_concept_links_to_its_form_for_those_who_may_edit(db):
    concept = ConceptFactory(is_public=False)
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    r = planner.post(f"/concepts/{concept.slug}/participation/phases/new/", _phase_form("%Y-%m-%dT%H:%M"))
    html = r.content.decode()
    assert r.status_code == 400 and "ist nicht öffentlich" in html
    assert f'<a class="kern-link" id="fix-not-public" href="/concepts/{concept.slug}/edit/">Konzept bearbeiten</a>' in html
    assert planner.get(f"/concepts/{concept.slug}/edit/").status_code == 200  # the link leads to the form
    assert not concept.phases.exists()
    # Another refusal of the same form links nothing.
    bad = {**_phase_form("%Y-%m-%dT%H:%M"), "themes": "Plätze | Squares | blau"}
    assert 'id="fix-not-public"' not in planner.post(f"/concepts/{concept.slug}/participation/phases/new/", bad).content.decode()


# --- 4. the moderation list says where an idea lies -------------------------------------------------


def test_the_moderation_list_says_where_each_idea_lies(phase, concept, citizen):
    QuarterFactory(concept=concept, name="Südviertel", geometry=multipolygon(square(7.21, 51.48, 250)))
    QuarterFactory(concept=concept, name="Nordviertel", geometry=multipolygon(square(7.21, 51.4823, 250)))
    south = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bänke", text="Mehr Bänke.",
                                 geometry="POINT(7.2110 51.4805)")
    north = services.submit_idea(None, phase, citizen, theme=phase.themes.first(), title="Bäume", text="Mehr Bäume.",
                                 geometry="POINT(7.2125 51.4835)")
    queue = _moderator(concept).get(f"/concepts/{concept.slug}/moderation/").content.decode()
    of = {i: queue.split(f'data-queue-idea="{i.pk}"', 1)[1].split("</article>", 1)[0] for i in (south, north)}
    assert "Ort: Teilraum Südviertel · 51,48050° N, 7,21100° O" in of[south]
    assert "Ort: Teilraum Nordviertel · 51,48350° N, 7,21250° O" in of[north]
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(member(concept, "moderator"))
    page = english.get(f"/concepts/{concept.slug}/moderation/").content.decode()
    assert "Location: quarter Nordviertel · 51.48350° N, 7.21250° E" in page
    # The list links each idea's place on its page's map: a waiting one is drawn there for the
    # moderators (Offenbach walk), a published one for everyone.
    assert f'href="/concepts/{concept.slug}/participation/ideas/{south.pk}/#idea-map-heading"' in queue
    Idea.objects.filter(pk=north.pk).update(status=Status.PUBLISHED)  # published first, reviewed after
    queue = _moderator(concept).get(f"/concepts/{concept.slug}/moderation/").content.decode()
    assert f'href="/concepts/{concept.slug}/participation/ideas/{north.pk}/#idea-map-heading"' in queue


# --- 3. themes without a colour get distinct ones -----------------------------------------------------


def test_themes_without_a_colour_get_distinct_colours_the_same_each_time(db):
    concept = ConceptFactory()
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    data = {**_phase_form("%Y-%m-%dT%H:%M"), "themes": "Mobilität | Mobility\nGrün | Green |\nPlätze | Squares | #005ca9\nWohnen"}
    assert planner.post(f"/concepts/{concept.slug}/participation/phases/new/", data).status_code == 302
    phase = concept.phases.get()
    colours = dict(phase.themes.values_list("name_de", "colour"))
    assert colours["Plätze"] == "#005ca9" and len(set(colours.values())) == 4
    form = planner.get(f"/concepts/{concept.slug}/participation/phases/{phase.pk}/").content.decode()
    assert f"Mobilität | Mobility | {colours['Mobilität']}" in form  # the planner sees the colour chosen
    other = ConceptFactory()
    now = timezone.now()
    again = services.save_phase(OPERATOR, other, title_de="X", start=now, end=now + datetime.timedelta(days=1),
                                themes=[("Mobilität", "", ""), ("Grün", "", ""), ("Plätze", "", "#005ca9"), ("Wohnen", "", "")])
    assert dict(again.themes.values_list("name_de", "colour")) == colours  # deterministic


def test_a_theme_without_a_colour_does_not_get_a_blue_like_another_themes(db):
    """Walk 9 (Hamburg): "Mobilität | Mobility | #1565c0" (the form's own example) and a theme without
    a colour: that one got the palette's "#005ca9", the same blue on the map and in the list."""
    concept = ConceptFactory()
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    data = {**_phase_form("%Y-%m-%dT%H:%M"), "themes": "Mobilität | Mobility | #1565c0\nGrün | Green\nWohnen | Housing | #388E3C\nKultur"}
    assert planner.post(f"/concepts/{concept.slug}/participation/phases/new/", data).status_code == 302
    phase = concept.phases.get()
    colours = dict(phase.themes.values_list("name_de", "colour"))
    # not the blue of Mobilität, nor the green of Wohnen: the palette's red, then its purple
    assert colours == {"Mobilität": "#1565c0", "Grün": "#c62828", "Wohnen": "#388E3C", "Kultur": "#6a1b9a"}
    page = planner.get(f"/concepts/{concept.slug}/participation/").content.decode()
    assert "#005ca9" not in page and "#2e7d32" not in page
    # More themes without a colour than the palette has: each still gets a colour, none twice before
    # the palette is used up, the last a neutral grey.
    many = services.save_phase(OPERATOR, ConceptFactory(), title_de="X", start=timezone.now(),
                               end=timezone.now() + datetime.timedelta(days=1), themes=[(f"T{n}", "", "") for n in range(24)])
    given = list(many.themes.values_list("colour", flat=True))
    assert len(set(given)) == 24 and given[-1] == "#757575"


def test_the_phase_form_says_before_it_is_filled_in_that_the_concept_is_not_public(db):
    """Walk 9 (Hamburg): "publish the concept first" came only after the form was filled in and sent.
    Shown for a concept that is not public, the form says it at once, with the way to publish it;
    for a public concept it says nothing of it."""
    concept = ConceptFactory(is_public=False, name="FreiRaum Ottensen")
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    html = planner.get(f"/concepts/{concept.slug}/participation/phases/new/").content.decode()
    notice = html.split('id="not-public"', 1)[1].split("</div></div>", 1)[0]
    assert "Das Konzept „FreiRaum Ottensen“ ist noch nicht öffentlich" in notice
    assert "erst speichern, wenn das Konzept veröffentlicht ist" in notice
    assert f'<a class="kern-link" id="publish-first" href="/concepts/{concept.slug}/edit/#id_is_public">' in notice
    assert 'id="id_is_public"' in planner.get(f"/concepts/{concept.slug}/edit/").content.decode()  # where it leads
    # Sent and refused, the refusal says it (once), linking the concept's form.
    html = planner.post(f"/concepts/{concept.slug}/participation/phases/new/", _phase_form("%Y-%m-%dT%H:%M")).content.decode()
    assert 'id="fix-not-public"' in html and 'id="not-public"' not in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(member(concept, "planner"))
    html = english.get(f"/concepts/{concept.slug}/participation/phases/new/").content.decode()
    assert "The concept “FreiRaum Ottensen” is not public yet" in html
    concept.is_public = True
    concept.save()
    assert 'id="not-public"' not in planner.get(f"/concepts/{concept.slug}/participation/phases/new/").content.decode()
