"""A contribution from outside is one service call that owns its transaction: a new contributor
(or a changed address) only together with their idea, comment, support or report. Each step
after the contributor fails here on purpose; nothing of the action stays."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from isek.participation import photos, services
from isek.participation.models import Comment, Contributor, Flag, Idea, Support
from tests.factories import MeasureFactory

from .conftest import INSIDE, OPERATOR, OUTSIDE, idea


class Broken(Exception):
    """The failing step (a full disk, a lost connection, …)."""


def fail_saving(monkeypatch, model):
    def boom(self, *args, **kwargs):
        raise Broken(model.__name__)

    monkeypatch.setattr(model, "save", boom)


def _fields(phase, **kw):
    return {"theme": phase.themes.first(), "title": "Mehr Bänke", "text": "Auf dem Platz fehlen Bänke.",
            "geometry": INSIDE, **kw}


def _photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buf, "PNG")
    return SimpleUploadedFile("bank.png", buf.getvalue(), content_type="image/png")


def test_a_first_idea_brings_its_contributor_and_the_deletion_link(phase):
    sent = services.send_idea(None, phase, known_id=None, **_fields(phase))
    assert Idea.objects.get().contributor == sent.contributor == Contributor.objects.get()
    assert sent.token and sent.contribution.reference == "I-1"


def test_a_failing_idea_leaves_no_contributor_and_no_photo(phase, monkeypatch):
    kept = set(photos.directory().iterdir())
    fail_saving(monkeypatch, Idea)
    with pytest.raises(Broken):
        services.send_idea(None, phase, known_id=None, email="anna@example.org", email_consent=True,
                           photo=_photo(), photo_rights=True, **_fields(phase))
    assert not Contributor.objects.exists() and not Idea.objects.exists()
    assert set(photos.directory().iterdir()) == kept


def test_a_refused_idea_leaves_no_contributor(phase):
    with pytest.raises(ValidationError):
        services.send_idea(None, phase, known_id=None, **_fields(phase, geometry=OUTSIDE))
    assert not Contributor.objects.exists()


def test_an_address_without_consent_stores_nothing(phase, citizen):
    with pytest.raises(ValidationError) as exc:
        services.send_idea(None, phase, known_id=str(citizen.pk), email="neu@example.org", **_fields(phase))
    assert "email_consent" in exc.value.message_dict and not Idea.objects.exists()


def test_a_photo_without_the_rights_is_not_stored(phase):
    kept = set(photos.directory().iterdir())
    with pytest.raises(ValidationError) as exc:
        services.send_idea(None, phase, known_id=None, photo=_photo(), photo_rights=False, **_fields(phase))
    assert "photo_rights" in exc.value.message_dict
    assert not Contributor.objects.exists() and set(photos.directory().iterdir()) == kept


def test_a_failing_comment_leaves_no_contributor(phase, citizen, monkeypatch):
    target = idea(phase, citizen)
    services.decide(OPERATOR, target, "approve")
    before = Contributor.objects.count()
    fail_saving(monkeypatch, Comment)
    with pytest.raises(Broken):
        services.send_comment(None, phase.concept, None, text="Gute Idee.", idea=target)
    measure = MeasureFactory(concept=phase.concept)
    with pytest.raises(Broken):
        services.send_comment(None, phase.concept, None, text="Gute Idee.", measure=measure)
    assert Contributor.objects.count() == before and not Comment.objects.exists()


def test_a_failing_support_leaves_no_contributor(phase, citizen, monkeypatch):
    target = idea(phase, citizen)
    services.decide(OPERATOR, target, "approve")
    measure = MeasureFactory(concept=phase.concept)
    before = Contributor.objects.count()
    fail_saving(monkeypatch, Support)
    for where in ({"idea": target}, {"measure": measure}):
        with pytest.raises(Broken):
            services.send_support(None, phase.concept, None, **where)
    assert Contributor.objects.count() == before and not Support.objects.exists()
    monkeypatch.undo()
    sent = services.send_support(None, phase.concept, None, idea=target)
    assert sent.token and Support.objects.get().contributor == sent.contributor


def test_a_failing_report_leaves_no_contributor(phase, citizen, monkeypatch):
    target = idea(phase, citizen)
    services.decide(OPERATOR, target, "approve")
    before = Contributor.objects.count()
    fail_saving(monkeypatch, Flag)
    with pytest.raises(Broken):
        services.send_flag(None, phase.concept, None, reason="insult", idea=target)
    assert Contributor.objects.count() == before and not Flag.objects.exists()
