"""The rules of participation, in the service (so the form, the API and any import obey them):
open phase, the area, texts, one support, reports, moderation with reasons, deletion on request,
retention."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from isek.participation import services
from isek.participation.models import Comment, Contributor, Decision, Idea, Status, Support
from tests.factories import ConceptFactory, MeasureFactory, member, multipolygon, square

from .conftest import INSIDE, OPERATOR, OUTSIDE, idea


def _code(exc) -> str:
    e = exc.value
    errors = [x for xs in e.error_dict.values() for x in xs] if hasattr(e, "error_dict") else e.error_list
    return errors[0].code


def test_an_idea_inside_waits_for_review_and_outside_is_refused(phase, citizen):
    first = idea(phase, citizen)
    assert first.status == Status.PENDING and first.reference == "I-1"
    assert list(services.published_ideas(None, phase)) == []
    with pytest.raises(ValidationError) as exc:
        idea(phase, citizen, geometry=OUTSIDE)
    assert _code(exc) == "outside" and "außerhalb" in str(exc.value)
    # A line that leaves the area is outside too, though it starts inside.
    with pytest.raises(ValidationError):
        idea(phase, citizen, geometry="LINESTRING(7.2125 51.4815, 7.30 51.50)")
    assert Idea.objects.count() == 1


def test_the_phase_polygon_narrows_the_area(phase, citizen):
    small = square(7.2110, 51.4805, 100)
    services.save_phase(OPERATOR, phase.concept, phase, polygon=multipolygon(small))
    with pytest.raises(ValidationError):
        idea(phase, citizen)  # inside the funding area, outside the phase's polygon
    assert idea(phase, citizen, geometry="POINT(7.2115 51.4809)").pk


@pytest.mark.parametrize("geometry, code", [
    ("POINT EMPTY", "geometry_type"),
    ("MULTIPOINT((7.2125 51.4815), (7.2126 51.4816))", "geometry_type"),
    ("POLYGON((7.211 51.481, 7.213 51.483, 7.213 51.481, 7.211 51.483, 7.211 51.481))", "invalid_geometry"),
    ("nonsense", "invalid_geometry"),
    ('{"type": "FeatureCollection", "features": []}', "invalid_geometry"),  # GDAL's error, not a 500
    ("LINESTRING(" + ", ".join(f"{7.211 + i * 0.000001} 51.481" for i in range(501)) + ")", "too_many_vertices"),
])
def test_bad_places_are_refused(phase, citizen, geometry, code):
    with pytest.raises(ValidationError) as exc:
        idea(phase, citizen, geometry=geometry)
    assert _code(exc) == code and not Idea.objects.exists()


def test_texts_have_limits_and_html_stays_text(phase, citizen):
    with pytest.raises(ValidationError) as exc:
        idea(phase, citizen, title="x" * 121)
    assert _code(exc) == "too_long"
    with pytest.raises(ValidationError) as exc:
        idea(phase, citizen, text="   \u0000\u200b ")
    assert _code(exc) in ("required", "too_long")
    hostile = idea(phase, citizen, title="<script>alert(1)</script>", text="<img src=x onerror=alert(1)>\u0007")
    assert hostile.title == "<script>alert(1)</script>" and "\u0007" not in hostile.text


def test_closed_phases_and_closed_actions_are_refused(phase, citizen):
    with pytest.raises(ValidationError) as exc:
        idea(phase, citizen, now=phase.end + datetime.timedelta(seconds=1))
    assert _code(exc) == "closed"
    services.save_phase(OPERATOR, phase.concept, phase, ideas_open=False)
    with pytest.raises(ValidationError) as exc:
        idea(phase, citizen)
    assert _code(exc) == "not_open"


def test_a_theme_of_another_phase_is_refused(phase, citizen):
    other = services.save_phase(OPERATOR, ConceptFactory(), title_de="Andere", start=phase.start, end=phase.end,
                                themes=[("Wohnen", "", "#000000")])
    with pytest.raises(ValidationError) as exc:
        idea(phase, citizen, theme=other.themes.get())
    assert _code(exc) == "theme"


def test_internal_concepts_take_no_contributions(phase, citizen):
    phase.concept.is_public = False
    phase.concept.save()
    with pytest.raises(Http404):
        idea(phase, citizen)


def test_after_publication_moderation_publishes_at_once(phase, citizen):
    services.save_phase(OPERATOR, phase.concept, phase, moderation="after")
    i = idea(phase, citizen)
    assert i.status == Status.PUBLISHED and not i.reviewed
    ideas, _comments = services.queue(OPERATOR, phase.concept)
    assert ideas == [i]  # still to be reviewed


def test_one_support_per_person_and_only_for_published_ideas(phase, citizen):
    i = idea(phase, citizen)
    other, _t = services.contributor_for(None)
    with pytest.raises(Idea.DoesNotExist):
        services.support(None, phase.concept, other, idea=i)  # not published yet
    services.decide(OPERATOR, i, "approve")
    services.support(None, phase.concept, other, idea=i)
    with pytest.raises(ValidationError) as exc:
        services.support(None, phase.concept, other, idea=i)
    assert _code(exc) == "already_supported" and Support.objects.count() == 1
    measure = MeasureFactory(concept=phase.concept)
    services.support(None, phase.concept, other, measure=measure)
    with pytest.raises(ValidationError):
        services.support(None, phase.concept, other, measure=measure)
    assert services.published_ideas(None, phase).get().support_count == 1


def test_comments_on_ideas_and_measures_of_this_concept_only(phase, citizen):
    measure = MeasureFactory(concept=phase.concept)
    c = services.comment(None, phase.concept, citizen, text="Gute Idee!", measure=measure)
    assert c.status == Status.PENDING and c.phase == phase
    foreign = MeasureFactory()
    with pytest.raises(type(foreign).DoesNotExist):
        services.comment(None, phase.concept, citizen, text="x", measure=foreign)
    with pytest.raises(ValidationError):
        services.comment(None, phase.concept, citizen, text="x" * 1001, measure=measure)
    assert Comment.objects.count() == 1


def test_reports_hide_at_the_threshold_until_a_moderator_decides(phase, citizen):
    i = idea(phase, citizen)
    services.decide(OPERATOR, i, "approve")
    reporters = [services.contributor_for(None)[0] for _n in range(3)]
    services.flag(None, phase.concept, reporters[0], reason="insult", idea=i)
    with pytest.raises(ValidationError) as exc:
        services.flag(None, phase.concept, reporters[0], reason="insult", idea=i)
    assert _code(exc) == "already_flagged"
    with pytest.raises(ValidationError):
        services.flag(None, phase.concept, reporters[1], reason="because", idea=i)
    services.flag(None, phase.concept, reporters[1], reason="advertising", idea=i)
    i.refresh_from_db()
    assert i.status == Status.PUBLISHED
    services.flag(None, phase.concept, reporters[2], reason="insult", text="<b>laut</b>", idea=i)
    i.refresh_from_db()
    assert i.status == Status.HIDDEN and not i.reviewed
    assert Decision.objects.filter(action="auto_hide", object_id=i.pk, actor="isek").exists()
    ideas, _c = services.queue(OPERATOR, phase.concept)
    assert ideas[0].pk == i.pk and ideas[0].open_flags == 3
    services.decide(OPERATOR, i, "approve")
    assert not i.flags.filter(resolved=False).exists()


def test_rejection_needs_a_reason_and_the_author_is_told(phase, concept, django_capture_on_commit_callbacks):
    author, _token = services.contributor_for(None)
    i = idea(phase, author, email="ben@example.org", email_consent=True)
    moderator = member(concept, "moderator")
    with pytest.raises(ValidationError) as exc:
        services.decide(moderator, i, "reject")
    assert _code(exc) == "reason"
    with pytest.raises(PermissionDenied):
        services.decide(member(concept, "reviewer"), i, "approve")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(moderator, i, "reject", reason="off_topic", text="Das betrifft nicht die Innenstadt.")
    i.refresh_from_db()
    assert i.status == Status.REJECTED and i.reject_reason == "off_topic"
    assert services.idea_for_author(author, phase, i.pk) == i  # the author reads the reason on the idea's page
    with pytest.raises(Idea.DoesNotExist):
        services.visible_idea(None, phase, i.pk)
    assert len(mail.outbox) == 1 and "kein Bezug zum Konzept" in mail.outbox[0].body
    assert "Das betrifft nicht die Innenstadt." in mail.outbox[0].body
    [log] = services.log(moderator, concept)
    assert (log.action, log.reason, log.actor) == ("reject", "off_topic", moderator.username)
    c = services.counters(phase)
    assert c["received"] == 1 and c["rejected"] == 1 and c["rejected_by_reason"] == [("kein Bezug zum Konzept", 1)]


def test_no_mail_without_consent_and_no_address_kept_without_it(phase, django_capture_on_commit_callbacks):
    author, _t = services.contributor_for(None)
    with pytest.raises(ValidationError) as exc:
        idea(phase, author, email="a@example.org")
    assert _code(exc) == "consent" and not Idea.objects.filter(email="a@example.org").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(OPERATOR, idea(phase, author), "reject", reason="advertising")
    assert mail.outbox == []


def test_merge_duplicates(phase, citizen):
    a, b = idea(phase, citizen), idea(phase, citizen, title="Bänke!")
    with pytest.raises(ValidationError):
        services.decide(OPERATOR, a, "merge", merge_into=a)
    services.decide(OPERATOR, b, "merge", merge_into=a)
    b.refresh_from_db()
    assert b.status == Status.MERGED and b.merged_into == a and b.reject_reason == "duplicate"


def test_answers_and_links_to_measures(phase, citizen, concept):
    i = idea(phase, citizen)
    services.decide(OPERATOR, i, "approve")
    measure = MeasureFactory(concept=concept, number="2.3")
    moderator = member(concept, "moderator")
    services.answer(moderator, i, text="Wir prüfen das.", outcome="examined")
    with pytest.raises(PermissionDenied):
        services.answer(moderator, i, text="", outcome="measure", measure=measure)  # linking is the planners'
    with pytest.raises(ValidationError):
        services.answer(OPERATOR, i, text="", outcome="measure", measure=MeasureFactory())
    services.answer(member(concept, "planner"), i, text="Daraus wurde Maßnahme 2.3.", outcome="measure", measure=measure)
    i.refresh_from_db()
    assert i.measure == measure and i.outcome == "measure" and i.answered_at
    assert list(services.ideas_of_measure(None, measure)) == [i]


def test_the_one_time_link_deletes_everything_of_the_contributor(phase):
    author, token = services.contributor_for(None)
    i = idea(phase, author, name="Clara", email="c@example.org", email_consent=True)
    services.decide(OPERATOR, i, "approve")
    other, _t = services.contributor_for(None)
    services.comment(None, phase.concept, other, text="Stimmt.", idea=i)  # another's comment on it goes with the idea
    measure = MeasureFactory(concept=phase.concept)
    services.comment(None, phase.concept, author, text="Und hier?", measure=measure)
    services.support(None, phase.concept, author, measure=measure)
    assert services.delete_contributions("wrong") is None
    counts = services.delete_contributions(token)
    assert counts == {"ideas": 1, "comments": 1, "supports": 1}
    assert not Idea.objects.exists() and not Contributor.objects.filter(pk=author.pk).exists()
    assert not Comment.objects.filter(text="Und hier?").exists() and not Support.objects.exists()
    assert services.delete_contributions(token) is None  # one time
    assert services.counters(phase)["deleted"] == 1 and services.counters(phase)["received"] == 1


def test_personal_data_goes_after_the_retention_period(phase):
    author, _t = services.contributor_for(None)
    idea(phase, author, name="Dora", email="d@example.org", email_consent=True)
    services.comment(None, phase.concept, author, text="Und Bäume.", name="Dora", email="d@example.org",
                     email_consent=True, measure=MeasureFactory(concept=phase.concept))
    assert services.purge_personal_data(now=phase.end + datetime.timedelta(days=89)) == 0
    assert services.purge_personal_data(now=phase.end + datetime.timedelta(days=91)) == 1
    assert (Idea.objects.get().email, Comment.objects.get().email) == ("", "")
    assert Idea.objects.get().author == "anonym" and Comment.objects.get().author == "anonym"


def test_phase_rules(concept):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.save_phase(OPERATOR, concept, title_de="X", start=now, end=now, themes=[("A", "", "#000000")])
    assert _code(exc) == "period"
    with pytest.raises(ValidationError):
        services.save_phase(OPERATOR, concept, title_de="X", start=now, end=now + datetime.timedelta(days=1),
                            themes=[("A", "", "#000000"), ("A ", "", "#111111")])
    with pytest.raises(PermissionDenied):
        services.save_phase(member(concept, "moderator"), concept, title_de="X", start=now,
                            end=now + datetime.timedelta(days=1), themes=[("A", "", "#000000")])
    assert not concept.phases.exists()


def test_signed_in_citizens_keep_one_contributor(phase):
    user = member(ConceptFactory(), "planner")  # a citizen of this concept
    a, token = services.contributor_for(user)
    b, again = services.contributor_for(user)
    assert a == b and token and again is None
    assert idea(phase, a, user=user).contributor == a


__all__ = ["INSIDE"]
