"""Support of an idea or a measure: one per person."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from isek import access
from isek.concepts.services import Concept, Measure
from isek.core.rules import invalid

from ..models import Contributor, Idea, Support
from .contributors import Sent, send
from .rules import require_open, target_phase


def support(user, concept: Concept, contributor: Contributor, *, idea: Idea | None = None,
            measure: Measure | None = None, now=None) -> Support:
    """One support per person and idea or measure; a second one is refused with a message."""
    access.require(user, "support", "create", concept)
    phase = target_phase(concept, idea, measure, now)
    require_open(phase, "support_open", now)
    try:
        with transaction.atomic():
            return Support.objects.create(phase=phase, idea=idea, measure=measure, contributor=contributor)
    except IntegrityError:
        raise invalid(_("Sie unterstützen das schon."), "already_supported") from None


def send_support(user, concept: Concept, known: Contributor | None, *, idea: Idea | None = None,
                 measure: Measure | None = None) -> Sent:
    """A citizen's support (see ``support``) with its contributor, or nothing."""
    return send(user, known, lambda c: support(user, concept, c, idea=idea, measure=measure))
