"""What a measure's page shows of participation."""

from __future__ import annotations

from isek import access
from isek.concepts.services import Measure

from .ideas import ideas_of_measure
from .phase import current_phase
from .rules import PUBLIC_STATUSES
from .supports import counts


def measure_participation(user, measure: Measure) -> dict:
    """What a measure's page shows of participation: the ideas that led to it, published comments,
    the number of supports, and what the open phase allows (the same for every visitor, so that
    the page can be cached)."""
    concept = measure.concept
    access.require(user, "participation", "view", concept)
    phase = current_phase(concept)
    is_open = phase is not None and phase.is_open()
    return {
        "phase": phase, "ideas": list(ideas_of_measure(user, measure)),
        "comments": list(measure.comments.filter(status__in=PUBLIC_STATUSES).select_related("contributor")),
        "supports": counts(measure.supports.all()),
        "may_comment": is_open and phase.comments_open and access.allows(user, "comment", "create", concept),
        "may_support": is_open and phase.support_open and access.allows(user, "support", "create", concept),
    }
