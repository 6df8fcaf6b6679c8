"""Comments on a published idea or on a measure."""

from __future__ import annotations

from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Concept, Measure
from isek.core import versions

from ..models import COMMENT_MAX, Comment, Contributor, Idea, Phase, Status
from .contributors import Sent, send
from .rules import author_name, clean_text, reply_address, require_open, target_phase


def comment(user, concept: Concept, contributor: Contributor, *, text: str, name: str = "", email: str = "",
            email_consent: bool = False, idea: Idea | None = None, measure: Measure | None = None, now=None,
            illustrative: bool = False) -> Comment:
    """A comment on a published idea or on a measure; ``name`` and ``email`` as for ``submit_idea``."""
    access.require(user, "comment", "create", concept)
    phase = target_phase(concept, idea, measure, now)
    require_open(phase, "comments_open", now)
    text = clean_text(text, COMMENT_MAX, "text", _("Kommentar"))
    name = author_name(name)
    email = reply_address(email, email_consent)
    status = Status.PUBLISHED if phase.moderation == Phase.Moderation.AFTER else Status.PENDING
    if status == Status.PUBLISHED:
        versions.bump(concept.pk)
    return Comment.objects.create(phase=phase, idea=idea, measure=measure, contributor=contributor, author_name=name,
                                  email=email, text=text, status=status, illustrative=illustrative)


def send_comment(user, concept: Concept, known: Contributor | None, *, text: str, name: str = "", email: str = "",
                 email_consent: bool = False, idea: Idea | None = None, measure: Measure | None = None) -> Sent:
    """A citizen's comment (see ``comment``) with its contributor, or nothing."""
    return send(user, known, lambda c: comment(user, concept, c, text=text, name=name, email=email,
                                                email_consent=email_consent, idea=idea, measure=measure))
