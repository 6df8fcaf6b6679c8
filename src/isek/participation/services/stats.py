"""Figures of a phase: the public counters and the planners' statistics."""

from __future__ import annotations

from django.db.models import Count

from isek import access

from ..models import Decision, Phase, RejectReason, Status
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
    """Ideas per theme and per quarter (received and published), comments and support in all."""
    access.require(user, "participation", "statistics", phase.concept)
    ideas = list(phase.ideas.select_related("theme").annotate(**supports.annotations()))
    themes = []
    for t in phase.themes.all():
        mine = [i for i in ideas if i.theme_id == t.pk]
        themes.append({"theme": t, "received": len(mine), "published": sum(i.status == Status.PUBLISHED for i in mine),
                       "supports": sum(i.support_count for i in mine),
                       "supports_confirmed": sum(i.supports_confirmed for i in mine)})
    quarters = []
    for q in phase.concept.quarters.order_by("name"):
        inside = [i for i in ideas if i.geometry is not None and q.geometry.intersects(i.geometry)]
        quarters.append({"quarter": q, "received": len(inside),
                         "published": sum(i.status == Status.PUBLISHED for i in inside)})
    return {"themes": themes, "quarters": quarters, "ideas": len(ideas),
            "comments": phase.comments.count(), "supports": supports.counts(phase.supports.all())}
