"""Figures of a phase: the public counters and the planners' statistics."""

from __future__ import annotations

from django.db.models import Count

from isek import access

from ..models import Decision, Phase, RejectReason, Status, ThemeReview
from . import supports


def counters(phase: Phase) -> dict:
    """Public counters: ideas received, published, waiting, merged into another, hidden, rejected
    by reason, deleted on request. The states add up to the ideas received."""
    ideas = phase.ideas.values("status").annotate(n=Count("pk"))
    by_status = {row["status"]: row["n"] for row in ideas}
    rejected = dict(phase.ideas.filter(status=Status.REJECTED).values_list("reject_reason").annotate(n=Count("pk")))
    deleted = phase.decisions.filter(action=Decision.Action.DELETE, kind="idea").count()
    return {
        "received": sum(by_status.values()) + deleted,
        "published": by_status.get(Status.PUBLISHED, 0),
        "pending": by_status.get(Status.PENDING, 0),
        "hidden": by_status.get(Status.HIDDEN, 0),
        "merged": by_status.get(Status.MERGED, 0),
        "rejected": sum(rejected.values()),
        "rejected_by_reason": [(RejectReason(code).label, n) for code, n in sorted(rejected.items()) if code],
        "deleted": deleted,
    }


def statistics(user, phase: Phase) -> dict:
    """Ideas per theme and per quarter (received and published), comments and support in all.

    An idea's theme is counted as the evaluation report counts it (``report.evaluation_report``,
    fix24f): the one a person decided in the theme review, else its own; an idea whose theme is only
    the import's stand-in (or that came without one) and no person decided counts under "ohne Thema",
    not as a citizen's choice, and "kein Thema passt" where a person decided so."""
    from .report import FALLBACK, NO_FIT, fallback_label, no_fit_label

    access.require(user, "participation", "statistics", phase.concept)
    ideas = list(phase.ideas.select_related("theme").annotate(**supports.annotations()))
    reviews = dict(ThemeReview.objects.filter(idea__phase=phase).values_list("idea_id", "theme_id"))

    def key_of(i):
        if i.pk in reviews:
            return reviews[i.pk] if reviews[i.pk] is not None else NO_FIT
        return FALLBACK if i.theme_fallback or i.theme_id is None else i.theme_id

    keys = {i.pk: key_of(i) for i in ideas}
    parts = [(t.pk, t.name) for t in phase.themes.all()] + [(FALLBACK, fallback_label()), (NO_FIT, no_fit_label())]
    themes = []
    for key, name in parts:
        mine = [i for i in ideas if keys[i.pk] == key]
        if not mine and key in (FALLBACK, NO_FIT):
            continue
        themes.append({"name": name, "key": key, "received": len(mine),
                       "published": sum(i.status == Status.PUBLISHED for i in mine),
                       "supports": sum(i.support_count for i in mine),
                       "supports_confirmed": sum(i.supports_confirmed for i in mine)})
    quarters = []
    for q in phase.concept.quarters.order_by("name"):
        inside = [i for i in ideas if i.geometry is not None and q.geometry.intersects(i.geometry)]
        quarters.append({"quarter": q, "received": len(inside),
                         "published": sum(i.status == Status.PUBLISHED for i in inside)})
    return {"themes": themes, "quarters": quarters, "ideas": len(ideas),
            "fallback": sum(1 for k in keys.values() if k == FALLBACK),
            "comments": phase.comments.count(), "supports": supports.counts(phase.supports.all())}
