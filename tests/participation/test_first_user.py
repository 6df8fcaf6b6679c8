"""The defects a real new user found in the participation (issue 20), each reproduced: a phase on
a concept citizens cannot see, counters that did not add up after a merge, an idea sent twice by
going back, moderation messages and a log that did not say what was decided."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from isek.participation import services
from isek.participation.models import Idea, Phase
from tests.factories import ConceptFactory, member

from .conftest import OPERATOR, idea
from .test_pages import _post_idea


@pytest.fixture(autouse=True)
def _cheap_work(db, settings):
    settings.ISEK_POW_COST = 20


# --- 1. participation only where citizens can see it --------------------------------------------


def _open_phase(concept, **kw):
    now = timezone.now()
    return services.save_phase(OPERATOR, concept, title_de="Ideen", start=now - datetime.timedelta(days=1),
                               end=now + datetime.timedelta(days=30), themes=[("Plätze", "", "#2e7d32")], **kw)


def test_a_phase_on_an_internal_concept_is_refused_with_a_message(db):
    concept = ConceptFactory(is_public=False)
    with pytest.raises(ValidationError) as exc:
        _open_phase(concept)
    assert exc.value.code == "not_public" and "nicht öffentlich" in exc.value.messages[0]
    now = timezone.now()
    with pytest.raises(ValidationError):  # one still to come would open unseen just the same
        services.save_phase(OPERATOR, concept, title_de="Später", start=now + datetime.timedelta(days=10),
                            end=now + datetime.timedelta(days=20), themes=[("Plätze", "", "#2e7d32")])
    assert not Phase.objects.exists()
    # A phase that is over may be recorded (the history of an internal concept).
    past = services.save_phase(OPERATOR, concept, title_de="2019", start=now - datetime.timedelta(days=400),
                               end=now - datetime.timedelta(days=300), themes=[("Plätze", "", "#2e7d32")])
    assert not past.is_open()
    concept.is_public = True
    concept.save()
    assert _open_phase(concept).is_open()


def test_an_open_phase_of_a_concept_made_internal_can_still_be_closed(db):
    concept = ConceptFactory()
    phase = _open_phase(concept)
    concept.is_public = False
    concept.save()
    with pytest.raises(ValidationError):
        services.save_phase(OPERATOR, concept, phase, title_de="Umbenannt")
    phase.refresh_from_db()
    services.save_phase(OPERATOR, concept, phase, end=timezone.now())
    phase.refresh_from_db()
    assert not phase.is_open() and phase.title_de == "Ideen"


def test_the_planner_reads_why_in_the_phase_form_and_sees_the_warning(db):
    concept = ConceptFactory(is_public=False)
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    now = timezone.localtime()
    data = {"title_de": "Ideen für den Platz", "title_en": "", "start": (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "end": (now + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), "ideas_open": "on",
            "comments_open": "on", "support_open": "on", "moderation": "before", "report_threshold": "3",
            "retention_days": "90", "polygon": "", "themes": "Plätze | Squares | #2e7d32"}
    r = planner.post(f"/concepts/{concept.slug}/participation/phases/new/", data)
    assert r.status_code == 400 and "ist nicht öffentlich" in r.content.decode()
    assert not concept.phases.exists()
    # A phase from before the rule (or a concept made internal later): the planners are told on the page.
    concept.is_public = True
    concept.save()
    assert planner.post(f"/concepts/{concept.slug}/participation/phases/new/", data).status_code == 302
    concept.is_public = False
    concept.save()
    page = planner.get(f"/concepts/{concept.slug}/participation/").content.decode()
    assert 'id="not-public"' in page and "Bürgerinnen und Bürger sehen diese Beteiligung nicht" in page
    assert Client().get(f"/concepts/{concept.slug}/participation/").status_code == 404


# --- 3. the counters add up --------------------------------------------------------------------------


def _counters(html: str) -> dict[str, int]:
    out = {}
    for part in html.split('data-counter="')[1:]:
        name, rest = part.split('"', 1)
        out[name] = int(rest.split(">", 1)[1].split("<", 1)[0])
    return out


def test_the_counters_add_up_after_a_merge_and_a_hide(phase, citizen):
    a, b, c, d = (idea(phase, citizen, title=t) for t in "ABCD")
    for i in (a, c, d):
        services.decide(OPERATOR, i, "approve")
    services.decide(OPERATOR, b, "merge", merge_into=a)
    services.decide(OPERATOR, d, "hide")
    html = Client(HTTP_ACCEPT_LANGUAGE="de").get(f"/concepts/{phase.concept.slug}/participation/").content.decode()
    shown = _counters(html)
    assert shown == {"received": 4, "published": 2, "pending": 0, "merged": 1, "hidden": 1, "rejected": 0}
    assert shown["received"] == sum(n for k, n in shown.items() if k != "received")
    assert "1</strong> zusammengeführt" in html


# --- 4. an idea sent twice is one idea ----------------------------------------------------------------


def test_going_back_and_sending_again_makes_no_second_idea(phase):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    first = _post_idea(client, phase)
    assert first.status_code == 302
    again = _post_idea(client, phase)  # the same form once more, with a fresh proof of work
    assert again.status_code == 302 and again["Location"] == first["Location"]
    only = Idea.objects.get()
    page = client.get(again["Location"]).content.decode()
    assert f"Danke! Ihre Idee {only.reference} ist eingegangen." in page and "nur einmal gespeichert" in page
    # Another text, another place or another browser is another idea.
    assert _post_idea(client, phase, text="Und am Markt auch.").status_code == 302
    assert _post_idea(client, phase, geometry=json.dumps({"type": "Point", "coordinates": [7.2126, 51.4816]})).status_code == 302
    assert _post_idea(Client(HTTP_ACCEPT_LANGUAGE="de"), phase).status_code == 302
    assert Idea.objects.count() == 4


def test_the_same_idea_after_a_while_is_a_new_one(phase, citizen):
    first = idea(phase, citizen)
    assert idea(phase, citizen) == first and idea(phase, citizen).resent
    Idea.objects.filter(pk=first.pk).update(created_at=timezone.now() - services.RESEND_WINDOW - datetime.timedelta(seconds=1))
    later = idea(phase, citizen)
    assert later != first and not later.resent and Idea.objects.count() == 2
    other, _token = services.contributor_for(None)
    assert idea(phase, other) not in (first, later)


# --- 5. moderation says what was decided, in the UI's language ----------------------------------------


def test_the_moderator_reads_what_was_decided_on_which_idea(phase, citizen, concept):
    a = idea(phase, citizen, title="Mehr Bänke")
    b = idea(phase, citizen, title="Bänke am Markt")
    c = idea(phase, citizen, title="Werbung")
    moderator = Client(HTTP_ACCEPT_LANGUAGE="de")
    moderator.force_login(member(concept, "moderator"))
    url = f"/concepts/{concept.slug}/moderation/"

    def decide(target, **data):
        r = moderator.post(url, {"kind": "idea", "pk": target.pk, **data}, follow=True)
        assert r.status_code == 200
        return r.content.decode()

    assert f"Idee {a.reference} „Mehr Bänke“ veröffentlicht." in decide(a, action="approve")
    assert f"Idee {c.reference} „Werbung“ abgelehnt." in decide(c, action="reject", reason="advertising")
    assert (f"Idee {b.reference} „Bänke am Markt“ mit Idee {a.reference} „Mehr Bänke“ zusammengeführt."
            in decide(b, action="merge", merge_into=a.reference))
    log = moderator.get(url).content.decode().split('id="decision-log"')[1]
    assert f"Idee {a.reference} „Mehr Bänke“" in log and "idea " not in log
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(member(concept, "moderator"))
    log = english.get(url).content.decode().split('id="decision-log"')[1]
    assert f"Idea {a.reference} “Mehr Bänke”" in log and "published" in log and "Idee" not in log
    # A deleted idea keeps its line in the log, without its title.
    Idea.objects.filter(pk=c.pk).delete()
    log = moderator.get(url).content.decode().split('id="decision-log"')[1]
    assert f"Idee {c.reference} (gelöscht)" in log
