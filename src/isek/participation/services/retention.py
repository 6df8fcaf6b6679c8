"""Personal data: deletion of everything a contributor gave through their one-time link, and the
names and addresses removed after a phase's retention period."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from isek.core import versions

from .. import photos
from ..models import Comment, Contributor, Decision, Idea, Phase, Support
from .contributors import token_hash


def deletion_link_known(token: str) -> bool:
    return Contributor.objects.filter(delete_token_hash=token_hash(token or "")).exists()


def delete_contributions(token: str) -> dict | None:
    """Delete everything a contributor gave (ideas with their comments and support, comments,
    support, reports, the name and address) through their one-time link; None if the link is
    unknown or used. The moderation log keeps only that something was deleted."""
    c = Contributor.objects.filter(delete_token_hash=token_hash(token or "")).first()
    return None if c is None else _delete_contributor(c)


def _delete_contributor(c: Contributor) -> dict:
    with transaction.atomic():
        ideas = list(Idea.objects.filter(contributor=c).select_related("phase"))
        comments = list(Comment.objects.filter(contributor=c).select_related("phase"))
        for obj, kind in [(i, "idea") for i in ideas] + [(x, "comment") for x in comments]:
            Decision.objects.create(phase=obj.phase, kind=kind, object_id=obj.pk, number=obj.number, action=Decision.Action.DELETE, actor="isek")
        for i in ideas:
            photos.remove(i.photo)
        counts = {"ideas": len(ideas), "comments": len(comments), "supports": c.supports.count()}
        touched = {o.phase.concept_id for o in ideas + comments}
        touched |= set(c.supports.values_list("phase__concept_id", flat=True))  # support numbers change too
        for pk in touched:
            versions.bump(pk)
        Idea.objects.filter(pk__in=[i.pk for i in ideas]).delete()
        Comment.objects.filter(pk__in=[x.pk for x in comments]).delete()
        c.delete()  # supports and reports go with it
    return counts


def forget_account(user, *, contributions: bool) -> dict:
    """Before a citizen's account is deleted (decision 0078): with ``contributions``, everything
    given with it goes as through the deletion link; without, it stays without the person – the
    supports keep counting (confirmed by an account, one per person when given), ideas and comments
    stay without the name and the address given with them, and nothing links them to anyone."""
    counts = {"ideas": 0, "comments": 0, "supports": 0}
    for c in Contributor.objects.filter(user=user):
        if contributions:
            for k, n in _delete_contributor(c).items():
                counts[k] += n
            continue
        with transaction.atomic():
            for model in (Idea, Comment):
                model.objects.filter(contributor=c).filter(~Q(author_name="") | ~Q(email="")).update(
                    author_name="", email="")
            counts["supports"] += c.supports.count()
            c.user = None
            c.save(update_fields=["user"])
    return counts


def purge_personal_data(now=None) -> int:
    """After a phase's retention period: the names and e-mail addresses given with its
    contributions are removed (the contributions stay, anonymous), and so are the hashes of the
    addresses that confirmed supports (the supports stay, confirmed) and the supports that never
    were. Returns how many contributors lost a name or an address."""
    now = now or timezone.now()
    cleared = 0
    for phase in Phase.objects.all():
        if phase.end + datetime.timedelta(days=phase.retention_days) > now:
            continue
        with transaction.atomic():
            people = set()
            for qs in (phase.ideas.all(), phase.comments.all()):
                personal = qs.filter(~Q(author_name="") | ~Q(email=""))
                people |= set(personal.exclude(contributor=None).values_list("contributor_id", flat=True))
                personal.update(author_name="", email="")
            phase.supports.filter(confirmation=Support.Confirmation.PENDING).delete()
            phase.supports.exclude(email_hash="").update(email_hash="")
            cleared += len(people)
    return cleared
