"""Ideas and comments are numbered per concept (decision 0035): a city's first idea on a new
concept is "I-1" and its first comment "K-1", on the page, in the API, in the export and in the
moderation log (also once deleted); URLs keep the database id."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from isek.participation import models, services
from isek.participation.models import Comment, Idea
from tests.factories import ConceptFactory, MeasureFactory, member

from .conftest import INSIDE, OPERATOR, idea


def _phase(concept):
    now = timezone.now()
    return services.save_phase(OPERATOR, concept, title_de="Zweite Phase", start=now - datetime.timedelta(days=1),
                               end=now + datetime.timedelta(days=30), themes=[("Plätze", "Squares", "#2e7d32")])


def _published(phase, contributor, title):
    i = idea(phase, contributor, title=title)
    services.decide(OPERATOR, i, "approve")
    return i


@pytest.fixture
def second(phase, citizen):
    """Two ideas and a comment on the first concept, then a second concept with its own phase."""
    first = _published(phase, citizen, "Erste")
    _published(phase, citizen, "Zweite")
    services.comment(None, phase.concept, citizen, text="Gute Idee", idea=first)
    return _phase(ConceptFactory())


def test_a_second_concepts_first_idea_and_comment_are_number_one_everywhere(second, citizen):
    concept = second.concept
    mine = _published(second, citizen, "Bänke am Markt")
    remark = services.comment(None, concept, citizen, text="Ja, bitte", idea=mine)
    services.decide(OPERATOR, remark, "approve")
    assert mine.pk > 1 and (mine.reference, remark.reference) == ("I-1", "K-1")

    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    page = planner.get(f"/concepts/{concept.slug}/participation/ideas/{mine.pk}/").content.decode()
    assert "<title>I-1 Bänke am Markt" in page and f"I-{mine.pk} " not in page
    listing = planner.get(f"/concepts/{concept.slug}/participation/").content.decode()
    assert '<span class="isek-ref">I-1</span> Bänke am Markt' in listing

    api = planner.get(f"/api/v1/concepts/{concept.slug}/ideas/").json()
    props = [f["properties"] for f in api["features"]]
    assert [p["reference"] for p in props] == ["I-1"] and api["features"][0]["id"] == mine.pk

    text = planner.get(f"/concepts/{concept.slug}/participation/export.csv").content.decode("utf-8-sig")
    rows = {r["Nr."]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert set(rows) == {"I-1", "K-1"} and rows["K-1"]["zu"] == "I-1"
    geo = planner.get(f"/concepts/{concept.slug}/participation/export.geojson").json()
    assert [f["properties"]["reference"] for f in geo["features"]] == ["I-1"]


def test_two_concepts_count_independently(phase, citizen, second):
    more = [idea(second, citizen, title=f"B{n}") for n in range(2)]
    later = idea(phase, citizen, title="Dritte")
    assert [i.reference for i in more] == ["I-1", "I-2"] and later.reference == "I-3"
    assert list(Idea.objects.filter(concept=phase.concept).order_by("number").values_list("number", flat=True)) == [1, 2, 3]


def test_the_log_names_a_deleted_idea_by_its_number(second):
    citizen, token = services.contributor_for(None)
    mine = _published(second, citizen, "Bänke am Markt")
    assert mine.pk != 1
    assert services.delete_contributions(token)["ideas"] == 1
    subjects = [d.subject for d in services.log(OPERATOR, second.concept)]
    assert "Idee I-1 (gelöscht)" in subjects and f"Idee I-{mine.pk} (gelöscht)" not in subjects
    later = idea(second, services.contributor_for(None)[0], title="Später")
    assert later.reference == "I-2"  # the deleted one's number is not given again


def test_two_allocations_of_the_same_number_end_with_distinct_numbers(phase, citizen, monkeypatch):
    """A submission that took a number another one stored meanwhile retries with the next."""
    first = idea(phase, citizen, title="Erste")
    real, calls = models.next_number, []

    def stale(model, concept_id):  # what a concurrent submission read before ``first`` was stored
        calls.append(model)
        return 1 if len(calls) == 1 else real(model, concept_id)

    monkeypatch.setattr(models, "next_number", stale)
    second = idea(phase, citizen, title="Zweite")
    assert len(calls) == 2 and (first.reference, second.reference) == ("I-1", "I-2")
    c1 = services.comment(None, phase.concept, citizen, text="Eins", idea=None,
                          measure=MeasureFactory(concept=phase.concept))
    calls.clear()
    c2 = services.comment(None, phase.concept, citizen, text="Zwei", idea=None, measure=c1.measure)
    assert (c1.reference, c2.reference) == ("K-1", "K-2")
    assert Idea.objects.count() == 2 and Comment.objects.count() == 2


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_one_support_reads_in_the_singular(phase, citizen):
    """"1 Unterstützung", not "1 Unterstützungen", wherever the count is shown."""
    concept = phase.concept
    mine = _published(phase, citizen, "Bänke")
    measure = MeasureFactory(concept=concept)
    services.support(None, concept, citizen, idea=mine)
    services.support(None, concept, citizen, measure=measure)
    planner = Client(HTTP_ACCEPT_LANGUAGE="de")
    planner.force_login(member(concept, "planner"))
    pages = {"idea": _text(planner.get(f"/concepts/{concept.slug}/participation/ideas/{mine.pk}/")),
             "measure": _text(planner.get(f"/concepts/{concept.slug}/measures/{measure.pk}/")),
             "list": _text(planner.get(f"/concepts/{concept.slug}/participation/"))}
    for name, text in pages.items():
        assert "1 Unterstützung" in text and "1 Unterstützungen" not in text, name
    assert "1 Idee eingegangen" in pages["list"] and "1 Ideen" not in pages["list"]  # a walk in Hoyerswerda
    statistics = _text(planner.get(f"/concepts/{concept.slug}/participation/statistics/"))
    assert "1 Idee, 0 Kommentare, 2 Unterstützungen (nicht bestätigt)" in statistics
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(member(concept, "planner"))
    assert "1 support " in _text(english.get(f"/concepts/{concept.slug}/participation/ideas/{mine.pk}/"))


def test_the_mail_on_a_decision_names_the_idea_by_its_number(second, mailoutbox, django_capture_on_commit_callbacks):
    sent = services.send_idea(None, second, known_id=None, email="anna@example.org", email_consent=True,
                              theme=second.themes.first(), title="Bänke am Markt", text="Bitte Bänke.", geometry=INSIDE)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(OPERATOR, sent.contribution, "approve")
    assert sent.contribution.pk != 1 and "Ihre Idee I-1 „Bänke am Markt“: veröffentlicht." in mailoutbox[-1].body
